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
