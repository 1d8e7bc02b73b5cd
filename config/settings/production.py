"""Production settings: every secret comes from the environment, with no default.

Required: ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` and ``DATABASE_URL`` (PostgreSQL).
Everything else has a safe default, so ``manage.py check --deploy`` passes with only those three.
Settings that only some commands need are enforced where they are used, not here:
``AUDIT_CHECKPOINT_KEY`` (audit_checkpoint and verify_audit refuse to run without it) and the
archive signing certificate (the archive job fails and records why). See docs/production.md.
"""
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import STATIC_ROOT, env, sqlite_tuned

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# No SQLite fallback: production names its database.
DATABASES = {"default": sqlite_tuned(env.db("DATABASE_URL"))}
# Several gunicorn workers on several machines: keep connections for a while, check them first.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's planner assumes spinning disks (random_page_cost 4), and then hashes whole tables
# to join the 50 rows of a page. On SSDs or a database that fits in memory 1.1 is the usual value;
# set DJANGO_PG_RANDOM_PAGE_COST empty to keep the server's own setting.
PG_RANDOM_PAGE_COST = env("DJANGO_PG_RANDOM_PAGE_COST", default="1.1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PG_RANDOM_PAGE_COST:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c random_page_cost={float(PG_RANDOM_PAGE_COST)}"

# HTTPS only. TLS ends at the reverse proxy, which must set X-Forwarded-Proto (and overwrite any
# value the client sent); Django then sees https requests as secure.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Only when the site is reached under another origin than its Host header (e.g. a port mapping).
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# `manage.py collectstatic` writes here; the reverse proxy serves it at STATIC_URL.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(STATIC_ROOT)))

# Files: evidence (佐证材料) and imported plan documents go through STORAGES["default"]: the
# filesystem under MEDIA_ROOT by default, or an S3-compatible bucket when STORAGE_S3_BUCKET is set.
# Archives (归档 PDF) go to ARCHIVE_ROOT, a POSIX volume, by default, or to an S3-compatible bucket
# when ARCHIVE_S3_BUCKET is set (written once by a conditional PUT: workflows/archive/s3.py).
# Credentials and the endpoint come from the standard AWS_* variables, read by boto3 itself
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL,
# AWS_DEFAULT_REGION) or by django-storages (AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME,
# AWS_S3_ADDRESSING_STYLE below). See docs/production.md.
STORAGE_S3_BUCKET = env("STORAGE_S3_BUCKET", default="")
ARCHIVE_S3_BUCKET = env("ARCHIVE_S3_BUCKET", default="")
# Keys under this prefix; the archive sweep looks nowhere else, so a bucket shared with evidence is safe.
ARCHIVE_S3_PREFIX = env("ARCHIVE_S3_PREFIX", default="archives")
if STORAGE_S3_BUCKET or ARCHIVE_S3_BUCKET:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="") or None
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default="") or None  # "path" for most S3-compatible stores
if STORAGE_S3_BUCKET:
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": STORAGE_S3_BUCKET,
                "location": env("STORAGE_S3_PREFIX", default=""),
                # No ACL sent: objects inherit the bucket's (private) policy. Files are only ever
                # read through the app, which checks permissions and records each download.
                "default_acl": None,
                "querystring_auth": True,
                # Names are server-chosen and unique; never overwrite an existing object.
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
