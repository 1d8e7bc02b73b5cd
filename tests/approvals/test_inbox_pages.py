"""我的待办 in pages: every waiting assignment exactly once, in due-date order, with a Chinese pager."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.world import build_world, signed_in
from workflows.lights import light_for_due
from workflows.selectors.inbox import assignments_awaiting
from workflows.services.dispatch import plan_dispatch

pytestmark = pytest.mark.django_db
PAGE = 7  # a small page, so the dispatched plan fills several


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr("approvals.views.lists.PAGE_SIZE", PAGE)
    world = build_world()
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)
    return world


def links(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/assignments/(\d+)/"', html)]


def test_the_pages_hold_every_waiting_assignment_once_in_due_date_order(world):
    expected = list(assignments_awaiting(world.submitter).values_list("pk", flat=True))
    pages = -(-len(expected) // PAGE)
    assert pages >= 3
    client, seen = signed_in(world.submitter), []
    for number in range(1, pages + 1):
        html = client.get(reverse("approvals:inbox") + f"?page={number}").content.decode()
        rows = links(html)
        assert 0 < len(rows) <= PAGE
        seen += rows
        assert f"第 {number} / {pages} 页" in html
        assert (f'href="?page={number + 1}"' in html) == (number < pages)  # 下一页
        assert (f'href="?page={number - 1}"' in html) == (number > 1)  # 上一页
    assert seen == expected
    assert f"<strong>{len(expected)}</strong>" in html  # the total counts every page, not this one


def test_a_page_past_the_end_shows_the_last_and_a_bad_page_number_the_first(world):
    client = signed_in(world.submitter)
    expected = list(assignments_awaiting(world.submitter).values_list("pk", flat=True))
    last = client.get(reverse("approvals:inbox") + "?page=9999").content.decode()
    assert links(last) == expected[-(len(expected) % PAGE or PAGE):]
    first = client.get(reverse("approvals:inbox") + "?page=abc").content.decode()
    assert links(first) == expected[:PAGE]


def test_the_light_filter_pages_too_and_its_links_keep_the_light(world):
    today = timezone.localdate()
    client = signed_in(world.submitter)
    waiting = assignments_awaiting(world.submitter)
    by_light = {}
    for pk, due in waiting.values_list("pk", "due_date"):
        by_light.setdefault(light_for_due(due, today), []).append(pk)
    light, expected = max(by_light.items(), key=lambda item: len(item[1]))
    assert len(expected) > PAGE
    html = client.get(reverse("approvals:inbox") + f"?light={light}").content.decode()
    assert links(html) == expected[:PAGE]
    assert f'href="?page=2&amp;light={light}"' in html
    html = client.get(reverse("approvals:inbox") + f"?light={light}&page=2").content.decode()
    assert links(html) == expected[PAGE:2 * PAGE]


def test_every_page_costs_the_same_queries(world):
    client = signed_in(world.submitter)
    client.get(reverse("approvals:inbox"))
    counts = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("approvals:inbox") + f"?page={number}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
