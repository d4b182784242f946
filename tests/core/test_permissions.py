"""Every page of the core against every role, anonymous visitors and another school."""

import uuid

import pytest

from logistics.choices import Role
from logistics.models import ImportJob, ImportKind, Notification
from tests import factories
from tests.matrix import ALL_ROLES, EVERYONE, Page, check_page, roles

GA = Role.GENERAL_AFFAIRS
PRINCIPAL = Role.PRINCIPAL
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


def _notification(school, user):
    """A notification of the signed-in person (a district viewer's: of a school of their
    district); another school's belongs to someone there."""
    mine = user is not None and school.pk == user.school_id
    mine = mine or (user is not None and school.district_id == user.district_id)
    recipient = user if mine else factories.UserFactory(school=school)
    notification = Notification.objects.create(
        school=school, recipient=recipient, key=f"matrix:{uuid.uuid4()}", title="通知", url="/"
    )
    return {"pk": notification.pk}


def _import_job(kind):
    def job(school):
        created = ImportJob.objects.create(
            school=school,
            kind=kind,
            file=f"imports/matrix-{uuid.uuid4().hex}.xlsx",
            file_name="导入.xlsx",
            submission_key=uuid.uuid4(),
            created_by=factories.user_with_role(GA, school=school),
        )
        return {"pk": created.pk}

    return job


PAGES = [
    Page("home", EVERYONE),
    Page("notification_list", EVERYONE),
    Page("notification_badge", EVERYONE),
    Page("password_change", EVERYONE),
    Page("notification_open", EVERYONE, kwargs=_notification, own=True, method="post", ok=302),
    Page("notification_read_all", EVERYONE, method="post", ok=302),
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
    Page("room_import_job", roles(GA), kwargs=_import_job(ImportKind.ROOMS)),
    Page("room_import_job_status", roles(GA), kwargs=_import_job(ImportKind.ROOMS)),
    Page("room_export", SETUP_READERS),
    Page("department_list", SETUP_READERS),
    Page("department_create", roles(GA)),
    Page("department_edit", roles(GA), kwargs=_department),
    Page("semester_list", SETUP_READERS),
    Page("semester_create", roles(GA)),
    Page("semester_edit", roles(GA), kwargs=_semester),
    Page("semester_make_current", roles(GA), kwargs=_semester, method="post", ok=302),
    Page("person_list", SETUP_READERS),
    Page("person_create", roles(GA)),
    Page("person_import", roles(GA)),
    Page("person_import_job", roles(GA), kwargs=_import_job(ImportKind.PEOPLE)),
    Page("person_import_job_status", roles(GA), kwargs=_import_job(ImportKind.PEOPLE)),
    Page("person_export", SETUP_READERS),
    Page("person_detail", SETUP_READERS, kwargs=_person),
    Page("person_edit", roles(GA), kwargs=_person),
    Page(
        "person_set_active",
        roles(GA),
        kwargs=_person,
        method="post",
        data=lambda kwargs: {"active": "0"},
        ok=302,
    ),
    Page("person_reset_password", roles(GA), kwargs=_person, method="post", ok=302),
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
