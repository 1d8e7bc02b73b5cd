"""Settings shared by every environment.

Values that differ between machines come from the environment (django-environ);
``DATABASE_URL`` selects the database and defaults to an SQLite file under ``var/``.
"""
import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "viewflow",
    "viewflow.workflow",
    "workflows",
    "approvals",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.middleware.RefusalAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "approvals.middleware.SessionTimeoutMiddleware",
    "approvals.middleware.MenuRefreshMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"


def _error_page_style_hash() -> str:
    """The CSP hash of the error pages' one inline style (they use no static files on purpose)."""
    import base64
    import hashlib
    import re

    text = (BASE_DIR / "templates" / "error_base.html").read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode() + "'"


# Content-Security-Policy (django-csp): every script, style, font and image comes from this site;
# no inline script, no plugin, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "style-src": ["'self'", _error_page_style_hash()],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
CSRF_FAILURE_VIEW = "approvals.views.audit.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "approvals.context_processors.policies",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"


SQLITE_ENGINE = "config.sqlite3"


def sqlite_tuned(config: dict) -> dict:
    """Give an SQLite database WAL journaling, IMMEDIATE write transactions and planner statistics.

    IMMEDIATE takes the write lock when a transaction starts, so two writers queue
    instead of failing half-way with "database is locked". The engine is Django's, plus
    ``PRAGMA optimize`` when a connection closes (config/sqlite3), bounded by ``analysis_limit``;
    reads of a large database go through a memory map and a larger page cache.
    """
    if config.get("ENGINE") in ("django.db.backends.sqlite3", SQLITE_ENGINE):
        config["ENGINE"] = SQLITE_ENGINE
        options = config.setdefault("OPTIONS", {})
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
        options.setdefault(
            "init_command",
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384; PRAGMA analysis_limit=1000;",
        )
    return config


DATABASES = {
    "default": sqlite_tuned(
        env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in for a name locked out after repeated wrong passwords (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous guardian user: an anonymous visitor holds no object permission at all.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Repeated wrong passwords lock the name out (from that address) for a while; the audit trail
# records every refused attempt (approvals.sessions.sign_in_failed).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "approvals.views.sign_in.locked_out"
AXES_VERBOSE = False
# Sessions end after this much inactivity, and in any case this long after signing in.
SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = dt.timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=10))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese by default; English available through the language switcher.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# Uploaded plan documents and, later, evidence: never under a publicly served folder.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = None

PLAN_UPLOAD_MAX_BYTES = env.int("PLAN_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads larger than that wait on disk while they arrive, in a folder of the project's own, one
# sub-folder per process (workflows/uploads.py): what a killed worker left is removed when the web
# application starts and by archive_sweep.
UPLOAD_TEMP_ROOT = Path(env("UPLOAD_TEMP_ROOT", default=str(VAR_DIR / "tmp" / "uploads")))
UPLOAD_TEMP_MAX_AGE_SECONDS = env.int("UPLOAD_TEMP_MAX_AGE_SECONDS", default=6 * 3600)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "workflows.uploads.ProcessTemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Audit checkpoints: signed with a key from the environment, never stored in the database.
AUDIT_CHECKPOINT_KEY = env("AUDIT_CHECKPOINT_KEY", default="")
AUDIT_CHECKPOINT_FILE = Path(env("AUDIT_CHECKPOINT_FILE", default=str(VAR_DIR / "audit-checkpoints.jsonl")))
AUDIT_PAGE_SIZE = 50
# What sources that have not signed in (failed sign-ins, refused requests) may write to the trail:
# per address and window one by one, then counted and summarised in one event per address and
# window (audit.services.record_anonymous); past the overall figure, one event for all addresses.
AUDIT_ANONYMOUS_WINDOW_SECONDS = env.int("AUDIT_ANONYMOUS_WINDOW_SECONDS", default=600)
AUDIT_ANONYMOUS_EVENTS_PER_WINDOW = env.int("AUDIT_ANONYMOUS_EVENTS_PER_WINDOW", default=20)
AUDIT_ANONYMOUS_EVENTS_PER_WINDOW_ALL = env.int("AUDIT_ANONYMOUS_EVENTS_PER_WINDOW_ALL", default=200)

# Evidence files (佐证材料): limits per file and per submission round.
EVIDENCE_MAX_FILE_BYTES = env.int("EVIDENCE_MAX_FILE_BYTES", default=50 * 1024 * 1024)
EVIDENCE_MAX_ROUND_BYTES = env.int("EVIDENCE_MAX_ROUND_BYTES", default=200 * 1024 * 1024)
EVIDENCE_MAX_ROUND_FILES = env.int("EVIDENCE_MAX_ROUND_FILES", default=50)

# PDF archive (归档) of accepted reports: written once under ARCHIVE_ROOT (default: MEDIA_ROOT/archives),
# signed (PAdES) with the organisation's certificate and key, read from files named here, never
# from the database. `python manage.py archive_demo_cert` makes a demo pair for local use.
ARCHIVE_ROOT = env("ARCHIVE_ROOT", default="") or None
SIGNING_DIR = VAR_DIR / "signing"
ARCHIVE_SIGNING_KEY = env("ARCHIVE_SIGNING_KEY", default=str(SIGNING_DIR / "signer.key"))
ARCHIVE_SIGNING_CERT = env("ARCHIVE_SIGNING_CERT", default=str(SIGNING_DIR / "signer.pem"))
ARCHIVE_SIGNING_CHAIN = env.list("ARCHIVE_SIGNING_CHAIN", default=[str(SIGNING_DIR / "ca.pem")])
ARCHIVE_SIGNING_PASSPHRASE = env("ARCHIVE_SIGNING_PASSPHRASE", default="")
ARCHIVE_TRUST_ROOTS = env.list("ARCHIVE_TRUST_ROOTS", default=[str(SIGNING_DIR / "ca.pem")])
ARCHIVE_ORGANISATION = env("ARCHIVE_ORGANISATION", default="")
ARCHIVE_TEMP_MAX_AGE_SECONDS = env.int("ARCHIVE_TEMP_MAX_AGE_SECONDS", default=3600)
ARCHIVE_STALE_PENDING_SECONDS = env.int("ARCHIVE_STALE_PENDING_SECONDS", default=600)
ARCHIVE_MAX_ATTEMPTS = env.int("ARCHIVE_MAX_ATTEMPTS", default=5)
ARCHIVE_RETRY_SECONDS = env.int("ARCHIVE_RETRY_SECONDS", default=60)  # a failed render, again after 1, 2, 4 … min
# The PDF is rendered in a child process killed after this long (0: in the job's own process, unbounded),
# with its address space capped (0: no cap).
ARCHIVE_RENDER_TIMEOUT_SECONDS = env.int("ARCHIVE_RENDER_TIMEOUT_SECONDS", default=120)
ARCHIVE_RENDER_MAX_MEMORY_MB = env.int("ARCHIVE_RENDER_MAX_MEMORY_MB", default=3072)
# Without a broker, the job runs after the acceptance commits in a thread of the web process, so the
# request answers at once (the sweep re-runs a job whose process died).
ARCHIVE_IN_BACKGROUND = env.bool("ARCHIVE_IN_BACKGROUND", default=True)
# Long reports (a plan's 进度报告 PDF) are made the same way (in the worker, or in a thread of the web
# process when ARCHIVE_IN_BACKGROUND is on) and kept this long for download before they are swept.
GENERATED_REPORT_KEEP_HOURS = env.int("GENERATED_REPORT_KEEP_HOURS", default=24)
# Without a broker, at most this many of those jobs run at once in a web process (the rest wait).
BACKGROUND_CONCURRENCY = env.int("BACKGROUND_CONCURRENCY", default=2)

# Background work: Celery with the broker named here; without one, jobs run in-process after commit.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Re-run archive jobs that were lost (e.g. the broker was down) and remove orphaned files.
    "archive-sweep": {"task": "workflows.tasks.archive_sweep", "schedule": 15 * 60},
    # The daily 催办 digests and 督办 ladder, on working days' mornings (Asia/Shanghai).
    "send-reminders": {"task": "workflows.tasks.send_reminders",
                       "schedule": crontab(hour=8, minute=30)},
    # A signed checkpoint of the audit chain's head every five minutes (no interpreter to start).
    "audit-checkpoint": {"task": "workflows.tasks.audit_checkpoint", "schedule": 5 * 60},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged job (its worker died) goes back to the queue after this many seconds.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}

# Supervision (督办): yellow light within this many working days of the due date; the 督办 ladder
# (first notice, second notice, reported to leadership) at these working days overdue.
SUPERVISION_YELLOW_WORKING_DAYS = env.int("SUPERVISION_YELLOW_WORKING_DAYS", default=5)
# A lead department's review is overdue after this many working days (the scorecard's 审核及时率).
SUPERVISION_REVIEW_WORKING_DAYS = env.int("SUPERVISION_REVIEW_WORKING_DAYS", default=5)
SUPERVISION_ESCALATION_WORKING_DAYS = [int(x) for x in env.list("SUPERVISION_ESCALATION_WORKING_DAYS",
                                                                 default=["3", "10", "20"])]
# Mail: an SMTP server in production (EMAIL_URL-style settings below); the console locally.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="督办系统 <noreply@localhost>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "approvals.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "任务分解督办系统 API",
    "DESCRIPTION": "Plans, assignments, evidence and the approval workflow.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Two choice sets are both called "kind": name them, so the schema's enums are stable.
    "ENUM_NAME_OVERRIDES": {
        "TransferKindEnum": "workflows.models.changes.TransferKind",
        "TaskChangeKindEnum": ["added", "removed", "changed"],
    },
}
