"""Safe PDF rendering (WeasyPrint) for every printable document of the portal.

``render_pdf(template_name, context)`` renders one of OUR Django templates (autoescaped)
and turns the HTML into PDF bytes. Three rules keep it safe:

1. **Nothing is fetched but our own static files and ``data:`` URIs.** WeasyPrint's
   default fetcher reads ``file://`` and any ``http(s)://`` address named in the HTML
   (``<link rel=attachment>`` even embeds the file in the PDF). ``StaticURLFetcher``
   maps ``{SITE_URL}{STATIC_URL}…`` to a file found in ``STATIC_ROOT`` or by the
   staticfiles finders (no path traversal, no network) and refuses everything else by
   raising ``URLRefused``. By default (``strict=True``) a refused address stops the
   render with ``PDFError`` (also one refused inside an SVG image, where WeasyPrint
   itself only logs it): our templates never name one, so it is a bug or an attack.
   With ``strict=False`` WeasyPrint logs the refusal and renders without the resource.
2. **A time limit per render** (``timeout`` seconds, default ``settings.PDF_RENDER_TIMEOUT``,
   the limit of a render inside a web request, kept well below gunicorn's ``--timeout``
   ``WEB_TIMEOUT`` by ``logistics.checks``; the document task passes its own, larger
   ``DOCUMENT_RENDER_TIMEOUT``). Only a PDF bounded whatever the data (the report of one
   major hazard) is rendered in a request; one that grows with the data (sticker sheets,
   monthly reports, the summary) is a printed document made by Celery
   (``logistics.documents.services.documents``).
   In the main thread of a Unix process — gunicorn sync workers, Celery prefork
   workers, management commands, tests — a ``SIGALRM`` interval timer interrupts the
   render with ``PDFTimeout``; it fires again every 0.1 s until the render stops (WeasyPrint
   swallows some exceptions while drawing SVG), raises only while the render is on the
   stack, and gives back any timer that was set before. Elsewhere (a thread: runserver,
   gthread or ASGI workers, Celery's thread pool) signals cannot be used, so the deadline
   is checked between the stages (template, parse, layout, PDF) and on every fetch: the
   render stops at the next check, which may be late, and the process's own limit is the
   backstop (Celery ``time_limit``, gunicorn ``timeout``).
   Time spent inside one C call (font subsetting) is not interrupted in either case.
3. **Chinese renders in a real CJK font**: a default stylesheet puts ``CJK_FONT_FAMILY``
   on the document (a template's own ``font-family`` still wins). Without such a font
   WeasyPrint draws empty boxes while ``pdftotext`` still finds the text.

The ``weasyprint`` logger is set to WARNING (it logs every layout step otherwise).
Templates are rendered in the active language: a Celery task wraps the call in
``translation.override(...)``.
"""

import logging
import mimetypes
import os
import posixpath
import re
import signal
import threading
import time
from urllib.parse import quote, unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from PIL import ImageFile
from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

# Importing WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process; the
# upload checks (logistics.common.uploads) need truncated pictures refused: turn it back off.
ImageFile.LOAD_TRUNCATED_IMAGES = False

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

DEFAULT_TIMEOUT = 20  # seconds; settings.PDF_RENDER_TIMEOUT overrides it
MAX_STATIC_BYTES = 10 * 1024 * 1024  # the largest static file a PDF may include
ALARM_REPEAT = 0.1  # seconds between repeated alarms once the time is up

CJK_FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Micro Hei", '
    '"Noto Sans CJK", sans-serif'
)
CJK_SERIF_FONT_FAMILY = (
    '"Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC", "Noto Sans CJK SC", '
    '"WenQuanYi Micro Hei", serif'
)
BASE_CSS = f"html {{ font-family: {CJK_FONT_FAMILY}; }}"


class PDFError(Exception):
    """The PDF could not be made (a refused address in strict mode, a time-out…)."""


class PDFTimeout(PDFError):
    """The render took longer than its time limit."""


class URLRefused(ValueError):
    """The fetcher refused an address (anything but our static files and data: URIs)."""


class _Deadline:
    """The time limit of one render; ``check()`` raises once it has passed."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False

    def check(self):
        if self.expired or time.monotonic() >= self.at:
            self.expired = True
            raise PDFTimeout(_("The PDF took longer than %(seconds)s s to make.") % self._args)

    @property
    def _args(self):
        return {"seconds": f"{self.seconds:g}"}


class _TimeLimit:
    """Context manager: interrupt ``_render_body`` with ``PDFTimeout`` after ``seconds``.

    Uses ``SIGALRM`` (``setitimer``) in the main thread when the current handler is a
    Python one (or the default), else only the cooperative ``deadline.check()``. The
    alarm raises only while ``_render_body`` is on the interrupted stack, so a late alarm
    can never land in the caller's code or in the clean-up.
    """

    def __init__(self, seconds):
        self.deadline = _Deadline(seconds)
        self._use_signal = (
            hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) is not None  # None: a handler set in C
        )

    def _on_alarm(self, signum, frame):
        while frame is not None:
            code = frame.f_code
            if code.co_name == "__del__" or code.co_filename.endswith("weakref.py"):
                # A finaliser or weakref callback run during the render: an exception
                # there is only printed and lost. The alarm repeats; raise at the next one.
                return
            if frame.f_code is _render_body.__code__:
                self.deadline.expired = True
                raise PDFTimeout(
                    _("The PDF took longer than %(seconds)s s to make.") % self.deadline._args
                )
            frame = frame.f_back

    def __enter__(self):
        if self._use_signal:
            self._previous_handler = signal.getsignal(signal.SIGALRM)
            self._started = time.monotonic()
            signal.signal(signal.SIGALRM, self._on_alarm)
            self._previous_timer = signal.setitimer(
                signal.ITIMER_REAL, max(self.deadline.seconds, 1e-6), ALARM_REPEAT
            )
        return self.deadline

    def __exit__(self, exc_type, exc, tb):
        if self._use_signal:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous_handler)
            delay, interval = self._previous_timer
            if delay or interval:
                # Give back the timer someone else had set, minus the time we took.
                left = delay - (time.monotonic() - self._started) if delay else 0
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), interval)
        if self.deadline.expired and not isinstance(exc, PDFTimeout):
            # The alarm was swallowed (or wrapped) inside WeasyPrint: still a time-out.
            raise PDFTimeout(
                _("The PDF took longer than %(seconds)s s to make.") % self.deadline._args
            ) from exc
        return False


def site_base_url() -> str:
    """The absolute address relative links in a PDF resolve against (``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + "/"


def static_base_url() -> str:
    """The absolute address of our static files as seen from a PDF."""
    return urljoin(site_base_url(), settings.STATIC_URL)


class StaticURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only our static files and ``data:`` URIs.

    ``{static_base_url()}css/x.css`` is read from ``STATIC_ROOT`` or through the
    staticfiles finders; any other address (``file:``, ``http(s):`` elsewhere, other
    schemes, ``..`` in the path) raises ``URLRefused``. Nothing goes to the network.
    """

    def __init__(self, *, strict=True, deadline=None):
        # The parent (an urllib opener) is only used for data: URIs.
        super().__init__(
            timeout=1,
            allowed_protocols=("data",),
            allow_redirects=False,
            fail_on_errors=strict,
        )
        self._deadline = deadline
        self._static_base = urlsplit(static_base_url())
        self.refused: list[str] = []  # WeasyPrint swallows some errors (inside SVG)

    def fetch(self, url, headers=None):
        if self._deadline is not None:
            self._deadline.check()
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        path = self.static_path(url)
        if path is None:
            self._refuse(url, "only static files and data: URIs")
        size = os.path.getsize(path)
        if size > MAX_STATIC_BYTES:
            self._refuse(url, f"{size} bytes is too large")
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _refuse(self, url, reason):
        self.refused.append(url)
        raise URLRefused(f"Refused to fetch {url[:200]!r}: {reason}")

    def static_path(self, url) -> str | None:
        """The file of a static-file address, or None for anything else."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        base = self._static_base
        if (parts.scheme.lower(), parts.netloc.lower()) != (
            base.scheme.lower(),
            base.netloc.lower(),
        ) or not parts.path.startswith(base.path):
            return None
        relative = unquote(parts.path[len(base.path) :])
        if not _is_safe_relative_path(relative):
            return None
        return _find_static(relative)


def _is_safe_relative_path(relative: str) -> bool:
    if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return False
    if any(ord(char) < 32 for char in relative):
        return False
    segments = relative.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        return False
    return posixpath.normpath(relative) == relative


def _inside(path: str, root: str) -> bool:
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, real_root]) == real_root


def _find_static(relative: str) -> str | None:
    """``relative`` in STATIC_ROOT (collected, hashed names), else through the finders."""
    root = settings.STATIC_ROOT
    if root:
        candidate = os.path.join(root, *relative.split("/"))
        if _inside(candidate, root) and os.path.isfile(candidate):
            return os.path.realpath(candidate)
    found = finders.find(relative)
    if found and os.path.isfile(found):
        return found
    return None


def render_pdf(template_name, context=None, *, timeout=None, strict=True, progress=None) -> bytes:
    """Render our template ``template_name`` with ``context`` into PDF bytes.

    ``timeout`` (seconds) defaults to ``settings.PDF_RENDER_TIMEOUT`` (20: in a request).
    Raises ``PDFTimeout`` when it runs out and ``PDFError`` when a refused address stops
    a strict render (see the module's documentation). ``progress(stage, pages)``, if
    given, is told when each stage begins: "layout" (pages None) and "write" (the
    number of pages laid out).
    """
    if timeout is None:
        timeout = getattr(settings, "PDF_RENDER_TIMEOUT", DEFAULT_TIMEOUT)
    template = loader.get_template(template_name)
    engine = getattr(getattr(template, "template", None), "engine", None)
    if engine is not None and not engine.autoescape:
        raise ImproperlyConfigured("PDF templates must be rendered with autoescaping on.")
    with _TimeLimit(timeout) as deadline:
        return _render_body(
            template, context or {}, deadline=deadline, strict=strict, progress=progress
        )


def _render_body(template, context, *, deadline, strict, progress=None):
    """Everything the time limit may interrupt (see ``_TimeLimit``)."""
    html = template.render(context)
    deadline.check()
    return _html_to_pdf(html, deadline=deadline, strict=strict, progress=progress)


def _html_to_pdf(html, *, deadline, strict, progress=None):
    fetcher = StaticURLFetcher(strict=strict, deadline=deadline)
    try:
        document = HTML(string=html, base_url=site_base_url(), url_fetcher=fetcher)
        deadline.check()
        stylesheet = CSS(string=BASE_CSS, url_fetcher=fetcher)
        if progress is not None:
            progress("layout", None)
        rendered = document.render(stylesheets=[stylesheet])
        deadline.check()
        if progress is not None:
            progress("write", len(rendered.pages))
        pdf = rendered.write_pdf()
        deadline.check()
    except FatalURLFetchingError as exc:  # a BaseException: turn it into an Exception
        cause = exc.__cause__
        if isinstance(cause, PDFTimeout):
            raise cause from None
        raise PDFError(str(cause or exc)) from cause
    if strict and fetcher.refused:
        # Refused inside an SVG image: WeasyPrint logged it and drew the rest.
        raise PDFError(f"Refused to fetch {fetcher.refused[0][:200]!r}") from URLRefused(
            fetcher.refused[0][:200]
        )
    return pdf


_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\"*:<>?|]+')
_ASCII_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def pdf_response(content: bytes, filename: str, *, ascii_filename: str = "") -> HttpResponse:
    """A PDF download: ``filename`` (any language, RFC 5987 ``filename*``) plus an
    ASCII ``filename`` for old clients (``ascii_filename``, else derived from it)."""
    filename = _UNSAFE_FILENAME.sub("_", filename).strip() or "document.pdf"
    fallback = _ASCII_FILENAME.sub("_", ascii_filename or filename).strip("._") or "document"
    if not fallback.lower().endswith(".pdf"):
        fallback += ".pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
