from pathlib import Path

import pytest

REFERENCE_PLAN = (
    Path(__file__).resolve().parent.parent / "workflows" / "data" / "reference_plan_kunzhengbanfa_2017_169.txt"
)


@pytest.fixture(scope="session")
def reference_bytes() -> bytes:
    return REFERENCE_PLAN.read_bytes()


@pytest.fixture(scope="session")
def signing_pair(tmp_path_factory) -> dict:
    """A demo root certificate, signing certificate and key, made once per test run."""
    from workflows.archive.signing import make_demo_pair

    return make_demo_pair(tmp_path_factory.mktemp("signing"), "测试市人民政府办公室")


@pytest.fixture(autouse=True)
def _archive_signing(settings, signing_pair):
    """Archives are signed with the test run's demo certificate, never with a developer's own."""
    settings.ARCHIVE_SIGNING_KEY = str(signing_pair["key"])
    settings.ARCHIVE_SIGNING_CERT = str(signing_pair["cert"])
    settings.ARCHIVE_SIGNING_CHAIN = [str(signing_pair["ca"])]
    settings.ARCHIVE_TRUST_ROOTS = [str(signing_pair["ca"])]
    settings.ARCHIVE_SIGNING_PASSPHRASE = ""
    settings.ARCHIVE_ROOT = None
    settings.CELERY_BROKER_URL = None


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """A test's calendar corrections are rolled back with it, so none may stay cached for the next."""
    from workflows import calendar

    calendar._drop()
    yield
    calendar._drop()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Give every test its own file store, so stored and stray files can be counted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _uses_db(request) -> tuple[bool, bool]:
    """Return (uses the database, uses a transactional database) for this test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    uses = transactional or marker is not None or "db" in request.fixturenames
    return uses, transactional


@pytest.fixture(autouse=True)
def _audit_triggers(request):
    """Keep the append-only triggers in place, except while a transactional test is flushed.

    Flushing after a transactional test deletes (SQLite) or truncates (PostgreSQL) every
    table, which the triggers rightly refuse; they are removed just before the flush and
    put back before the next test.
    """
    uses, transactional = _uses_db(request)
    if not uses:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from audit import triggers

    triggers.install(connection)
    if transactional:
        _reload_reference_directory()
    yield
    _inbox_matches_permissions(request)
    if transactional:
        triggers.remove(connection)


def _inbox_matches_permissions(request) -> None:
    """After every database test: 我的待办's table (InboxItem) says what the states and permissions say.

    So every write any test makes through the services also checks that the derived table moved
    with it. A test that damages the table on purpose marks itself ``inbox_drift_expected``.
    """
    if request.node.get_closest_marker("inbox_drift_expected"):
        return
    from workflows.services.inbox import inbox_drift

    drift = inbox_drift()
    assert drift == {"missing": [], "extra": []}, f"InboxItem differs from the permissions: {drift}"


@pytest.fixture
def postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (make test does when a server is reachable)")


def _reload_reference_directory() -> None:
    """Put back the unit directory the migrations ship: a transactional test's flush removed it."""
    import importlib

    from django.apps import apps

    from workflows.models import Unit

    if not Unit.objects.exists():
        importlib.import_module("workflows.migrations.0002_reference_units").load(apps, None)
