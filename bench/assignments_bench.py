"""Benchmark: 我的待办, the assignment list and the assignment page at 100 and 100,000 assignments.

Builds the data in its own SQLite file (var/bench/assignments.sqlite3): the reference plan
dispatched through the real services (≈900 assignments), then further reporting rounds and
extra district units bulk-inserted with their guardian object permissions, the same rows
dispatch writes. Prints SQL queries and server time per page; asserts nothing.

    make bench      (or: .venv/bin/python bench/assignments_bench.py [--sizes 100 100000])
"""
import argparse
import datetime as dt
import os
import random
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
DB_PATH = BENCH_DIR / "assignments.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.pages import measure_page  # noqa: E402

REPEATS = 20
STATES = ["assigned", "in_progress", "submitted", "lead_reviewed", "accepted"]


def fresh_database() -> None:
    connections.close_all()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def people():
    from workflows.models import Unit
    from workflows.services.memberships import membership_grant

    def person(name, unit, role):
        user = get_user_model().objects.create_user(name, password="bench-pass")
        membership_grant(actor=None, user=user, unit=Unit.objects.get(short_name=unit), role=role)
        return user

    return {
        "submitter (市财政局)": person("finance", "市财政局", "submitter"),
        "reviewer (市编办)": person("bianban", "市编办", "reviewer"),
        "supervisor (市政府法制办)": person("fazhiban", "市政府法制办", "supervisor"),
        "auditor (市审计局)": person("shenji", "市审计局", "auditor"),
    }


def build(size: int) -> dict:
    """Import and dispatch the reference plan, then grow to ``size`` assignments in more rounds."""
    from workflows.models import Assignment, ReportingRound, Task, Unit
    from workflows.services import plan_import
    from workflows.services.dispatch import grant_permissions, plan_dispatch

    started = time.perf_counter()
    legal = Unit.objects.get(short_name="市政府法制办")
    reference = ROOT / "workflows/data/reference_plan_kunzhengbanfa_2017_169.txt"
    plan = plan_import(actor=None, data=reference.read_bytes(), filename="169.txt", supervising_unit=legal)
    users = people()
    task1 = plan.tasks.get(number=1)
    # The small size dispatches one task only; the large one the whole plan, then more rounds.
    plan_dispatch(actor=users["supervisor (市政府法制办)"], plan_id=plan.pk,
                  task_id=task1.pk if size < 1000 else None)
    rng = random.Random(169)
    tasks = list(Task.objects.filter(plan=plan).prefetch_related("party_set"))
    if size >= 1000:
        extra = [Unit(short_name=f"压测镇{i:03d}", kind="district", order=1000 + i) for i in range(80)]
        Unit.objects.bulk_create(extra)
    units = list(Unit.objects.filter(kind__in=["municipal", "district"], is_active=True))
    round_no = 1
    while Assignment.objects.count() < size:
        round_no += 1
        round_ = ReportingRound.objects.create(plan=plan, name=f"压测第{round_no}轮", position=round_no)
        batch = []
        for task in tasks:
            for unit in units:
                batch.append(Assignment(round=round_, task=task, unit=unit, state=rng.choice(STATES),
                                        due_date=dt.date(2020, 12, 31)))
        remaining = size - Assignment.objects.count()
        with transaction.atomic():
            created = Assignment.objects.bulk_create(batch[:remaining], batch_size=500)
            if not created[0].pk:
                created = list(Assignment.objects.filter(round=round_))
            for assignment in created:
                assignment.task = next(t for t in tasks if t.pk == assignment.task_id)
            grant_permissions(created)
    return {"users": users, "plan": plan, "seconds": time.perf_counter() - started,
            "count": Assignment.objects.count()}


def run(size: int) -> dict:
    from workflows.access.scopes import assignments_visible_to
    from workflows.selectors.inbox import assignments_awaiting

    fresh_database()
    world = build(size)
    print(f"\n=== {world['count']:,} assignments (built in {world['seconds']:.1f} s) ===")
    figures = {}
    for label, user in world["users"].items():
        client = Client()
        client.force_login(user)
        visible = assignments_visible_to(user)
        some = visible.order_by("id").first()
        pages = {
            "inbox": reverse("approvals:inbox"),
            "list": reverse("approvals:assignment_list"),
            "assignment": reverse("approvals:assignment_detail", args=[some.pk]) if some else None,
            "api list": reverse("api:assignment_list") if _has("api:assignment_list") else None,
        }
        print(f"{label}: sees {visible.count():,}, inbox holds {assignments_awaiting(user).count():,}")
        for page, url in pages.items():
            if url is None:
                continue
            m = measure_page(client, url, REPEATS)
            status, queries, p50, p95 = m["status"], m.get("queries", 0), m.get("p50", 0.0), m.get("p95", 0.0)
            figures[(label, page)] = (queries, p50, p95, m.get("sql", []))
            print(f"  {page:<11} HTTP {status}  {queries:>2} queries  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    return figures


def _shape(sql: str) -> str:
    """A statement with its literals folded, cut to its first 160 characters."""
    sql = re.sub(r"\b\d+\b", "N", sql)
    return re.sub(r"\((?:N, )+N\)", "(N…)", re.sub(r"'[^']*'", "'…'", sql))[:160]


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
        return True
    except NoReverseMatch:
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 100_000])
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    results = {size: run(size) for size in args.sizes}
    print("\n=== summary: queries (p50 ms) per page ===")
    keys = sorted(next(iter(results.values())))
    for key in keys:
        cells = "   ".join(f"{results[s][key][0]:>2} q ({results[s][key][1]:6.1f} ms)" for s in args.sizes
                           if key in results[s])
        print(f"{key[0]:<28} {key[1]:<11} {cells}")
    first, last = results[args.sizes[0]], results[args.sizes[-1]]
    same = all(first[k][0] == last[k][0] for k in keys if k in last)
    print(f"query counts equal between {args.sizes[0]:,} and {args.sizes[-1]:,} assignments: {same}")
    for key in keys:  # where they differ, which statements (by their shape: numbers and lists folded)
        if key in last and first[key][0] != last[key][0]:
            small, large = Counter(map(_shape, first[key][3])), Counter(map(_shape, last[key][3]))
            print(f"  {key[0]} {key[1]}: only at {args.sizes[0]:,}: {sorted((small - large).elements()) or '-'}")
            print(f"  {' ' * len(key[0])} {key[1]}: only at {args.sizes[-1]:,}: {sorted((large - small).elements()) or '-'}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
