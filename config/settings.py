"""Settings for Houqin, read from the environment (see ``.env.example``).

The embedded default (no environment at all) is a development portal on an SQLite
file under ``var/`` with Celery tasks run eagerly in-process. Production sets
``DEBUG=false`` and must then provide a real ``SECRET_KEY``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env_file = env.str("HOUQIN_ENV_FILE", default=str(BASE_DIR / ".env"))
if Path(env_file).is_file():
    env.read_env(env_file)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "houqin-development-only-secret-key-not-for-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("The development SECRET_KEY cannot be used with DEBUG off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "axes",  # login throttling (see "Sign-in throttling" below)
    "logistics",
    "safety",
    "canteen",
    "assets",
    "dormitory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The person's chosen language, else Chinese; the browser's is ignored.
    "logistics.middleware.SchoolLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "logistics.middleware.SessionTimeoutMiddleware",  # idle and absolute session end
    "logistics.middleware.PrivateResponseMiddleware",  # signed-in answers: no-store
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "logistics.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into its page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "logistics.context_processors.portal",
            ],
            # Tag libraries of the parts of the logistics app (an app's own
            # ``templatetags`` package is found by Django itself).
            "libraries": {"repairs": "logistics.repairs.templatetags"},
        },
    },
]

# --- Database --------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'houqin.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # Choice lists iterate querysets; a server-side cursor costs extra round trips for a
    # few rows (and does not survive a transaction-pooling pgbouncer).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # Parameters bound by the server, and a statement run this many times on a connection
    # is prepared: the hot queries of every page are planned once per connection, not
    # per request (planning a list's joins costs more than running them). Behind a
    # transaction-pooling pgbouncer older than 1.21, set DATABASE_PREPARE_THRESHOLD=0.
    _prepare = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=_prepare or None
    )
else:
    # The embedded default serves several people at once. Every transaction takes
    # SQLite's write lock when it begins (IMMEDIATE), so a second writer waits for the
    # first (up to ``timeout`` seconds) and then reads what the first committed — a
    # deferred transaction would read, then fail with "database is locked" when it tries
    # to write (SQLite cannot wait there without risking a deadlock). Write-ahead logging
    # lets pages be read while someone writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    # Tests run on a file, as the portal does: an in-memory database shared between
    # threads locks whole tables and never waits, unlike the real thing.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(VAR_DIR / "test-houqin.sqlite3")
    )
    # Covering indexes (INCLUDE) speed up PostgreSQL; SQLite uses their key columns only.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users -------------------------------------------------------------------------------
AUTH_USER_MODEL = "logistics.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The user with their school in one query, permissions from their roles (cached).
    "logistics.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the database: the cookie holds only the session key. Messages are kept
# in the session too, never in a cookie of their own (a signed cookie is readable).
SESSION_ENGINE = "logistics.sessions"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
# Signed out after this many seconds without a request (0: no idle limit). SESSION_COOKIE_AGE
# stays the absolute end, counted from sign-in (logistics.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60 * 2)

# --- Language and time ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The interface is in LANGUAGE_CODE whatever the browser asks for; a person's own choice
# (the user menu's language switch) is kept in this cookie for a year
# (logistics.middleware.SchoolLanguageMiddleware).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and media files ----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "logistics.common.staticfiles.StaticFilesStorage"
        )
    },
}
# Largest spreadsheet accepted by the import pages.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploaded pictures (logistics/uploads.py): largest file, most pixels (also Pillow's
# decompression-bomb limit), longest side kept (larger ones are scaled down).
UPLOAD_IMAGE_MAX_BYTES = env.int("UPLOAD_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=40_000_000)
UPLOAD_IMAGE_MAX_SIDE = env.int("UPLOAD_IMAGE_MAX_SIDE", default=2560)
# Media files are served only by logistics.views.media after a permission check. With this
# set (the default when DEBUG is off) the view answers with an X-Accel-Redirect to this
# internal nginx location and nginx sends the file; empty: Django streams the file itself.
MEDIA_X_ACCEL_REDIRECT = env.str(
    "MEDIA_X_ACCEL_REDIRECT", default="" if DEBUG else "/protected-media/"
)


# --- Email ---------------------------------------------------------------------------------
# One URL (smtp+tls://user:password@host:587, consolemail://, filemail:///path) becomes
# Django's MAILERS["default"].
def _mailer(config, timeout):
    options = {
        "host": config.get("EMAIL_HOST"),
        "port": config.get("EMAIL_PORT"),
        "username": config.get("EMAIL_HOST_USER"),
        "password": config.get("EMAIL_HOST_PASSWORD"),
        "use_tls": config.get("EMAIL_USE_TLS"),
        "use_ssl": config.get("EMAIL_USE_SSL"),
        "file_path": config.get("EMAIL_FILE_PATH"),
    }
    backend = config["EMAIL_BACKEND"]
    if backend.endswith("smtp.EmailBackend"):
        options["timeout"] = timeout
        options.pop("file_path")
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": options["file_path"]}
    else:
        options = {}
    return {
        "BACKEND": backend,
        "OPTIONS": {k: v for k, v in options.items() if v not in (None, "")},
    }


MAILERS = {
    "default": _mailer(
        env.email_url("EMAIL_URL", default="consolemail://"), env.int("EMAIL_TIMEOUT", default=10)
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="houqin@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Host names a school's group-chat robot webhook may point at (WeCom, DingTalk).
WEBHOOK_ALLOWED_HOSTS = env.list(
    "WEBHOOK_ALLOWED_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)

# Absolute address of the portal, used in links inside emails and chat messages.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Celery --------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# A tick is due this often; what each tick does is decided from the database.
CELERY_TICK_SECONDS = env.int("CELERY_TICK_SECONDS", default=300)
CELERY_BEAT_SCHEDULE = {
    "tick": {
        "task": "logistics.tasks.tick",
        "schedule": float(CELERY_TICK_SECONDS),
        "options": {"expires": float(CELERY_TICK_SECONDS)},
    }
}
# How long filing anything may wait on the broker before giving up (the tick resends).
CELERY_PUBLISH_TIMEOUT = env.float("CELERY_PUBLISH_TIMEOUT", default=2.0)

# --- Time limits -----------------------------------------------------------------------------
# gunicorn kills a web worker silent for WEB_TIMEOUT seconds: the Dockerfile and
# docker-compose.yml pass this same variable to its --timeout and --graceful-timeout.
# Every deadline inside a request stays well below it (checked at start-up by
# logistics.checks); what can take longer is made by Celery (printed documents).
WEB_TIMEOUT = env.int("WEB_TIMEOUT", default=60)
# A PDF rendered inside a request (the report of one major hazard).
PDF_RENDER_TIMEOUT = env.float("PDF_RENDER_TIMEOUT", default=20.0)
# A PDF made by the document task (QR sticker sheets, monthly reports, the summary).
DOCUMENT_RENDER_TIMEOUT = env.int("DOCUMENT_RENDER_TIMEOUT", default=300)

# --- Security ------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Only allows submitting the domain to the preload list; nothing is submitted.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Sign-in throttling (django-axes) -------------------------------------------------------
# Failures are counted per user name AND address together: an attacker cannot lock a
# teacher out from everywhere, and one person's typos do not block a school's shared (NAT)
# address. After AXES_FAILURE_LIMIT failures that pair waits AXES_COOLOFF_MINUTES; never a
# permanent lock-out. Attempts during the wait are refused without extending it.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins: user.last_login is enough
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = []  # log who failed from where (passwords are never logged)
AXES_LOCKOUT_CALLABLE = "logistics.views.core.locked_out"
# The client address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT reverse proxies that each
# append to X-Forwarded-For stand in front (1 for one nginx); never trust it otherwise.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "logistics.middleware.client_ip"

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # failures and lock-outs, not every step
    },
}

PORTAL_NAME = _("Houqin logistics portal")

# --- Benchmark (make bench) -----------------------------------------------------------------
# Mounts the bench-only pages (/__bench__/hello/, table/, layout/) that pages are measured
# against. Only the bench's own gunicorn sets it; `check --deploy` warns when it is on.
HOUQIN_BENCH = env.bool("HOUQIN_BENCH", default=False)
