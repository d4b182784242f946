"""Every page of the core against every role, anonymous visitors and another school."""

import pytest

from logistics.choices import Role
from tests import factories
from tests.matrix import ALL_ROLES, Page, check_page, roles

GA = Role.GENERAL_AFFAIRS
PRINCIPAL = Role.PRINCIPAL
EVERYONE = frozenset(ALL_ROLES)
SETUP_READERS = roles(GA, PRINCIPAL)


def _building(school):
    return {"pk": factories.BuildingFactory(school=school).pk}


def _campus(school):
    return {"pk": factories.CampusFactory(school=school).pk}


def _room(school):
    return {"pk": factories.RoomFactory(building__school=school).pk}


def _department(school):
    return {"pk": factories.DepartmentFactory(school=school).pk}


def _semester(school):
    return {"pk": factories.SemesterFactory(school=school).pk}


def _person(school):
    return {"pk": factories.UserFactory(school=school).pk}


PAGES = [
    Page("home", EVERYONE),
    Page("notification_list", EVERYONE),
    Page("notification_badge", EVERYONE),
    Page("password_change", EVERYONE),
    Page("school_settings", roles(GA)),
    Page("campus_list", SETUP_READERS),
    Page("campus_create", roles(GA)),
    Page("campus_edit", roles(GA), kwargs=_campus),
    Page("building_list", SETUP_READERS),
    Page("building_create", roles(GA)),
    Page("building_edit", roles(GA), kwargs=_building),
    Page("room_list", SETUP_READERS),
    Page("room_create", roles(GA)),
    Page("room_edit", roles(GA), kwargs=_room),
    Page("room_import", roles(GA)),
    Page("room_export", SETUP_READERS),
    Page("department_list", SETUP_READERS),
    Page("department_create", roles(GA)),
    Page("department_edit", roles(GA), kwargs=_department),
    Page("semester_list", SETUP_READERS),
    Page("semester_create", roles(GA)),
    Page("semester_edit", roles(GA), kwargs=_semester),
    Page("semester_make_current", roles(GA), kwargs=_semester, method="post", ok_status=(302,)),
    Page("person_list", SETUP_READERS),
    Page("person_create", roles(GA)),
    Page("person_import", roles(GA)),
    Page("person_export", SETUP_READERS),
    Page("person_detail", SETUP_READERS, kwargs=_person),
    Page("person_edit", roles(GA), kwargs=_person),
    Page(
        "person_set_active",
        roles(GA),
        kwargs=_person,
        method="post",
        data=lambda s: {"active": "0"},
        ok_status=(302,),
    ),
    Page("person_reset_password", roles(GA), kwargs=_person, method="post", ok_status=(302,)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ALL_ROLES], ids=lambda r: str(r) if r else "anonymous")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.id)
def test_role_page_matrix(client, page, role, school, other_school, make_user):
    check_page(client, page, role, school, other_school, make_user)


@pytest.mark.django_db
def test_district_viewer_reads_only_their_district(client, make_user, school, other_school):
    neighbour = factories.SchoolFactory(district=school.district, name="邻校")
    viewer = make_user(Role.DISTRICT_VIEWER, school)
    client.force_login(viewer)
    body = client.get("/").content.decode()
    assert school.name in body
    assert neighbour.name in body
    assert other_school.name not in body


@pytest.mark.django_db
def test_lists_show_only_own_school(client, general_affairs, school, other_school):
    factories.BuildingFactory(school=school, name="求真楼")
    factories.BuildingFactory(school=other_school, name="别校楼")
    client.force_login(general_affairs)
    body = client.get("/setup/buildings/").content.decode()
    assert "求真楼" in body
    assert "别校楼" not in body


@pytest.mark.django_db
def test_scoped_form_choices_exclude_other_school(client, general_affairs, school, other_school):
    factories.BuildingFactory(school=other_school, name="别校楼")
    mine = factories.BuildingFactory(school=school, name="求真楼")
    client.force_login(general_affairs)
    body = client.get("/setup/rooms/new/").content.decode()
    assert "求真楼" in body and "别校楼" not in body
    # Posting another school's building is refused, nothing created.
    foreign = factories.BuildingFactory(school=other_school)
    response = client.post(
        "/setup/rooms/new/", {"building": foreign.pk, "floor": 1, "number": "101", "kind": "office"}
    )
    assert response.status_code == 200
    assert not foreign.rooms.exists()
    assert mine.rooms.count() == 0


@pytest.mark.django_db
def test_superuser_without_school_cannot_write(client, school):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/setup/buildings/new/").status_code == 403
    assert client.get("/setup/buildings/").status_code == 200
