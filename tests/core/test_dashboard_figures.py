"""The dashboard's sections are kept with their markup under the school's figures stamp
(``logistics.views.dashboard.shown_section``): the page is the same as drawn afresh,
every write the sections count shows at once, and so does a target or due time
passing; its statements are as many for a large school as for a small one."""

import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics.choices import Role
from logistics.common.registry import registry
from logistics.repairs.choices import TicketStatus
from logistics.repairs.models import TicketMaterial
from safety.choices import InspectionStatus
from tests import factories, safety_factories

URL = "/dashboard/"


def period():
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=20), today + datetime.timedelta(days=20)
    return f"{URL}?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"


def figure(response, testid):
    found = re.search(rf'data-testid="{testid}">([^<]*)<', response.content.decode())
    assert found, testid
    return found.group(1).strip()


def page(response):
    """The page but its tokens (masked anew for each response)."""
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode())


def figures(response, key):
    return {shown[0].key: shown[1] for shown in response.context["sections"]}[key]


@pytest.fixture
def drawn_afresh(monkeypatch):
    """The sections as they were: figures read and drawn by the page each time."""

    def afresh():
        for key, section in list(registry.sections.items()):
            monkeypatch.setitem(
                registry.sections, key, dataclasses.replace(section, changes_at=None)
            )

    return afresh


def fill(school, n):
    now = timezone.now()
    room = factories.RoomFactory(building__school=school)
    for i in range(n):
        ticket = factories.TicketFactory(
            school=school,
            room=room,
            status=TicketStatus.CANCELLED if i % 3 == 2 else TicketStatus.SUBMITTED,
            created_at=now - datetime.timedelta(days=1 + i % 10),
        )
        TicketMaterial.objects.create(
            ticket=ticket,
            name=f"材料{i % 4}",
            unit="个",
            quantity=Decimal(2),
            unit_cost=Decimal(3),
            added_by=ticket.requester,
        )
        safety_factories.HazardFactory(school=school, found_at=now - datetime.timedelta(days=2))
        safety_factories.InspectionFactory(
            school=school,
            period_start=timezone.localdate(),
            due_at=now + datetime.timedelta(hours=1 + i),
        )
        safety_factories.DrillFactory(school=school, held_on=timezone.localdate())
        safety_factories.AgreementFactory(school=school, year=2026)


@pytest.mark.django_db
def test_the_page_is_the_same_as_drawn_afresh(ga_client, school, drawn_afresh):
    fill(school, 6)
    url = period()
    cold, kept = ga_client.get(url), ga_client.get(url)
    drawn_afresh()
    afresh = ga_client.get(url)
    assert page(cold) == page(kept) == page(afresh)
    assert figures(kept, "repairs")["total"] == figures(afresh, "repairs")["total"] == 4


@pytest.mark.django_db
def test_the_writes_counted_show_at_once(ga_client, school):
    url = period()
    assert figure(ga_client.get(url), "repairs-total") == "0"
    ticket = factories.TicketFactory(school=school, created_at=timezone.now())
    assert figure(ga_client.get(url), "repairs-total") == "1"
    used = TicketMaterial.objects.create(
        ticket=ticket,
        name="水龙头",
        unit="个",
        quantity=Decimal(1),
        unit_cost=Decimal("35.50"),
        added_by=ticket.requester,
    )
    assert figure(ga_client.get(url), "repairs-materials-cost") == "35.50"
    used.delete()
    assert figure(ga_client.get(url), "repairs-materials-cost") == "0.00"

    assert figure(ga_client.get(url), "safety-drills") == "0"
    safety_factories.DrillFactory(school=school, held_on=timezone.localdate())
    assert figure(ga_client.get(url), "safety-drills") == "1"
    before = figure(ga_client.get(url), "safety-agreements")
    year = figures(ga_client.get(url), "safety")["agreements"]["year"]
    safety_factories.AgreementFactory(school=school, year=year)
    assert figure(ga_client.get(url), "safety-agreements") != before


@pytest.mark.django_db
def test_a_target_or_due_time_passing_shows_at_once(ga_client, school, travel):
    now = timezone.now()
    factories.TicketFactory(
        school=school, created_at=now, respond_by=now + datetime.timedelta(minutes=5)
    )
    safety_factories.InspectionFactory(
        school=school,
        status=InspectionStatus.PLANNED,
        period_start=timezone.localdate(),
        due_at=now + datetime.timedelta(minutes=10),
    )
    url = period()
    response = ga_client.get(url)
    assert figures(response, "repairs")["on_time"]["response"]["measured"] == 0
    assert figures(response, "safety")["inspections"]["missed"] == 0
    travel(minutes=6)
    response = ga_client.get(url)
    assert figures(response, "repairs")["on_time"]["response"]["measured"] == 1
    assert figures(response, "safety")["inspections"]["missed"] == 0
    travel(minutes=5)
    assert figures(ga_client.get(url), "safety")["inspections"]["missed"] == 1


def count_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "period"])
def test_the_queries_do_not_grow(client, make_user, query, settings, drawn_afresh):
    settings.DEBUG = False
    kept, afresh = [], []
    for n in (2, 20):
        school = factories.SchoolFactory()
        factories.SemesterFactory(school=school, is_current=True)
        fill(school, n)
        client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
        url = period() if query else URL
        kept.append(count_queries(client, url))
    drawn_afresh()
    for n in (2, 20):
        school = factories.SchoolFactory()
        factories.SemesterFactory(school=school, is_current=True)
        fill(school, n)
        client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
        afresh.append(count_queries(client, period() if query else URL))
    assert kept[0] == kept[1], kept
    assert afresh[0] == afresh[1], afresh
    assert kept[1] < afresh[1]
