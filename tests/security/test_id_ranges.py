"""Every id a page, export or API URL takes is checked into range: 404 or 400, never a 500.

SQLite cannot hold an integer above 2**63-1, and a query that binds one raises OverflowError;
PostgreSQL answers a similar error. The URL converter ``id`` refuses such ids before any view
runs (404), and every id in a query string goes through a form or serializer field bounded at
``MAX_ID`` (400, or 404 where the page treats an unknown id as absent).
"""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.approvals.test_api import token_for
from tests.world import build_world
from workflows.ids import MAX_ID

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 10**20 - 1, above 2**63-1
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _with_huge_ids(route: str) -> str | None:
    """The route with every numeric parameter set to HUGE (None when it has none)."""
    if not any(kind in ("int", "id") for kind, _name in _PARAM.findall(route)):
        return None
    path = _PARAM.sub(lambda m: HUGE if m.group(1) in ("int", "id") else "plan", route)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


def _numeric_routes() -> list[str]:
    return sorted({p for p in map(_with_huge_ids, _routes()) if p})


@pytest.fixture
def world():
    world = build_world()
    world.admin = get_user_model().objects.create_superuser("root", password="pass-1234")
    return world


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_there_are_numeric_routes_to_check():
    routes = _numeric_routes()
    assert len(routes) > 30 and any(r.startswith("/api/") for r in routes) and any("/audit/" in r for r in routes)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_id_above_the_database_range_in_any_url_answers_404_not_500(world, method):
    answers = {}
    for who in (world.admin, world.auditor, world.supervisor):
        client = _client(who)
        for path in _numeric_routes():
            if method == "post" and path.startswith("/admin/"):
                continue
            status = getattr(client, method)(path).status_code
            answers[(who.username, path)] = status
    wrong = {k: v for k, v in answers.items() if v not in (403, 404, 405)}
    assert not wrong


def test_an_id_above_the_range_through_the_api_token_answers_404(world):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token_for(world.supervisor)}")
    for path in (p for p in _numeric_routes() if p.startswith("/api/")):
        assert client.get(path).status_code == 404, path


QUERY_IDS = [
    ("/audit/", "user"), ("/audit/", "plan"), ("/audit/", "task"), ("/audit/", "assignment"), ("/audit/", "before"),
    ("/audit/export.csv", "user"), ("/audit/export.csv", "assignment"), ("/audit/export.xlsx", "plan"),
    ("/assignments/", "plan"), ("/assignments/", "unit"), ("/assignments/", "task"),
    ("/assignments/", "after"),
    ("/api/assignments/", "plan"), ("/api/assignments/", "task"), ("/api/transfer_requests/", "assignment"),
]


@pytest.mark.parametrize(("path", "param"), QUERY_IDS)
def test_an_id_above_the_range_in_a_query_string_answers_400_with_a_chinese_message(world, path, param):
    client = _client(world.auditor if path.startswith("/audit/") else world.supervisor)
    response = client.get(path, {param: f"2026-01-01_{HUGE}" if param == "after" else HUGE})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 400, (path, param, response.status_code)
    assert re.search("[\u4e00-\u9fff]", body.decode("utf-8"))


@pytest.mark.parametrize("path", ["/supervision/plans/{plan}/", "/supervision/plans/{plan}/scorecard/",
                                  "/supervision/plans/{plan}/export.xlsx", "/api/plans/{plan}/progress/"])
def test_a_round_id_above_the_range_is_an_unknown_round(world, path):
    response = _client(world.supervisor).get(path.format(plan=world.plan.pk), {"round": HUGE})
    assert response.status_code in (400, 404)


def test_the_largest_id_is_accepted_and_answers_as_absent(world):
    assert _client(world.supervisor).get(f"/assignments/{MAX_ID}/").status_code == 404
    assert _client(world.supervisor).get(f"/assignments/{MAX_ID + 1}/").status_code == 404


@pytest.mark.parametrize("query", [{"until": "9999-12-31"}, {"since": "0001-01-01"}, {"until": "0001-01-01"}])
def test_a_date_at_the_edge_of_the_calendar_in_the_audit_filters_answers_400(world, query):
    client = _client(world.auditor)
    for path in ("/audit/", "/audit/export.csv"):
        response = client.get(path, query)
        assert response.status_code == 400, (path, query)


@pytest.mark.parametrize("at", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_moment_at_the_edge_of_the_calendar_in_the_state_replay_answers_400(world, at):
    response = _client(world.auditor).get(f"/audit/plans/{world.plan.pk}/as-of/", {"at": at})
    assert response.status_code == 400 and "1900" in response.content.decode()
