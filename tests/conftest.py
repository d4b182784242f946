"""Shared fixtures.

Tests marked ``postgres`` or ``redis`` need those services. They are skipped when the
service is missing, unless HOUQIN_REQUIRE_SERVICES=1 (CI), where they fail instead.
"""

import datetime
import os
import socket
from urllib.parse import urlsplit

import django.test
import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from config.celery import app as celery_app
from logistics.choices import Role
from tests import factories

REQUIRE_SERVICES = os.environ.get("HOUQIN_REQUIRE_SERVICES") == "1"


def redis_url():
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_available(url=None):
    parts = urlsplit(url or redis_url())
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run transactional tests (live server, real worker) after all the others.

    pytest-django orders them so, but pytest-playwright regroups the items after it; a
    transactional test flushes the tables, and the role groups created by migrations
    come back only for tests that ask for ``serialized_rollback``.
    """

    def transactional(item):
        marker = item.get_closest_marker("django_db")
        if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
            return 1
        names = getattr(item, "fixturenames", ())
        return int("live_server" in names or "transactional_db" in names)

    items.sort(key=transactional)
    # Every transactional test restores the database as migrations left it. Mixing them
    # fails: a flush without serialized_rollback re-creates the content types (Django
    # runs post_migrate after it), and the next test's serialized restore then inserts
    # them again (duplicate key). So they all ask for it.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            item.add_marker(
                pytest.mark.django_db(
                    *marker.args, **{**marker.kwargs, "serialized_rollback": True}
                ),
                append=False,
            )


def _missing(what):
    message = f"{what} is not available"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (HOUQIN_REQUIRE_SERVICES=1 makes this mandatory)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("PostgreSQL (set DATABASE_URL)")
    if request.node.get_closest_marker("redis") and not redis_available():
        _missing(f"Redis at {redis_url()}")


@pytest.fixture(autouse=True)
def _roles_after_flush(request):
    """Transactional tests find the role groups in place (see tests/roles.py)."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if (marker and marker.kwargs.get("transaction")) or "live_server" in names:
        request.getfixturevalue("_django_db_helper")
        from tests.roles import ensure_roles

        ensure_roles()


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tasks run in-process unless a test starts a real worker."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (a rolled-back database can give another
    test's school the same id and figures stamp)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of a test go to its own folder, never to the project's var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Client(django.test.Client):
    """``login()`` passes a request, as the sign-in page does: django-axes (first in
    AUTHENTICATION_BACKENDS) counts failures per user name and address and needs one."""

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post(reverse("login")))
        return super().login(**credentials)


@pytest.fixture
def travel(monkeypatch):
    """Move the clock Django's sessions and our middleware read: ``travel(hours=2)``."""
    from django.utils import timezone

    real_now = timezone.now
    offset = datetime.timedelta()

    def now():
        return real_now() + offset

    def move(**delta):
        nonlocal offset
        offset += datetime.timedelta(**delta)

    monkeypatch.setattr(timezone, "now", now)
    return move


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def district(db):
    return factories.DistrictFactory()


@pytest.fixture
def school(district):
    return factories.SchoolFactory(district=district)


@pytest.fixture
def other_school(db):
    return factories.SchoolFactory()


@pytest.fixture
def make_user(db):
    def make(role=None, school=None, **kwargs):
        return factories.user_with_role(role, school=school, **kwargs)

    return make


@pytest.fixture
def general_affairs(make_user, school):
    return make_user(Role.GENERAL_AFFAIRS, school)


@pytest.fixture
def ga_client(client, general_affairs):
    client.force_login(general_affairs)
    return client
