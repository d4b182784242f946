"""Browser tests: Debian's chromium, driven by pytest-playwright, against the live server.

Facts from /work/shared/STACK.md: use /usr/bin/chromium (never ``playwright install``),
launch it with the flags below, and allow Django's ORM to be called from the test thread
while Playwright's sync API keeps an event loop in it (``DJANGO_ALLOW_ASYNC_UNSAFE``).

Tests here are transactional (the live server runs in another thread) and use
``serialized_rollback=True``, so the role groups made by the data migration are put back
before each test after the flush of the one before.

Without chromium the tests are skipped, unless HOUQIN_REQUIRE_SERVICES=1 (CI), where they
fail instead.
"""

import os
import re
from io import StringIO
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

# Playwright's sync API leaves an asyncio loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told otherwise. Set before any test runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("HOUQIN_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("HOUQIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A phone: 390x844 CSS pixels (iPhone 12-15 class), touch, Chinese browser.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "screen": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
    ),
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
# Bootstrap then skips its fade and slide transitions (the offcanvas menu, the dropdowns).
COMMON = {"reduced_motion": "reduce"}
CJK = re.compile(r"[\u4e00-\u9fff]")

# Reports every Content-Security-Policy violation of a page to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  if (window.__houqinCspViolation) {
    window.__houqinCspViolation({
      page: document.location.href,
      directive: e.violatedDirective,
      blocked: e.blockedURI,
      source: e.sourceFile,
      line: e.lineNumber,
      sample: e.sample,
    });
  }
});
"""


def _missing(what):
    message = f"{what} is not available"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (HOUQIN_REQUIRE_SERVICES=1 makes this mandatory)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium with the flags that work on these machines."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(f"Chromium at {CHROMIUM}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """The live server. Also replaces pytest-playwright 0.10's fallback ``base_url`` (a
    fixture on a plugin instance, which pytest 9.2 deprecates: an error under
    ``filterwarnings = error``)."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def _fast_passwords(settings):
    """Seeding sixteen accounts with PBKDF2 takes seconds; the live server shares settings."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Console errors and CSP violations ------------------------------------------------------


class BrowserProblems:
    """Console errors, uncaught page errors and CSP violations of the watched contexts."""

    def __init__(self):
        self.found = []

    def watch(self, context):
        context.expose_binding("__houqinCspViolation", self._csp)
        context.add_init_script(script=CSP_LISTENER)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.found.append(f"uncaught error: {error.error}"))
        return context

    def _csp(self, source, v):
        self.found.append(
            f"CSP violation on {v['page']}: {v['directive']} blocked {v['blocked'] or 'inline'}"
            f" at {v['source']}:{v['line']} {v['sample'] or ''}".rstrip()
        )

    def _console(self, message):
        text = message.text
        url = (message.location or {}).get("url", "?")
        if urlsplit(url).path == "/favicon.ico":
            # Chromium asks every site for /favicon.ico and the portal has none (yet):
            # a cosmetic 404, reported separately; anything else fails the test.
            return
        if message.type == "error" or "Content Security Policy" in text:
            self.found.append(f"console {message.type} at {url}: {text}")

    def assert_none(self, page=None, when=""):
        """Fail if anything was reported; ``page`` lets late events arrive first."""
        if page is not None and not page.is_closed():
            # Violation events are queued as tasks: let them run and reach us.
            page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")
        found, self.found = self.found, []
        assert not found, f"browser problems {when}:\n" + "\n".join(found)


@pytest.fixture
def problems(request):
    collector = BrowserProblems()
    yield collector
    # A backstop for what came after the test's last check (not reported twice on failure).
    report = getattr(request.node, "rep_call", None)
    if collector.found and (report is None or report.passed):
        pytest.fail("browser problems after the last check:\n" + "\n".join(collector.found))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


# --- Contexts and pages -----------------------------------------------------------------------


@pytest.fixture
def make_context(new_context, problems):
    """A watched browser context on the live server: ``make_context(phone=True)``."""

    def make(phone=False, **kwargs):
        options = {**COMMON, **(PHONE if phone else DESKTOP), **kwargs}
        return problems.watch(new_context(**options))

    return make


@pytest.fixture
def phone_context(make_context):
    return make_context(phone=True)


@pytest.fixture
def phone(phone_context):
    """A page on a 390x844 touch phone with a Chinese browser."""
    return phone_context.new_page()


@pytest.fixture
def desktop(make_context):
    return make_context().new_page()


# --- Data -------------------------------------------------------------------------------------


@pytest.fixture
def demo(live_server, _fast_passwords):
    """The demo school (``seed_demo``), in the database the live server reads."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from logistics.choices import Role
    from logistics.management.commands.seed_demo import DEMO_PASSWORD
    from logistics.models import School

    groups = set(Group.objects.values_list("name", flat=True))
    missing = set(Role.values) - groups
    assert not missing, (
        f"role groups {sorted(missing)} are gone: the test needs "
        "@pytest.mark.django_db(transaction=True, serialized_rollback=True)"
    )
    call_command("seed_demo", stdout=StringIO())
    return SimpleNamespace(password=DEMO_PASSWORD, school=School.objects.get(code="wjsy"))


# --- Helpers ------------------------------------------------------------------------------------


@pytest.fixture
def zh():
    """The catalogue's Chinese for ``msgid``; fails if the catalogue has none."""
    from django.utils import translation

    def translate(msgid):
        with translation.override("zh-hans"):
            text = str(translation.gettext(msgid))
        assert CJK.search(text), (
            f"no Chinese for {msgid!r} in locale/zh_Hans (translated and compiled? "
            "`manage.py compilemessages --ignore=.venv`)"
        )
        return text

    return translate


@pytest.fixture
def sign_in(live_server):
    """Sign in through the login form; with ``home=True`` wait for the home page."""
    from playwright.sync_api import expect

    def sign_in(page, username, password, home=True):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.locator("form:has(#id_password) button[type=submit]").click()
        if home:
            expect(page).to_have_url(live_server.url + "/")
        return page

    return sign_in


@pytest.fixture
def assert_fits_viewport():
    """No horizontal scrolling: the document is no wider than the viewport."""

    def check(page):
        # clientWidth, not innerWidth: a mobile browser zooms out to show wide content,
        # which makes innerWidth grow with the overflow.
        sizes = page.evaluate(
            "() => ({document: document.documentElement.scrollWidth,"
            " body: document.body.scrollWidth, viewport: document.documentElement.clientWidth})"
        )
        assert max(sizes["document"], sizes["body"]) <= sizes["viewport"], (
            f"{page.url} scrolls sideways: {sizes}"
        )

    return check
