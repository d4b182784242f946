"""Production hardening: sign-in throttling, session end, uploads and protected media, a
dropped database connection, the status history on workflow objects."""

import datetime
import io
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django import forms
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone, translation
from PIL import Image

from logistics.choices import Role
from logistics.common.registry import registry
from logistics.common.uploads import (
    CleanImage,
    ImageUploadField,
    image_clean,
    image_store,
    media_name_is_safe,
)
from logistics.middleware import client_ip
from tests import factories
from tests.factories import PASSWORD
from tests.language import zh

LOGIN = "/accounts/login/"
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_csp_clean(response):
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    body = response.content.decode()
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body):
        assert "nonce=" in tag, tag
    assert not re.search(r"\son(click|load|submit|change)=", body)
    assert not re.search(r"<[^>]+\sstyle=\"", body)


# --- 1. Sign-in throttling ----------------------------------------------------------------


def sign_in(client, username, password, address="10.1.1.1", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def fail(client, username, times, address="10.1.1.1"):
    return [sign_in(client, username, "wrong-password", address) for _ in range(times)]


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def teacher(make_user, school):
    return make_user(Role.STAFF, school, username="teacher")


@pytest.mark.django_db
def test_five_wrong_passwords_pause_the_user_name_at_that_address(client, teacher, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    responses = fail(client, "teacher", 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert all(r.context["form"].errors for r in responses[:4])
    assert responses[4].status_code == 429

    # The sixth attempt, even with the right password, is refused with the page.
    response = sign_in(client, "teacher", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert zh("Sign-in paused") in body
    attempt = AccessAttempt.objects.get(username="teacher")
    until = timezone.localtime(attempt.attempt_time + datetime.timedelta(minutes=15))
    assert until.strftime("%H:%M") in body, "the page says until when"
    assert "15 分钟" in body or "14 分钟" in body
    assert 14 * 60 <= int(response["Retry-After"]) <= 15 * 60
    assert 'lang="zh-hans"' in body and "navbar" in body, "the portal's layout"


@pytest.mark.django_db
def test_the_pause_is_keyed_on_user_name_and_address_together(client, make_user, school, teacher):
    make_user(Role.STAFF, school, username="colleague")
    fail(client, "teacher", 5, address="10.1.1.1")
    assert sign_in(client, "teacher", PASSWORD, "10.1.1.1").status_code == 429

    # A colleague behind the same school address still gets in...
    response = sign_in(client, "colleague", PASSWORD, "10.1.1.1")
    assert response.status_code == 302 and signed_in(client)
    client.logout()
    # ...and so does the teacher from another address (home, a phone).
    response = sign_in(client, "teacher", PASSWORD, "10.2.2.2")
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_after_the_cool_off_the_user_gets_in(client, teacher):
    fail(client, "teacher", 5)
    assert sign_in(client, "teacher", PASSWORD).status_code == 429
    # Fourteen minutes later: still paused.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=14))
    assert sign_in(client, "teacher", PASSWORD).status_code == 429
    # Past fifteen minutes: in, and the count starts again.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=2))
    response = sign_in(client, "teacher", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    assert not AccessAttempt.objects.filter(username="teacher").exists()


@pytest.mark.django_db
def test_attempts_during_the_pause_do_not_extend_it(client, teacher):
    fail(client, "teacher", 5)
    before = AccessAttempt.objects.get(username="teacher")
    fail(client, "teacher", 3)
    sign_in(client, "teacher", PASSWORD)
    after = AccessAttempt.objects.get(username="teacher")
    assert after.attempt_time == before.attempt_time
    assert after.failures_since_start == 5


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_count(client, teacher):
    fail(client, "teacher", 4)
    assert sign_in(client, "teacher", PASSWORD).status_code == 302
    client.logout()
    responses = fail(client, "teacher", 4)
    assert [r.status_code for r in responses] == [200] * 4


@pytest.mark.django_db
def test_the_admin_sign_in_is_throttled_too(client, teacher):
    fail(client, "teacher", 5)
    response = client.post(
        "/admin/login/", {"username": "teacher", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_login_and_paused_pages_are_csp_clean(client, teacher):
    assert_csp_clean(client.get(LOGIN))
    responses = fail(client, "teacher", 5)
    assert_csp_clean(responses[-1])
    client.cookies["django_language"] = "en"  # the language switch's choice
    english = sign_in(client, "teacher", PASSWORD)
    assert "Sign-in paused" in english.content.decode()
    assert_csp_clean(english)


def test_client_address_trusts_x_forwarded_for_only_behind_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.18.0.5", "no proxy configured: the header is ignored"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7", "what our nginx saw, not the spoofed entry"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "172.18.0.5", "fewer entries than proxies: not trusted"
    settings.TRUSTED_PROXY_COUNT = 1
    bad = rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(bad) == "172.18.0.5"


@pytest.mark.django_db
def test_behind_a_proxy_each_client_address_is_counted_apart(client, teacher, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "172.18.0.5"
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "teacher", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    response = client.post(
        LOGIN,
        {"username": "teacher", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "198.51.100.1"


# --- 2. Session end -------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, teacher):
    assert sign_in(client, "teacher", PASSWORD).status_code == 302
    return client


@pytest.mark.django_db
def test_the_session_ends_after_two_idle_hours(staff_client, travel, settings):
    assert settings.SESSION_IDLE_TIMEOUT == 2 * 3600
    assert staff_client.get("/").status_code == 200
    travel(hours=1, minutes=59)
    assert staff_client.get("/").status_code == 200
    travel(hours=1, minutes=59)
    assert staff_client.get("/").status_code == 200, "activity restarted the idle clock"
    travel(hours=2, seconds=1)
    response = staff_client.get("/setup/rooms/?page=2")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/setup/rooms/%3Fpage%3D2"
    assert not signed_in(staff_client)
    page = staff_client.get(response.url)
    with translation.override("zh-hans"):
        message = translation.ngettext(
            "You were signed out after %(minutes)s minute without activity.",
            "You were signed out after %(minutes)s minutes without activity.",
            120,
        ) % {"minutes": 120}
    assert CJK.search(message)
    assert message in page.content.decode()


@pytest.mark.django_db
def test_activity_keeps_the_session_only_until_twelve_hours_after_sign_in(
    staff_client, travel, settings
):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    signed_in_until = staff_client.session.get_expiry_date()
    for _ in range(7):  # a request every 100 minutes: never idle, 11 h 40 min in all
        travel(minutes=100)
        assert staff_client.get("/").status_code == 200
    assert staff_client.session.get_expiry_date() == signed_in_until, "the end never moves"
    travel(minutes=21)
    response = staff_client.get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.django_db
def test_the_absolute_end_holds_without_an_expiry_date_too(staff_client, travel, settings):
    """With SESSION_EXPIRE_AT_BROWSER_CLOSE (no expiry date) the middleware ends it."""
    settings.SESSION_IDLE_TIMEOUT = 0  # no idle limit: only the absolute end
    session = staff_client.session
    session.set_expiry(30 * 24 * 3600)
    session.save()
    travel(hours=11)
    assert staff_client.get("/").status_code == 200
    travel(hours=1)
    response = staff_client.get("/")
    assert response.status_code == 302 and not signed_in(staff_client)


@pytest.mark.django_db
def test_the_expiry_is_fixed_at_sign_in(client, teacher, settings):
    before = timezone.now()
    response = sign_in(client, "teacher", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert 12 * 3600 - 5 <= int(cookie["max-age"]) <= 12 * 3600
    end = client.session.get_expiry_date()
    assert datetime.timedelta(hours=12) <= end - before <= datetime.timedelta(hours=12, seconds=5)


@pytest.mark.django_db
def test_the_unread_badge_poll_is_not_activity(staff_client, travel):
    htmx = {"HX-Request": "true", "HX-Current-URL": "http://testserver/notifications/?unread=1"}
    travel(hours=1)
    assert staff_client.get("/notifications/badge/", headers=htmx).status_code == 200
    travel(hours=1, seconds=1)  # two hours after the last page the user opened
    response = staff_client.get("/notifications/badge/", headers=htmx)
    # The whole page goes to the login form (not the form inside the badge).
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?next=/notifications/%3Funread%3D1"
    assert not signed_in(staff_client)


@pytest.mark.django_db
def test_an_htmx_request_after_the_end_sends_the_page_to_login(client, teacher):
    response = client.get(
        "/notifications/badge/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/setup/rooms/"},
    )
    assert response["HX-Redirect"] == f"{LOGIN}?next=/setup/rooms/"


@pytest.mark.django_db
def test_page_views_within_a_minute_write_no_session(staff_client, travel):
    staff_client.get("/")
    travel(seconds=30)
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get("/").status_code == 200
    writes = [
        q["sql"] for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]
    ]
    assert not writes
    travel(seconds=31)
    with CaptureQueriesContext(connection) as queries:
        staff_client.get("/")
    assert any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in queries)


# --- 3. Uploads -----------------------------------------------------------------------------


def picture(fmt="JPEG", size=(60, 40), color=(200, 30, 30), mode="RGB", **save):
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def upload(content, name="IMG_0001.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def error_code(exc_info):
    return exc_info.value.code


def test_a_phone_photo_is_stored_upright_without_metadata_under_a_new_name(media_root):
    # Left half red, right half blue, stored sideways: EXIF orientation 6 (turn right).
    image = Image.new("RGB", (80, 40), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (31.0, 46.0, 0.0), 4: (119.0, 57.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)

    stored = image_store(upload(out.getvalue(), name="../../杂物/evil.php.jpg"), prefix="repairs")

    assert re.fullmatch(r"repairs/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.jpg", stored.name), stored.name
    path = media_root / stored.name
    assert path.is_file() and path.stat().st_size == stored.size
    with Image.open(path) as saved:
        assert saved.format == "JPEG"
        assert saved.size == (40, 80) == (stored.width, stored.height), "upright"
        top, bottom = saved.getpixel((20, 5)), saved.getpixel((20, 75))
        assert top[0] > 200 and top[2] < 60, top  # red on top after turning right
        assert bottom[2] > 200 and bottom[0] < 60, bottom
        assert not saved.getexif(), "no EXIF (no GPS, no camera)"
        assert "exif" not in saved.info and "xmp" not in saved.info
    assert stored.content_type == "image/jpeg"
    assert stored.url == f"/media/{stored.name}"


def test_a_large_photo_is_scaled_down(media_root, settings):
    settings.UPLOAD_IMAGE_MAX_SIDE = 500
    clean = image_clean(upload(picture(size=(1600, 900))))
    assert (clean.width, clean.height) == (500, 281)
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.size == (500, 281)


def test_transparency_keeps_png_and_everything_else_becomes_jpeg():
    transparent = image_clean(upload(picture("PNG", mode="RGBA", color=(0, 0, 0, 0)), name="a.png"))
    assert transparent.format == "PNG" and transparent.content_type == "image/png"
    opaque_png = image_clean(upload(picture("PNG", mode="RGBA", color=(9, 9, 9, 255))))
    assert opaque_png.format == "JPEG"
    for fmt in ("WEBP", "GIF", "BMP"):
        assert image_clean(upload(picture(fmt))).format == "JPEG", fmt
    cmyk = image_clean(upload(picture("JPEG", mode="CMYK", color=(0, 255, 255, 0))))
    assert cmyk.format == "JPEG"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "not_an_image"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not_an_image",
        ),
        (b"<html><body>hi</body></html>", "not_an_image"),
        (b"", "empty"),
    ],
    ids=["pdf", "svg", "html", "empty"],
)
def test_what_is_not_a_picture_is_refused_whatever_its_name(content, code):
    with pytest.raises(ValidationError) as exc_info:
        image_clean(upload(content, name="photo.jpg", content_type="image/jpeg"))
    assert error_code(exc_info) == code


def test_an_eps_file_is_not_handed_to_ghostscript():
    with pytest.raises(ValidationError) as exc_info:
        image_clean(upload(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "a.jpg"))
    assert error_code(exc_info) == "not_an_image"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_picture_is_refused(fmt):
    content = picture(fmt, size=(400, 300), color=(10, 200, 10))
    # Noise, so that the encoded data is long enough to cut in the middle.
    noisy = Image.effect_noise((400, 300), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, fmt)
    content = out.getvalue()
    with pytest.raises(ValidationError) as exc_info:
        image_clean(upload(content[: len(content) // 2]))
    assert error_code(exc_info) == "damaged"


def test_a_file_over_the_size_limit_is_refused_before_decoding(settings):
    settings.UPLOAD_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc_info:
        image_clean(upload(b"\xff\xd8" + b"\0" * 2000))
    assert error_code(exc_info) == "too_large"
    with translation.override("zh-hans"):
        assert CJK.search(exc_info.value.messages[0])


def test_a_picture_over_the_pixel_limit_is_refused(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 10_000
    with pytest.raises(ValidationError) as exc_info:
        image_clean(upload(picture(size=(200, 100))))
    assert error_code(exc_info) == "too_many_pixels"
    with translation.override("zh-hans"):
        message = exc_info.value.messages[0]
    assert "0.01" in message and CJK.search(message)


def png_bomb(width, height):
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_without_decoding_it():
    assert Image.MAX_IMAGE_PIXELS == django_settings.UPLOAD_IMAGE_MAX_PIXELS == 40_000_000
    for width, height in ((7000, 7000), (100_000, 100_000)):  # 49 and 10,000 megapixels
        with pytest.raises(ValidationError) as exc_info:
            image_clean(upload(png_bomb(width, height), name="bomb.png"))
        assert error_code(exc_info) == "too_many_pixels"


class PhotoForm(forms.Form):
    photo = ImageUploadField(required=False)


def test_the_form_field_gives_a_clean_picture_or_a_chinese_error():
    form = PhotoForm(files={"photo": upload(picture())})
    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["photo"], CleanImage)
    assert 'accept="image/*"' in str(form["photo"])
    assert PhotoForm(files={}).is_valid()

    with translation.override("zh-hans"):
        form = PhotoForm(files={"photo": upload(b"GIF89a-not-really", name="x.gif")})
        assert not form.is_valid()
        assert CJK.search(form.errors["photo"][0])


def test_a_media_prefix_must_be_a_plain_folder(media_root):
    clean = image_clean(upload(picture()))
    for prefix in ("../x", "/abs", "a//b", "A B", ""):
        with pytest.raises(ValueError):
            image_store(clean, prefix=prefix)


# --- 3b. Protected media --------------------------------------------------------------------

PREFIX = "hardening-test"


@pytest.fixture
def readable(monkeypatch, school):
    """A resolver for the test prefix: a file is readable by the people of ``school``."""

    def resolver(user, name):
        return user.school_id == school.pk

    monkeypatch.setitem(registry.media, PREFIX, resolver)


@pytest.fixture
def stored(media_root, readable):
    return image_store(image_clean(upload(picture())), prefix=PREFIX)


def read(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_file_is_served_to_whom_its_resolver_allows(client, make_user, school, stored):
    client.force_login(make_user(Role.STAFF, school))
    response = client.get(f"/media/{stored.name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert read(response) == (django_settings.MEDIA_ROOT / stored.name).read_bytes()


@pytest.mark.django_db
def test_a_file_is_a_404_for_someone_else(client, make_user, other_school, stored):
    client.force_login(make_user(Role.GENERAL_AFFAIRS, other_school))
    assert client.get(f"/media/{stored.name}").status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_goes_to_the_login_page(client, stored):
    response = client.get(f"/media/{stored.name}")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/media/{stored.name}"


@pytest.mark.django_db
def test_a_file_no_resolver_claims_is_a_404(client, make_user, school, media_root):
    stored = image_store(image_clean(upload(picture())), prefix="unclaimed")
    assert (media_root / stored.name).is_file()
    client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
    assert client.get(f"/media/{stored.name}").status_code == 404


@pytest.mark.django_db
def test_path_traversal_is_a_404(client, make_user, school, media_root, monkeypatch, tmp_path):
    # A resolver that allows anything under its prefix: only the path checks stand guard.
    monkeypatch.setitem(registry.media, PREFIX, lambda user, name: True)
    (media_root / PREFIX).mkdir()
    (media_root / PREFIX / "ok.txt").write_text("ok")
    (media_root / "secret.txt").write_text("inside media, unclaimed")
    (tmp_path / "outside.txt").write_text("outside media")
    (media_root / PREFIX / "link.txt").symlink_to(tmp_path / "outside.txt")
    client.force_login(make_user(Role.STAFF, school))

    ok = client.get(f"/media/{PREFIX}/ok.txt")
    assert ok.status_code == 200 and read(ok) == b"ok"
    for path in (
        f"/media/{PREFIX}/../secret.txt",
        f"/media/{PREFIX}/../../outside.txt",
        f"/media/{PREFIX}/%2e%2e/secret.txt",
        f"/media/{PREFIX}/%2E%2E%2Fsecret.txt",
        f"/media/{PREFIX}/%252e%252e/secret.txt",
        f"/media/{PREFIX}/..%5csecret.txt",
        f"/media/{PREFIX}/./ok.txt",
        f"/media/{PREFIX}//ok.txt",
        f"/media/{PREFIX}/.hidden",
        f"/media/{PREFIX}/link.txt",
        f"/media/{PREFIX}/ok.txt%00.jpg",
        f"/media//{tmp_path}/outside.txt",
        f"/media/{tmp_path}/outside.txt",
        "/media/%2Fetc%2Fpasswd",
        f"/media/{PREFIX}/missing.jpg",
    ):
        response = client.get(path)
        assert response.status_code == 404, path


def test_the_media_name_check():
    assert media_name_is_safe("repairs/2026/11/21/0a1b.jpg")
    for name in ("", "/etc/passwd", "a/../b", "a/./b", "a//b", "a\\..\\b", ".env", "a/%2e%2e"):
        assert not media_name_is_safe(name), name


@pytest.mark.django_db
def test_in_production_nginx_sends_the_file(client, make_user, school, stored, settings):
    settings.MEDIA_X_ACCEL_REDIRECT = "/protected-media/"
    client.force_login(make_user(Role.STAFF, school))
    response = client.get(f"/media/{stored.name}")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{stored.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == b""


def test_media_is_not_public(client, stored, settings):
    """Only the protected view answers under /media/; whitenoise serves static files only."""
    assert resolve(f"/media/{stored.name}").url_name == "protected_media"
    assert client.get(f"/static/{stored.name}").status_code == 404
    assert not hasattr(settings, "WHITENOISE_ROOT")
    from config import settings as project

    media = Path(project.MEDIA_ROOT).resolve()
    for static_dir in (project.STATIC_ROOT, *project.STATICFILES_DIRS):
        static_dir = Path(static_dir).resolve()
        assert not media.is_relative_to(static_dir) and not static_dir.is_relative_to(media)


def test_production_uses_x_accel_redirect_by_default():
    from tests.core.test_settings import PRODUCTION, manage

    code = "from django.conf import settings; print(repr(settings.MEDIA_X_ACCEL_REDIRECT))"
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "'/protected-media/'"


# --- 4. A dropped database connection -----------------------------------------------------------


def wsgi_get(path, cookie=""):
    """One request through Django's WSGI handler, as gunicorn makes it (with the
    request_started/finished signals that the test client leaves out)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    status = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    body = b"".join(response)
    response.close()
    return int(status[0].split()[0]), body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_next_request_succeeds_after_the_database_connection_was_dropped(
    client, make_user, school
):
    import psycopg

    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
    name = django_settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}"

    status, body = wsgi_get("/setup/rooms/", cookie)
    assert status == 200
    pid = connection.connection.info.backend_pid  # kept open between requests

    params = connection.get_connection_params()
    with psycopg.connect(**{**params, "autocommit": True}) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(50):
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break
            time.sleep(0.05)

    status, body = wsgi_get("/setup/rooms/", cookie)
    assert status == 200, body[:500]
    assert connection.connection.info.backend_pid != pid


# --- 5. The status history on workflow objects ------------------------------------------------


@pytest.mark.django_db
def test_making_a_semester_current_shows_in_its_history(ga_client, general_affairs, school):
    first = factories.SemesterFactory(school=school, academic_year=2025)
    second = factories.SemesterFactory(school=school, academic_year=2026)
    for semester in (first, second):
        response = ga_client.post(reverse("semester_make_current", args=[semester.pk]))
        assert response.status_code == 302

    with translation.override("zh-hans"):
        current, not_current = zh("Current"), zh("Not current")
    page = ga_client.get(reverse("semester_edit", args=[second.pk])).content.decode()
    history = page[page.index('data-testid="status-history"') :]
    assert zh("History") in history
    assert f"{not_current} → <strong>{current}</strong>" in history
    assert general_affairs.display_name in history

    page = ga_client.get(reverse("semester_edit", args=[first.pk])).content.decode()
    history = page[page.index('data-testid="status-history"') :]
    assert f"{current} → <strong>{not_current}</strong>" in history

    new = ga_client.get(reverse("semester_create")).content.decode()
    assert 'data-testid="status-history"' not in new


@pytest.mark.django_db
def test_the_history_costs_the_same_queries_for_one_change_or_many(ga_client, school):
    counts = []
    for changes in (1, 20):
        semesters = [
            factories.SemesterFactory(school=school, academic_year=2000 + changes + i)
            for i in range(2)
        ]
        for i in range(changes):
            ga_client.post(reverse("semester_make_current", args=[semesters[i % 2].pk]))
        with CaptureQueriesContext(connection) as queries:
            response = ga_client.get(reverse("semester_edit", args=[semesters[0].pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_the_history_selector_brings_actor_and_type_along(general_affairs, school):
    from logistics.selectors import status_history
    from logistics.services.organisation import semester_make_current

    semester = factories.SemesterFactory(school=school)
    other = factories.SemesterFactory(school=school, academic_year=2030)
    semester_make_current(semester=semester, actor=general_affairs)
    semester_make_current(semester=other, actor=general_affairs)
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (c.actor.display_name, c.from_label, str(c.to_label)) for c in status_history(semester)
        ]
    assert len(queries) == 1
    assert [r[0] for r in rows] == [general_affairs.display_name] * 2
    assert len(rows) == 2


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_picture_is_refused_after_weasyprint_is_imported(fmt):
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on when imported (the QR stickers
    and the summary import it): uploads must still refuse a truncated picture."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import ImageFile

    from logistics.common.uploads import image_clean
    from tests.factories import photo_bytes

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint's import leaves it
    data = photo_bytes(size=(200, 150), fmt=fmt)
    with pytest.raises(ValidationError):
        image_clean(SimpleUploadedFile(f"t.{fmt.lower()}", data[: len(data) // 2]))
