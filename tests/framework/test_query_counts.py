"""List and detail pages issue the same number of queries for 10 rows as for 100."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics.choices import Role, Trade
from logistics.models import Notification, TechnicianTrade
from tests import factories

# Session, user, two permission reads, roles, unread count, then the page's own queries.
BUDGET = 12
# The home page adds the school, its semester and four counts.
BUDGETS = {"/": 14}


def count_queries(client, url):
    # Warm up first: a process reads the permissions of a set of roles once, and renders
    # the side menu of a set of roles once (as the benchmark counts).
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def fill(school, user, n):
    campus = factories.CampusFactory(school=school)
    department = factories.DepartmentFactory(school=school)
    for i in range(n):
        building = factories.BuildingFactory(school=school, campus=campus)
        factories.RoomFactory(building=building)
        factories.CampusFactory(school=school)
        factories.DepartmentFactory(school=school)
        person = factories.user_with_role(Role.TECHNICIAN, school=school, department=department)
        TechnicianTrade.objects.create(user=person, trade=Trade.PLUMBING)
        Notification.objects.create(
            school=school, recipient=user, key=f"k{n}-{i}", title=f"通知{i}"
        )
        factories.SemesterFactory(
            school=school,
            academic_year=2000 + i % 100,
            term=1 + (i // 100),
        )
    return person


PAGES = [
    "/",
    "/notifications/",
    "/setup/campuses/",
    "/setup/buildings/",
    "/setup/rooms/",
    "/setup/rooms/?sort=-building",
    "/setup/departments/",
    "/setup/semesters/",
    "/setup/people/",
    "/setup/people/?role=technician",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_list_pages_have_a_constant_query_count(client, make_user, url, settings):
    settings.DEBUG = False
    counts = []
    for n in (10, 100):
        school = factories.SchoolFactory()
        user = make_user(Role.GENERAL_AFFAIRS, school)
        fill(school, user, n)
        client.force_login(user)
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], f"{url}: {counts[0]} queries for 10 rows, {counts[1]} for 100"
    assert counts[1] <= BUDGETS.get(url, BUDGET), f"{url}: {counts[1]} queries"


@pytest.mark.django_db
def test_person_detail_has_a_constant_query_count(client, make_user):
    counts = []
    for n in (1, 30):
        school = factories.SchoolFactory()
        user = make_user(Role.GENERAL_AFFAIRS, school)
        person = factories.user_with_role(Role.TECHNICIAN, school=school)
        for trade in list(Trade)[: min(n, len(Trade))]:
            TechnicianTrade.objects.create(user=person, trade=trade)
        for i in range(n):
            client.force_login(user)
            client.post(f"/setup/people/{person.pk}/active/", {"active": str(i % 2)})
        client.force_login(user)
        counts.append(count_queries(client, f"/setup/people/{person.pk}/"))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_district_home_has_a_constant_query_count(client, make_user):
    counts = []
    for n in (2, 20):
        district = factories.DistrictFactory()
        for _ in range(n):
            school = factories.SchoolFactory(district=district)
            factories.BuildingFactory(school=school)
            factories.UserFactory(school=school)
        viewer = make_user(Role.DISTRICT_VIEWER, district=district)
        client.force_login(viewer)
        counts.append(count_queries(client, "/"))
    assert counts[0] == counts[1]
