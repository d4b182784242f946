"""A menu entry and its page check the same permission (after NetBox's navigation menu):
the entry names the permissions its view declares, a link elsewhere (``may_open``) reads
that declaration, and every role sees the menu it saw when the entries listed roles."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from logistics.choices import Role
from logistics.common.permissions import (
    declared_permissions,
    may_open,
    normalised,
    page_permissions,
    permitted,
)
from logistics.common.registry import registry
from tests import factories
from tests.matrix import ALL_ROLES

MENU = list(registry.menu_items.values())

GA = Role.GENERAL_AFFAIRS
PRINCIPAL = Role.PRINCIPAL
SCHOOL_ROLES = [r for r in ALL_ROLES if r != Role.DISTRICT_VIEWER]
FILERS = [*SCHOOL_ROLES]
# Who saw each entry while the entries listed roles (the menu at the start of this
# change), by URL name.
SEEN_BY = {
    "dashboard": [GA, PRINCIPAL],
    "summary_index": [GA, PRINCIPAL, Role.DISTRICT_VIEWER],
    "ticket_create": FILERS,
    "ticket_mine": FILERS,
    "ticket_queue": [Role.TECHNICIAN],
    "ticket_list": [GA, PRINCIPAL],
    "ticket_stats": [GA, PRINCIPAL],
    "ticket_stickers": [GA],
    "dispatch_rule_list": [GA, PRINCIPAL],
    "repair_category_list": [GA, PRINCIPAL],
    "material_list": [GA, PRINCIPAL, Role.TECHNICIAN],
    "safety_inspection_list": [GA, Role.SAFETY_OFFICER, PRINCIPAL],
    "safety_hazard_create": [r for r in SCHOOL_ROLES if r != PRINCIPAL],
    "safety_hazard_list": SCHOOL_ROLES,
    "safety_rate": [GA, PRINCIPAL],
    "safety_monthly_report": [GA, Role.SAFETY_OFFICER, PRINCIPAL],
    "safety_drill_list": [GA, Role.SAFETY_OFFICER, PRINCIPAL],
    "safety_agreement_list": [GA, PRINCIPAL],
    "safety_checklist_list": [GA, Role.SAFETY_OFFICER, PRINCIPAL],
    "safety_schedule_list": [GA, Role.SAFETY_OFFICER, PRINCIPAL],
    "building_list": [GA, PRINCIPAL],
    "room_list": [GA, PRINCIPAL],
    "campus_list": [GA, PRINCIPAL],
    "department_list": [GA, PRINCIPAL],
    "person_list": [GA, PRINCIPAL],
    "semester_list": [GA, PRINCIPAL],
    "school_settings": [GA],
}
# The menu's order, group by group.
ORDER = [
    "dashboard",
    "summary_index",
    "ticket_create",
    "ticket_mine",
    "ticket_queue",
    "ticket_list",
    "ticket_stats",
    "ticket_stickers",
    "dispatch_rule_list",
    "repair_category_list",
    "material_list",
    "safety_inspection_list",
    "safety_hazard_create",
    "safety_hazard_list",
    "safety_rate",
    "safety_monthly_report",
    "safety_drill_list",
    "safety_agreement_list",
    "safety_checklist_list",
    "safety_schedule_list",
    "building_list",
    "room_list",
    "campus_list",
    "department_list",
    "person_list",
    "semester_list",
    "school_settings",
]


def _menu_of(user):
    return [item.url_name for _group, items in registry.menu_for(user) for item in items]


@pytest.mark.parametrize("item", MENU, ids=lambda item: item.url_name)
def test_a_menu_entry_names_the_permissions_its_view_declares(item):
    view = resolve(reverse(item.url_name)).func
    declared = declared_permissions(view)
    assert declared is not None, f"the view of {item.url_name} declares no permissions"
    assert declared == normalised(item.permissions)
    assert page_permissions(item.url_name) == declared


def test_the_menu_is_the_one_described():
    assert {item.url_name for item in MENU} == set(SEEN_BY) == set(ORDER)
    groups = [g.key for g in sorted(registry.menu_groups.values(), key=lambda g: g.order)]
    assert groups == ["overview", "repairs", "safety", "setup"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES, ids=str)
def test_each_role_sees_the_menu_it_saw(role, school, make_user, client):
    user = make_user(role, school)
    expected = [name for name in ORDER if role in SEEN_BY[name]]
    assert _menu_of(user) == expected
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    start = page.index('<nav class="nav flex-column')
    menu = page[start : page.index("</nav>", start)]
    for name in ORDER:
        assert (f'href="{reverse(name)}"' in menu) == (name in expected), name


@pytest.mark.django_db
def test_a_superuser_sees_every_entry(school):
    admin = factories.UserFactory(school=school, is_superuser=True)
    assert _menu_of(admin) == ORDER


@pytest.mark.django_db
@pytest.mark.parametrize("item", MENU, ids=lambda item: item.url_name)
def test_an_entry_is_shown_exactly_to_those_its_page_opens_for(item, school, make_user, client):
    """Signed in as every role: the entry is shown ⇔ the page answers 200 (403 otherwise).
    The dashboard answers everyone; its figures are what its permission guards."""
    factories.SemesterFactory(school=school, is_current=True)
    for role in ALL_ROLES:
        user = make_user(role, school)
        client.force_login(user)
        response = client.get(reverse(item.url_name))
        if item.url_name == "dashboard":
            assert response.status_code == 200
            opens = b"data-section=" in response.content
        else:
            assert response.status_code in (200, 403), (role, response.status_code)
            opens = response.status_code == 200
        assert item.visible_to(user) == opens, (item.url_name, role)


def _links_checked_with_may_open():
    names = set()
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        names.update(re.findall(r'may_open:"(\w+)"', path.read_text(encoding="utf-8")))
    return sorted(names)


def test_links_ask_the_page_itself():
    names = _links_checked_with_may_open()
    assert {"safety_rate", "building_list"} <= set(names)
    for name in names:
        assert page_permissions(name) == normalised(registry.menu_item(name).permissions)
    # A page that declares nothing cannot be linked through may_open.
    with pytest.raises(LookupError, match="declares no permissions"):
        page_permissions("notification_list")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES, ids=str)
def test_may_open_agrees_with_the_menu(role, school, make_user):
    user = make_user(role, school)
    for name in _links_checked_with_may_open():
        assert may_open(user, name) == registry.menu_item(name).visible_to(user), name


@pytest.mark.django_db
def test_the_dashboards_figures_are_for_those_it_is_in_the_menu_of(school, make_user, client):
    """The dashboard shows its sections to those who may view it (general affairs, the
    principal); a safety officer, who may view hazards but not the rate, gets none."""
    factories.SemesterFactory(school=school, is_current=True)
    for role, shown in (
        (GA, True),
        (PRINCIPAL, True),
        (Role.SAFETY_OFFICER, False),
        (Role.STAFF, False),
    ):
        user = make_user(role, school)
        assert permitted(user, ("logistics.view_dashboard",)) == shown
        client.force_login(user)
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert (b'data-section="safety"' in response.content) == shown, role
