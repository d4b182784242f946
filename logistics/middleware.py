import datetime
import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect


class PasswordChangeRequiredMiddleware:
    """Send people with a temporary password to the password change page first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("logout"), reverse("set_language")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/admin/")):
                return redirect("password_change")
        return self.get_response(request)


class PrivateResponseMiddleware:
    """Every answer to a signed-in person (pages, htmx fragments, exports, private files,
    redirects, errors) says ``Cache-Control: private, no-store`` (with ``no-cache``,
    ``must-revalidate``, ``max-age=0`` and an ``Expires`` in the past for old caches): no
    shared proxy keeps it, and on a shared school computer the browser's back button
    after signing out does not show the last person's data.

    Static files never get here (whitenoise answers them before the session is read) and
    keep their long cache; pages for visitors who are not signed in are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


# --- Session end -------------------------------------------------------------------------

# Session keys: when the user signed in, and when we last saw them active (epoch seconds).
SIGNED_IN_KEY = "_houqin_signed_in"
SEEN_KEY = "_houqin_seen"
# The last-seen time is written at most this often, so a page view costs no session write
# (the idle limit is then exact to within this many seconds).
SEEN_RESOLUTION = 60


def session_passive(view):
    """Mark a view whose requests are not the user's activity (a poll every minute would
    otherwise keep an unattended screen signed in)."""
    view.session_passive = True
    return view


def session_started(sender, request, user, **kwargs):
    """At sign-in (``user_logged_in``): start both clocks and fix the absolute end."""
    now = int(timezone.now().timestamp())
    request.session[SIGNED_IN_KEY] = now
    request.session[SEEN_KEY] = now
    if not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        # A date, not a number of seconds: the end no longer moves with each session save.
        request.session.set_expiry(
            timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        )


class SessionTimeoutMiddleware:
    """Sign out after ``SESSION_IDLE_TIMEOUT`` seconds without activity and, whatever the
    activity, ``SESSION_COOKIE_AGE`` seconds after signing in.

    An htmx request that finds itself signed out gets the whole page sent to the login
    page (``HX-Redirect``), instead of the login form swapped into a fragment.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.expire(request)
        if response is None:
            response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            return HttpResponseClientRedirect(redirect_to_login(self.page_path(request)).url)
        return response

    @staticmethod
    def page_path(request):
        """The page the user is on (for htmx: the page, not the fragment's URL)."""
        current = request.headers.get("HX-Current-URL")
        if current:
            parts = urlsplit(current)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return request.get_full_path()

    def expire(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        now = int(timezone.now().timestamp())
        session = request.session
        signed_in = session.setdefault(SIGNED_IN_KEY, now)
        seen = session.get(SEEN_KEY, now)
        idle = settings.SESSION_IDLE_TIMEOUT
        if now - signed_in >= settings.SESSION_COOKIE_AGE:
            message = _("Your session has ended. Please sign in again.")
        elif idle and now - seen >= idle:
            minutes = max(1, idle // 60)
            message = ngettext(
                "You were signed out after %(minutes)s minute without activity.",
                "You were signed out after %(minutes)s minutes without activity.",
                minutes,
            ) % {"minutes": minutes}
        else:
            return None
        logout(request)
        messages.info(request, message)
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(redirect_to_login(self.page_path(request)).url)
        return None  # the view now sees an anonymous visitor (login_required → login page)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if getattr(view_func, "session_passive", False):
            return None
        now = int(timezone.now().timestamp())
        if now - request.session.get(SEEN_KEY, 0) >= SEEN_RESOLUTION:
            request.session[SEEN_KEY] = now
        return None


# --- Client address ------------------------------------------------------------------------


def client_ip(request):
    """The client's address for sign-in throttling (``AXES_CLIENT_IP_CALLABLE``).

    ``REMOTE_ADDR``, unless ``TRUSTED_PROXY_COUNT`` reverse proxies stand in front, each
    appending the address it saw to ``X-Forwarded-For``: then the entry that many places
    from the right, the one our own first proxy wrote (entries further left are whatever
    the client sent, and cannot be trusted).
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


# --- Interface language --------------------------------------------------------------------


def chosen_language(request):
    """The language a person chose with the language switch (``set_language`` keeps it
    in the language cookie), if it is one of ``LANGUAGES``; else None."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


class SchoolLanguageMiddleware:
    """The interface language: the person's own choice (the language switch of the user
    menu), else the school's language, ``LANGUAGE_CODE`` (简体中文) — never the
    browser's Accept-Language, so a teacher whose phone or PC is set to English still
    meets the portal in Chinese until they choose English themselves. In place of
    Django's ``LocaleMiddleware`` (the portal has no language prefixes in its URLs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The page depends on the cookie, not on the browser's languages.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
