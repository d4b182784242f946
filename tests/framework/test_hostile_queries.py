"""Whatever anyone puts in an address, no page answers 500: huge and negative numbers,
NUL characters, very long text, another script's letters, in every parameter the pages
read — on the embedded SQLite default as on PostgreSQL (``make test`` runs both)."""

import pytest
from django.urls import reverse

from logistics.choices import Role
from tests import factories
from tests.framework.test_dates import get_pages

PARAMS = [
    "q",
    "page",
    "per_page",
    "sort",
    "building",
    "floor",
    "room",
    "status",
    "trade",
    "category",
    "level",
    "kind",
    "semester",
    "department",
    "assignee",
    "inspector",
    "responsible_person",
    "urgency",
    "cause",
    "role",
    "template",
    "tab",
    "part",
    "mine",
    "overdue",
    "unread",
    "active",
    "next",
    "from",
    "filters",
]
VALUES = [
    "99999999999999999999999",
    "9223372036854775808",
    "-1",
    "0",
    "1.5",
    "%00",
    "a%00b",
    "x" * 3000,
    "%F0%9F%94%A5",
    "%FF%FE",
    "[]",
    "1e309",
    "nan",
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.GENERAL_AFFAIRS, Role.SAFETY_OFFICER, Role.TECHNICIAN, Role.STAFF]
)
def test_no_page_fails_on_hostile_parameters(client, school, make_user, role):
    factories.SemesterFactory(school=school, is_current=True)
    factories.TicketFactory(school=school)
    client.force_login(make_user(role, school))
    failures = []
    for name in get_pages():
        url = reverse(name)
        for value in VALUES:
            query = "&".join(f"{p}={value}" for p in PARAMS)
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append((name, value[:20], response.status_code))
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999999", "9223372036854775808"])
def test_huge_ids_in_paths_are_not_found(client, school, make_user, value):
    client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
    for path in (
        f"/repairs/{value}/",
        f"/safety/hazards/{value}/",
        f"/safety/inspections/{value}/",
        f"/r/{value}/",
        f"/setup/people/{value}/",
    ):
        assert client.get(path).status_code == 404, path


FORM_FIELDS = PARAMS + [
    "technician",
    "material",
    "quantity",
    "unit_price",
    "capacity",
    "academic_year",
    "floors_above",
    "floors_below",
    "campus",
    "rooms",
    "roles",
    "trades",
    "rating",
    "participants",
    "person",
    "hazard_level",
    "outcome",
    "frequency",
    "sort_order",
    "deadline",
    "found_at",
    "held_on",
    "signed_on",
    "start_date",
    "end_date",
    "submission_key",
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.GENERAL_AFFAIRS, Role.SAFETY_OFFICER, Role.STAFF])
def test_no_form_fails_on_hostile_values(client, school, make_user, role):
    factories.SemesterFactory(school=school, is_current=True)
    client.force_login(make_user(role, school))
    failures = []
    for name in get_pages():
        if name in {"logout", "password_change"}:
            continue
        url = reverse(name)
        for value in ("99999999999999999999999", "-9223372036854775809", "a\x00b", "1e309"):
            response = client.post(url, dict.fromkeys(FORM_FIELDS, value))
            if response.status_code >= 500:
                failures.append((name, value[:12], response.status_code))
    assert failures == []
