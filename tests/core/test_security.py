"""What a hostile test of the portal found, each closed as a class: temporary passwords
kept off cookies and shown once, re-authentication throttled, who may act on whose
account, no signed-in response kept by a cache, and PDFs with active content refused
(see tests/core/test_pdf_uploads.py for the PDFs themselves)."""

import base64
import binascii
import contextlib
import datetime
import re
import zlib

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone, translation

from logistics.choices import Role
from logistics.common.registry import registry
from logistics.common.uploads import image_clean, image_store
from logistics.models import StatusChange, User
from logistics.services import people
from tests import factories
from tests.factories import PASSWORD
from tests.language import zh
from tests.matrix import named_patterns

CJK = re.compile(r"[\u4e00-\u9fff]")
GENERATED = re.compile(r"\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b")


# --- 1. Temporary passwords: server side, shown once ------------------------------------------


def cookie_texts(response):
    """Every Set-Cookie value of ``response`` as sent, and decoded the ways Django signs
    and compresses values (base64, zlib), so a secret cannot hide in an encoding."""
    texts = [response.cookies.output()]
    for morsel in response.cookies.values():
        value = morsel.value
        texts.append(value)
        for part in re.split(r"[:$]", value):
            chunk = part.lstrip(".")
            try:
                raw = base64.urlsafe_b64decode(chunk + "=" * (-len(chunk) % 4))
            except (binascii.Error, ValueError):
                continue
            texts.append(raw.decode("latin-1"))
            with contextlib.suppress(zlib.error):
                texts.append(zlib.decompress(raw).decode("utf-8", "replace"))
    return texts


def assert_not_in_cookies(secret, *responses):
    for response in responses:
        for text in cookie_texts(response):
            assert secret not in text, "the password travels in a cookie"


def shown_password(response):
    found = GENERATED.findall(response.content.decode())
    assert len(found) == 1, found
    return found[0]


@pytest.mark.django_db
def test_sessions_and_messages_are_kept_on_the_server(settings):
    from importlib import import_module

    from django.contrib.sessions.backends import cache, cached_db, db

    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert issubclass(store, db.SessionStore | cache.SessionStore | cached_db.SessionStore)
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"


@pytest.mark.django_db
def test_a_new_account_s_password_never_rides_in_a_cookie_and_is_shown_once(ga_client, client):
    created = ga_client.post(
        "/setup/people/new/",
        {"username": "lishifu", "name": "李师傅", "roles": [Role.STAFF]},
    )
    person = User.objects.get(username="lishifu")
    assert created.status_code == 302
    assert created.url == reverse("person_detail", args=[person.pk])
    page = ga_client.get(created.url)
    password = shown_password(page)
    assert password not in created.url
    assert_not_in_cookies(password, created, page)
    assert "no-store" in page["Cache-Control"]
    # Once: the next visit no longer shows it.
    again = ga_client.get(created.url)
    assert password not in again.content.decode()
    assert not GENERATED.search(again.content.decode())
    # It is the real one.
    assert client.login(username="lishifu", password=password)


@pytest.mark.django_db
def test_a_reset_password_never_rides_in_a_cookie_and_is_shown_once(ga_client, client, school):
    person = factories.user_with_role(Role.STAFF, school=school)
    reset = ga_client.post(f"/setup/people/{person.pk}/reset-password/")
    assert reset.status_code == 302
    page = ga_client.get(reset.url)
    password = shown_password(page)
    assert password not in reset.url
    assert_not_in_cookies(password, reset, page)
    assert zh("Write it down or read it out now: it is shown only once.") in (page.content.decode())
    assert password not in ga_client.get(reset.url).content.decode()
    assert client.login(username=person.username, password=password)


@pytest.mark.django_db
def test_a_password_chosen_by_general_affairs_is_not_shown_back(ga_client):
    response = ga_client.post(
        "/setup/people/new/",
        {
            "username": "wanglaoshi",
            "name": "王老师",
            "roles": [Role.STAFF],
            "password": "Qiuzhen-lou-2026",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Qiuzhen-lou-2026" not in response.content.decode()


# --- 2. Re-authentication is throttled ---------------------------------------------------------

CHANGE = "/accounts/password/"


def change(client, old, new="Qiuzhen-lou-2026"):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.fixture
def teacher(make_user, school):
    return make_user(Role.STAFF, school, username="teacher")


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.mark.django_db
def test_wrong_old_passwords_pause_the_password_change(teacher_client, teacher, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        response = change(teacher_client, "wrong-password")
        assert response.status_code == 200
        assert "old_password" in response.context["form"].errors
    # The sixth, even with the right password, is refused without being checked.
    response = change(teacher_client, PASSWORD)
    assert response.status_code == 429
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD), "the password was not changed"
    body = response.content.decode()
    until = timezone.localtime(timezone.now() + datetime.timedelta(minutes=15))
    assert (
        until.strftime("%H:%M") in body
        or (until - datetime.timedelta(minutes=1)).strftime("%H:%M") in body
    ), "the page says until when"
    assert "密码" in body and "次数过多" in body
    assert 14 * 60 <= int(response["Retry-After"]) <= 15 * 60
    # The form page says so too while it lasts.
    assert "次数过多" in teacher_client.get(CHANGE).content.decode()


@pytest.mark.django_db
def test_the_pause_ends_after_the_cool_off(teacher_client, teacher, travel):
    for _ in range(5):
        change(teacher_client, "wrong-password")
    travel(minutes=14)
    assert change(teacher_client, PASSWORD).status_code == 429
    travel(minutes=2)
    response = change(teacher_client, PASSWORD)
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("Qiuzhen-lou-2026")


@pytest.mark.django_db
def test_the_pause_is_per_person_and_a_right_answer_resets_the_count(
    client, teacher, make_user, school
):
    colleague = make_user(Role.STAFF, school, username="colleague")
    client.force_login(teacher)
    for _ in range(4):
        change(client, "wrong-password")
    # A right old password with a refused new one still counts as a right answer.
    response = change(client, PASSWORD, new="1")
    assert response.status_code == 200 and "old_password" not in response.context["form"].errors
    for _ in range(4):
        assert change(client, "wrong-password").status_code == 200
    client.force_login(colleague)
    for _ in range(5):
        change(client, "wrong-password")
    assert change(client, PASSWORD).status_code == 429
    client.force_login(teacher)
    assert change(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_paused_person_can_still_sign_in(client, teacher):
    client.force_login(teacher)
    for _ in range(5):
        change(client, "wrong-password")
    client.logout()
    assert client.login(username="teacher", password=PASSWORD)


@pytest.mark.django_db
def test_the_admin_password_change_is_throttled_too(client, school):
    admin = factories.UserFactory(is_superuser=True, is_staff=True, username="root")
    client.force_login(admin)
    url = "/admin/password_change/"
    new = {"new_password1": "Xq-9-long", "new_password2": "Xq-9-long"}
    for _ in range(5):
        response = client.post(url, {"old_password": "nope", **new})
        assert response.status_code == 200
    response = client.post(url, {"old_password": PASSWORD, **new})
    # The admin's own page shows the refusal in its form.
    assert "次数过多" in response.content.decode()
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)


# --- 3. Who may act on whose account -----------------------------------------------------------

GA = Role.GENERAL_AFFAIRS
PRINCIPAL = Role.PRINCIPAL


def _target(kind, school, other_school, actor):
    if kind == "self":
        return actor
    if kind == "other_school":
        return factories.user_with_role(Role.STAFF, school=other_school)
    if kind == "superuser":
        return factories.UserFactory(school=school, is_superuser=True, is_staff=True)
    if kind == "admin_staff":
        return factories.UserFactory(school=school, is_staff=True)
    if kind == "ga_principal":
        user = factories.user_with_role(GA, school=school)
        user.groups.add(Group.objects.get(name=PRINCIPAL))
        return user
    return factories.user_with_role(Role(kind), school=school)


TARGETS = [
    "staff",
    "technician",
    "safety_officer",
    "canteen_manager",
    "general_affairs",
    "principal",
    "ga_principal",
    "superuser",
    "admin_staff",
    "self",
    "other_school",
]
# Who general affairs may act on: accounts whose every role it could give.
GA_MAY = {"staff", "technician", "safety_officer", "canteen_manager", "general_affairs"}


def _actor(kind, school):
    if kind == "superuser":
        return factories.UserFactory(school=school, is_superuser=True, is_staff=True)
    return factories.user_with_role(Role(kind), school=school)


def expected(actor_kind, target_kind):
    if target_kind == "other_school" and actor_kind in ("general_affairs", "superuser"):
        return 404
    if actor_kind == "superuser":
        return 403 if target_kind == "self" else 302
    if actor_kind == "general_affairs":
        return 302 if target_kind in GA_MAY else 403
    return 403  # no right to change accounts at all


ACTORS = ["general_affairs", "superuser", "principal", "staff"]


@pytest.mark.django_db
@pytest.mark.parametrize("target_kind", TARGETS)
@pytest.mark.parametrize("actor_kind", ACTORS)
def test_reset_password_matrix(client, school, other_school, actor_kind, target_kind):
    actor = _actor(actor_kind, school)
    target = _target(target_kind, school, other_school, actor)
    client.force_login(actor)
    response = client.post(reverse("person_reset_password", args=[target.pk]))
    assert response.status_code == expected(actor_kind, target_kind)
    target.refresh_from_db()
    changed = not target.check_password(PASSWORD)
    assert changed == (response.status_code == 302)
    resets = StatusChange.objects.filter(object_id=target.pk, field="password")
    assert resets.count() == (1 if changed else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("target_kind", TARGETS)
@pytest.mark.parametrize("actor_kind", ACTORS)
def test_disable_matrix(client, school, other_school, actor_kind, target_kind):
    actor = _actor(actor_kind, school)
    target = _target(target_kind, school, other_school, actor)
    client.force_login(actor)
    response = client.post(reverse("person_set_active", args=[target.pk]), {"active": "0"})
    assert response.status_code == expected(actor_kind, target_kind)
    target.refresh_from_db()
    assert target.is_active == (response.status_code != 302)


@pytest.mark.django_db
@pytest.mark.parametrize("target_kind", TARGETS)
@pytest.mark.parametrize("actor_kind", ACTORS)
def test_edit_matrix(client, school, other_school, actor_kind, target_kind):
    """Editing a person (roles kept as they are): the same rule, except that one's own
    name and phone may be edited."""
    actor = _actor(actor_kind, school)
    target = _target(target_kind, school, other_school, actor)
    client.force_login(actor)
    want = expected(actor_kind, target_kind)
    if target_kind == "self" and actor_kind in ("general_affairs", "superuser"):
        want = 302
    page = client.get(reverse("person_edit", args=[target.pk]))
    assert page.status_code == (200 if want == 302 else want)
    data = {
        "name": "改过的名字",
        "phone": "",
        "email": "",
        "roles": sorted(target.role_names) or [Role.STAFF],
    }
    response = client.post(reverse("person_edit", args=[target.pk]), data)
    assert response.status_code == want
    target.refresh_from_db()
    assert (target.name == "改过的名字") == (want == 302)


@pytest.mark.django_db
@pytest.mark.parametrize("target_kind", TARGETS)
def test_the_person_page_shows_only_the_buttons_the_service_accepts(
    client, school, other_school, target_kind
):
    actor = _actor("general_affairs", school)
    target = _target(target_kind, school, other_school, actor)
    client.force_login(actor)
    page = client.get(reverse("person_detail", args=[target.pk]))
    if target_kind == "other_school":
        assert page.status_code == 404
        return
    body = page.content.decode()
    may = target_kind in GA_MAY
    assert (reverse("person_reset_password", args=[target.pk]) in body) == may
    assert (reverse("person_set_active", args=[target.pk]) in body) == may
    assert (reverse("person_edit", args=[target.pk]) in body) == (may or target_kind == "self")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [PRINCIPAL, Role.DISTRICT_VIEWER])
def test_general_affairs_cannot_give_a_role_above_its_own(ga_client, school, role):
    response = ga_client.post(
        "/setup/people/new/", {"username": "boss", "name": "新校长", "roles": [role]}
    )
    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(username="boss").exists()
    staff = factories.user_with_role(Role.STAFF, school=school)
    response = ga_client.post(
        f"/setup/people/{staff.pk}/edit/", {"name": "x", "roles": [Role.STAFF, role]}
    )
    assert response.status_code == 200 and "roles" in response.context["form"].errors
    assert staff.role_names == {"staff"}


@pytest.mark.django_db
def test_general_affairs_cannot_raise_itself(ga_client, general_affairs):
    response = ga_client.post(
        f"/setup/people/{general_affairs.pk}/edit/",
        {"name": "x", "roles": [GA, PRINCIPAL]},
    )
    assert response.status_code == 200 and "roles" in response.context["form"].errors
    general_affairs.refresh_from_db()
    assert not general_affairs.has_role(PRINCIPAL)


@pytest.mark.django_db
def test_the_role_choices_offered_are_those_one_may_give(ga_client, general_affairs):
    form = ga_client.get("/setup/people/new/").context["form"]
    offered = {value for value, _label in form.fields["roles"].choices}
    assert PRINCIPAL not in offered and GA in offered and Role.TECHNICIAN in offered


@pytest.mark.django_db
def test_an_import_cannot_give_or_change_what_is_above(
    ga_client, school, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import Workbook

    from logistics.models import ImportJob

    principal = factories.user_with_role(PRINCIPAL, school=school, username="xz")

    def xlsx(rows):
        book = Workbook()
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        out.seek(0)
        out.name = "people.xlsx"
        return out

    upload = xlsx([["用户名", "姓名", "角色"], ["boss", "甲", "校长"], ["xz", "乙", "教职工"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = ga_client.post(
            "/setup/people/import/", {"file": upload, "password": "Qiuzhen-2026!"}
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert [error["row"] for error in job.row_errors] == [2, 3]
    assert not User.objects.filter(username="boss").exists()
    principal.refresh_from_db()
    assert principal.role_names == {"principal"}


@pytest.mark.django_db
def test_the_services_refuse_without_a_view(school, general_affairs):
    principal = factories.user_with_role(PRINCIPAL, school=school)
    for call in (
        lambda: people.person_reset_password(user=principal, actor=general_affairs),
        lambda: people.person_set_active(user=principal, active=False, actor=general_affairs),
        lambda: people.person_update(
            user=principal, roles=[PRINCIPAL], actor=general_affairs, name="x"
        ),
        lambda: people.person_reset_password(user=general_affairs, actor=general_affairs),
    ):
        with pytest.raises(ValidationError):
            call()
    principal.refresh_from_db()
    assert principal.is_active and principal.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_reset_is_recorded_and_shown_on_the_person_s_page(ga_client, school, general_affairs):
    person = factories.user_with_role(Role.STAFF, school=school)
    ga_client.post(f"/setup/people/{person.pk}/reset-password/")
    record = StatusChange.objects.get(object_id=person.pk, field="password")
    assert record.actor == general_affairs and record.school == school
    assert record.at <= timezone.now()
    ga_client.get(f"/setup/people/{person.pk}/")  # the once-shown password is gone
    body = ga_client.get(f"/setup/people/{person.pk}/").content.decode()
    assert zh("Temporary password given") in body
    assert general_affairs.display_name in body


@pytest.mark.django_db
def test_a_change_of_roles_is_recorded(ga_client, school, general_affairs):
    person = factories.user_with_role(Role.STAFF, school=school)
    ga_client.post(
        f"/setup/people/{person.pk}/edit/",
        {"name": "x", "roles": [Role.STAFF, Role.SAFETY_OFFICER]},
    )
    record = StatusChange.objects.get(object_id=person.pk, field="roles")
    assert record.actor == general_affairs
    with translation.override("zh-hans"):
        body = ga_client.get(f"/setup/people/{person.pk}/").content.decode()
    assert zh("Roles changed") in body


# --- 4. No signed-in response is kept by a cache ------------------------------------------------


def _matrix_pages():
    """The pages the role × page matrix declares, by URL name (their kwargs builders
    and allowed roles give real objects and a real 200)."""
    from tests.matrix import all_pages

    pages = {}
    for page in all_pages():
        if page.method == "get":
            pages.setdefault(page.url_name, page)
    return pages


def _dummy_kwargs(pattern):
    values = {}
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__
        values[name] = {"IntConverter": 999999, "PathConverter": "x/y.jpg"}.get(kind, "x")
    return values


def close(response):
    """Close a streamed file without ending the test's database connection (as the test
    client does around a request)."""
    if response.streaming:
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)


def assert_private(response, label):
    control = response.get("Cache-Control", "")
    assert "no-store" in control and "private" in control, (label, response.status_code, control)
    close(response)


@pytest.mark.django_db
def test_every_signed_in_url_says_private_no_store(client, school, make_user):
    pages = _matrix_pages()
    general_affairs = make_user(GA, school)
    seen, ok = [], 0
    for name, pattern in named_patterns():
        if name.startswith("admin:"):
            continue  # Django's own; checked below with a superuser
        page = pages.get(name)
        if page is not None:
            # A school of its own: the page's objects, seen by a role allowed on it.
            own = factories.SchoolFactory(district=school.district)
            role = GA if GA in page.allowed else sorted(page.allowed)[0]
            user = make_user(role, own)
            client.force_login(user)
            url = page.url(own, user)
        else:
            client.force_login(general_affairs)
            url = reverse(name, kwargs=_dummy_kwargs(pattern) or None)
        response = client.get(url)
        assert_private(response, name)
        seen.append(name)
        ok += response.status_code == 200
        # The htmx fragment of the same address, too.
        assert_private(client.get(url, headers={"HX-Request": "true"}), name + " (htmx)")
    assert len(seen) > 90 and ok > 60, (len(seen), ok)
    assert {"person_detail", "ticket_export", "notification_badge", "protected_media"} <= set(seen)


@pytest.mark.django_db
def test_admin_pages_say_private_no_store(client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    for url in ("/admin/", "/admin/logistics/user/", f"/admin/logistics/user/{admin.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_private(response, url)


@pytest.mark.django_db
def test_a_private_file_and_an_export_say_no_store(client, make_user, school, monkeypatch):
    from PIL import Image

    monkeypatch.setitem(registry.media, "security-test", lambda user, name: True)
    out = __import__("io").BytesIO()
    Image.new("RGB", (20, 20), (10, 20, 30)).save(out, "JPEG")
    out.seek(0)
    stored = image_store(image_clean(out), prefix="security-test")
    client.force_login(make_user(GA, school))
    assert_private(client.get(reverse("person_export")), "export")
    assert_private(client.get(f"/media/{stored.name}"), "media")


@pytest.mark.django_db
def test_static_files_keep_their_cache_for_signed_in_people(client, make_user, school):
    client.force_login(make_user(GA, school))
    response = client.get(django_settings.STATIC_URL.rstrip("/") + "/img/favicon.svg")
    if response.status_code == 404:  # served from STATIC_ROOT only after collectstatic
        response = client.get("/" + django_settings.STATIC_URL.strip("/") + "/img/favicon.svg")
    assert response.status_code == 200
    control = response.get("Cache-Control", "")
    assert "no-store" not in control and "max-age" in control
    close(response)
