"""Project-wide facts: database tuning, settings discipline, translations."""
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.db import connection

BASE = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting; this run uses " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    assert mode == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_the_english_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(BASE / "locale/en/LC_MESSAGES/django.po"))
    mo = polib.mofile(str(BASE / "locale/en/LC_MESSAGES/django.mo"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = {e.msgid: (e.msgstr or e.msgstr_plural) for e in mo}
    assert {e.msgid: (e.msgstr or e.msgstr_plural) for e in po if not e.obsolete} == compiled


def test_chinese_is_the_default_language_and_english_is_offered():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def test_production_settings_have_no_default_secret(monkeypatch):
    import importlib

    import environ

    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "example.org")
    with pytest.raises(environ.ImproperlyConfigured):
        importlib.reload(importlib.import_module("config.settings.production"))


@pytest.mark.parametrize(("url", "cost", "options"), [
    ("postgres://u@db.example/x", None, "-c random_page_cost=1.1"),
    ("postgres://u@db.example/x", "2", "-c random_page_cost=2.0"),
    ("postgres://u@db.example/x", "", None),
    ("sqlite:////tmp/x.sqlite3", None, None),
])
def test_production_tells_postgresql_the_data_is_on_fast_storage(monkeypatch, url, cost, options):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "example.org")
    monkeypatch.setenv("DATABASE_URL", url)
    if cost is None:
        monkeypatch.delenv("DJANGO_PG_RANDOM_PAGE_COST", raising=False)
    else:
        monkeypatch.setenv("DJANGO_PG_RANDOM_PAGE_COST", cost)
    production = importlib.reload(importlib.import_module("config.settings.production"))
    assert production.DATABASES["default"].get("OPTIONS", {}).get("options") == options
