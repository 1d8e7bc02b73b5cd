"""Settings for the test suite: SQLite by default, PostgreSQL when DATABASE_URL says so."""
import os

from .base import *  # noqa: F401,F403
from .base import SQLITE_ENGINE, VAR_DIR, env, sqlite_tuned

DEBUG = False
SECRET_KEY = "test-only-not-secret"
DATABASES = {
    "default": sqlite_tuned(
        env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'test.sqlite3'}")
    )
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    # A file, not memory: the suite then runs with WAL and IMMEDIATE as users' databases do.
    # One file per test process, so two runs on one machine never share (and destroy) a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
MEDIA_ROOT = VAR_DIR / "test-media"
AUDIT_CHECKPOINT_KEY = "test-checkpoint-key"
AUDIT_CHECKPOINT_FILE = VAR_DIR / "test-audit-checkpoints.jsonl"
# The archive job runs when the test's on-commit callbacks run, not in a thread the test would have to
# wait for (tests/workflows/archive/test_bounded_render.py covers the thread).
ARCHIVE_IN_BACKGROUND = False
