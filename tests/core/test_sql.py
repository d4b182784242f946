"""The core's hand-written statements (``logistics.selectors.sql``) against the ORM."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from logistics.backends import signed_in_user
from logistics.models import Notification, User
from logistics.selectors import sql
from logistics.sessions import SessionStore
from tests.factories import SchoolFactory, UserFactory


def _session(key, *, expires_in):
    return Session.objects.create(
        session_key=key,
        session_data=SessionStore().encode({"n": key}),
        expire_date=timezone.now() + datetime.timedelta(seconds=expires_in),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key", ["live-session-key", "expired-session-key", "missing", "", "x" * 40]
)
def test_session_data_is_the_orm_s(key):
    _session("live-session-key", expires_in=600)
    _session("expired-session-key", expires_in=-1)
    now = timezone.now()
    orm = (
        Session.objects.filter(session_key=key, expire_date__gt=now)
        .values_list("session_data", flat=True)
        .first()
    )
    assert sql.session_data(connection, key, now) == orm


@pytest.mark.django_db
def test_the_store_reads_a_live_session_and_forgets_an_expired_one():
    _session("live-session-key", expires_in=600)
    _session("expired-session-key", expires_in=-1)
    live = SessionStore("live-session-key")
    assert live.load() == {"n": "live-session-key"} and live.session_key == "live-session-key"
    for key in ("expired-session-key", "missing", None):
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None


@pytest.mark.django_db
def test_a_session_signs_in_and_out(client: Client):
    user = UserFactory(school=SchoolFactory())
    client.force_login(user)
    assert client.get("/").wsgi_request.user == user
    client.logout()
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
@pytest.mark.parametrize("with_school", [True, False])
def test_signed_in_user_is_the_orm_s(with_school):
    school = SchoolFactory() if with_school else None
    user = UserFactory(school=school)
    Notification.objects.create(recipient=user, school=school, key="a", title="一")
    Notification.objects.create(
        recipient=user, school=school, key="b", title="二", read_at=timezone.now()
    )
    loaded = signed_in_user(user.pk)
    orm = User.objects.select_related("school").get(pk=user.pk)
    assert [getattr(loaded, f.attname) for f in User._meta.concrete_fields] == [
        getattr(orm, f.attname) for f in User._meta.concrete_fields
    ]
    assert loaded.school == orm.school
    assert loaded.role_names == frozenset(orm.groups.values_list("name", flat=True))
    assert loaded.unread_at_sign_in == 1
    assert signed_in_user(10**9) is None


# --- The set-up lists' rows ------------------------------------------------------------------


def _people(school, other_school):
    from django.contrib.auth.models import Group

    from logistics.choices import Role
    from tests import factories

    department = factories.DepartmentFactory(school=school, name="总务处")
    many = factories.user_with_role(Role.TECHNICIAN, school=school, name="", phone="1380")
    many.groups.add(Group.objects.get(name=Role.STAFF), Group.objects.get(name=Role.PRINCIPAL))
    many.department = department
    many.save()
    return [
        many,
        UserFactory(school=school, is_active=False),  # no role, no department
        factories.user_with_role(Role.STAFF, school=school, department=department),
        factories.user_with_role(Role.STAFF, school=other_school),
    ]


def _orm_person_rows(ids):
    keys = [key for key in sql.PERSON_ROW_KEYS if key != "role_names"]
    found = {row["pk"]: row for row in User.objects.filter(pk__in=ids).values(*keys)}
    for user in User.objects.filter(pk__in=ids).prefetch_related("groups"):
        found[user.pk]["role_names"] = frozenset(g.name for g in user.groups.all())
    return [found[pk] for pk in ids if pk in found]


@pytest.mark.django_db
def test_person_rows_are_the_orm_s(school, other_school):
    """Every column, the roles (several, or none) and the department (or none), in the
    order of the ids asked for; an id of nobody is left out."""
    people = _people(school, other_school)
    ids = [people[2].pk, 10**9, people[0].pk, people[3].pk, people[1].pk]
    rows = sql.person_rows(ids)
    assert rows == _orm_person_rows(ids)
    assert [row["pk"] for row in rows] == [people[i].pk for i in (2, 0, 3, 1)]
    assert rows[1]["role_names"] == {"technician", "staff", "principal"}
    assert rows[3]["role_names"] == frozenset() and rows[3]["department__name"] is None
    assert rows[3]["is_active"] is False
    assert sql.person_rows([]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["username", "-name", "department__name", "pk"])
@pytest.mark.parametrize(("start", "stop"), [(0, 2), (1, 3), (5, 9)])
def test_a_people_page_s_query_gives_its_rows_in_its_order(
    school, other_school, order, start, stop
):
    _people(school, other_school)
    page = User.objects.filter(school=school).order_by(order, "pk").values_list("pk", flat=True)
    page = page[start:stop]
    assert sql.person_rows(page) == _orm_person_rows(list(page))
    assert sql.person_rows(User.objects.none().values_list("pk", flat=True)) == []


def _rooms(school, other_school):
    from tests import factories

    building = factories.BuildingFactory(school=school, name="求真楼")
    other = factories.BuildingFactory(school=other_school, name="博学楼")
    return [
        factories.RoomFactory(building=building, number="101", floor=1, name="高一(1)班"),
        factories.RoomFactory(building=building, number="B1", floor=-1, name="", kind="storage"),
        factories.RoomFactory(building=building, number="301", floor=3, is_active=False),
        factories.RoomFactory(building=other, number="101", floor=1),
    ]


@pytest.mark.django_db
def test_room_rows_are_the_orm_s(school, other_school):
    from logistics.models import Room

    rooms = _rooms(school, other_school)
    ids = [rooms[3].pk, rooms[1].pk, 10**9, rooms[0].pk, rooms[2].pk]
    found = {row["pk"]: row for row in Room.objects.filter(pk__in=ids).values(*sql.ROOM_ROW_KEYS)}
    rows = sql.room_rows(ids)
    assert rows == [found[pk] for pk in ids if pk in found]
    assert [row["pk"] for row in rows] == [rooms[i].pk for i in (3, 1, 0, 2)]
    assert rows[1]["floor"] == -1 and rows[3]["is_active"] is False
    assert sql.room_rows([]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["building__name", "-floor", "number", "kind"])
def test_a_rooms_page_s_query_gives_its_rows_in_its_order(school, other_school, order):
    from logistics.models import Room

    _rooms(school, other_school)
    page = Room.objects.order_by(order, "pk").values_list("pk", flat=True)[1:3]
    found = {row["pk"]: row for row in Room.objects.values(*sql.ROOM_ROW_KEYS)}
    assert sql.room_rows(page) == [found[pk] for pk in page]
