"""The home cards' counts are kept under the school's figures stamp
(``logistics.common.figures``): every write they count shows at once, and so does a
target or due time passing; the page's statements are as many for a large school as for
a small one, kept or not."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics.choices import Role, Trade
from logistics.models import TechnicianTrade
from logistics.repairs.choices import TicketStatus
from logistics.repairs.services.tickets import ticket_assign
from logistics.services.organisation import building_save, department_save
from logistics.services.people import person_set_active
from safety.choices import InspectionStatus
from tests import factories, safety_factories


def figure(client, testid):
    page = client.get("/").content.decode()
    found = re.search(rf'data-testid="{testid}">\s*(\d+)\s*<', page)
    assert found, testid
    return int(found.group(1))


def big_numbers(client):
    """Every bold figure of the page, in order."""
    page = client.get("/").content.decode()
    return re.findall(r'fs-4 fw-bold[^"]*"[^>]*>(\d+)<', page)


@pytest.mark.django_db
def test_a_ticket_written_shows_at_once(ga_client, school, general_affairs):
    assert figure(ga_client, "count-unassigned") == 0
    ticket = factories.TicketFactory(school=school)
    assert figure(ga_client, "count-unassigned") == 1
    technician = factories.user_with_role(Role.TECHNICIAN, school=school)
    TechnicianTrade.objects.create(user=technician, trade=Trade.PLUMBING)
    ticket_assign(ticket, actor=general_affairs, technician=technician)
    assert figure(ga_client, "count-unassigned") == 0


@pytest.mark.django_db
def test_a_target_passing_shows_at_once(ga_client, school, travel):
    now = timezone.now()
    factories.TicketFactory(
        school=school, created_at=now, respond_by=now + datetime.timedelta(minutes=5)
    )
    assert figure(ga_client, "count-overdue") == 0
    travel(minutes=6)
    assert figure(ga_client, "count-overdue") == 1


@pytest.mark.django_db
def test_the_requester_and_the_technician_see_their_tickets_at_once(client, school):
    staff = factories.user_with_role(Role.STAFF, school=school)
    client.force_login(staff)
    assert figure(client, "to-confirm") == 0
    factories.TicketFactory(
        school=school,
        requester=staff,
        status=TicketStatus.DONE,
        assignee=staff,
        done_at=timezone.now(),
    )
    assert figure(client, "to-confirm") == 1

    technician = factories.user_with_role(Role.TECHNICIAN, school=school)
    client.force_login(technician)
    before = big_numbers(client)
    factories.TicketFactory(school=school)  # plumbing, nobody has it
    assert big_numbers(client) == before  # no trade yet
    TechnicianTrade.objects.create(user=technician, trade=Trade.PLUMBING)
    from logistics.services.people import person_update

    person_update(user=technician, roles=[Role.TECHNICIAN], trades=[Trade.PLUMBING])
    assert big_numbers(client) != before


@pytest.mark.django_db
def test_the_school_card_follows_its_set_up(ga_client, school, general_affairs):
    person = factories.user_with_role(Role.STAFF, school=school)
    cache.clear()  # the factory wrote the person straight to the table
    people = big_numbers(ga_client)
    person_set_active(user=person, active=False, actor=general_affairs)
    assert big_numbers(ga_client) != people
    departments = big_numbers(ga_client)
    department_save(school=school, name="后勤部")
    assert big_numbers(ga_client) != departments


@pytest.mark.django_db
def test_an_inspection_written_or_falling_due_shows_at_once(client, school, travel):
    officer = factories.user_with_role(Role.SAFETY_OFFICER, school=school)
    client.force_login(officer)
    assert figure(client, "inspections-to-do") == 0
    now = timezone.now()
    inspection = safety_factories.InspectionFactory(
        school=school,
        inspector=officer,
        period_start=timezone.localdate(now) - datetime.timedelta(days=1),
        due_at=now + datetime.timedelta(minutes=5),
    )
    assert figure(client, "inspections-to-do") == 1
    overdue = big_numbers(client)
    travel(minutes=6)
    assert big_numbers(client) != overdue
    inspection.status = InspectionStatus.CANCELLED
    inspection.save()
    assert figure(client, "inspections-to-do") == 0


def cold_queries(client, url="/"):
    client.get(url)
    cache.clear()  # the cards' figures read again
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [Role.GENERAL_AFFAIRS, Role.STAFF, Role.TECHNICIAN, Role.SAFETY_OFFICER, Role.PRINCIPAL],
)
def test_home_queries_do_not_grow(client, role, settings):
    settings.DEBUG = False
    counts = []
    for n in (1, 15):
        school = factories.SchoolFactory()
        user = factories.user_with_role(role, school=school)
        TechnicianTrade.objects.create(user=user, trade=Trade.PLUMBING)
        for _ in range(n):
            factories.TicketFactory(school=school, requester=user)
            factories.TicketFactory(school=school)
            safety_factories.InspectionFactory(school=school, inspector=user)
            factories.BuildingFactory(school=school)
        client.force_login(user)
        counts.append(cold_queries(client))
    assert counts[0] == counts[1]


def district_rows(client):
    """``{school: (buildings, people)}`` of the district viewer's home."""
    page = client.get("/").content.decode()
    rows = re.findall(
        r'data-testid="district-school">([^<]*)</td><td>(\d+)</td><td>(\d+)</td>', page
    )
    return {name: (int(buildings), int(people)) for name, buildings, people in rows}


@pytest.mark.django_db
def test_the_district_card_follows_the_schools_set_up(client, make_user):
    district = factories.DistrictFactory()
    first = factories.SchoolFactory(district=district, name="甲校")
    second = factories.SchoolFactory(district=district, name="乙校")
    ga = make_user(Role.GENERAL_AFFAIRS, first)
    person = factories.user_with_role(Role.STAFF, school=first)
    factories.user_with_role(Role.STAFF, school=second)
    client.force_login(make_user(Role.DISTRICT_VIEWER, district=district))
    assert district_rows(client) == {"甲校": (0, 2), "乙校": (0, 1)}
    building_save(school=second, name="求真楼")
    assert district_rows(client) == {"甲校": (0, 2), "乙校": (1, 1)}
    person_set_active(user=person, active=False, actor=ga)
    assert district_rows(client) == {"甲校": (0, 1), "乙校": (1, 1)}
    third = factories.SchoolFactory(district=district, name="丙校")
    assert district_rows(client) == {"甲校": (0, 1), "乙校": (1, 1), "丙校": (0, 0)}
    third.is_active = False
    third.save()
    assert district_rows(client) == {"甲校": (0, 1), "乙校": (1, 1)}


@pytest.mark.django_db
def test_district_home_queries_do_not_grow_kept_or_not(client, make_user, settings):
    settings.DEBUG = False
    cold, warm = [], []
    for n in (2, 20):
        district = factories.DistrictFactory()
        for _ in range(n):
            school = factories.SchoolFactory(district=district)
            factories.BuildingFactory(school=school)
            factories.UserFactory(school=school)
        client.force_login(make_user(Role.DISTRICT_VIEWER, district=district))
        cold.append(cold_queries(client))
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        warm.append(len(captured))
    assert cold[0] == cold[1] and warm[0] == warm[1], (cold, warm)
    assert warm[0] == cold[0] - 1  # the sizes, kept
