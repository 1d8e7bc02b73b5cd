"""Benchmark: the plan dashboard (督办看板), the progress API and the XLSX export at 31 tasks × 40 units
and at 100 tasks × 80 units.

Builds the data in its own SQLite file (var/bench/dashboard.sqlite3): the reference plan imported
through the real service (31 tasks), more tasks and district units added to reach the size, then
one round's assignments bulk-inserted (every task × every unit) with a spread of states and due
dates around today, and a few 催办 and 督办 rows on the overdue ones. Prints the server time
(p50/p95 over repeated requests through Django's test client, signed in as the supervisor) and
the SQL queries per page; asserts nothing.

    .venv/bin/python bench/dashboard_bench.py [--sizes 31x40 100x80] [--repeats 20]
"""
import argparse
import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
DB_PATH = BENCH_DIR / "dashboard.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.pages import measure_page  # noqa: E402

STATES = ["assigned", "in_progress", "submitted", "lead_reviewed", "accepted"]


def fresh_database() -> None:
    connections.close_all()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def build(task_count: int, unit_count: int) -> dict:
    """The reference plan grown to ``task_count`` tasks, and one round of task × ``unit_count`` units."""
    from workflows.models import (
        Assignment,
        EscalationNotice,
        Reminder,
        ReportingRound,
        Section,
        Task,
        Unit,
    )
    from workflows.services import plan_import
    from workflows.services.memberships import membership_grant

    started = time.perf_counter()
    legal = Unit.objects.get(short_name="市政府法制办")
    reference = ROOT / "workflows/data/reference_plan_kunzhengbanfa_2017_169.txt"
    plan = plan_import(actor=None, data=reference.read_bytes(), filename="169.txt", supervising_unit=legal)
    supervisor = get_user_model().objects.create_user("fazhiban", password="bench-pass")
    membership_grant(actor=None, user=supervisor, unit=legal, role="supervisor")

    sections = list(Section.objects.filter(plan=plan).order_by("position"))
    have = Task.objects.filter(plan=plan).count()
    Task.objects.bulk_create([Task(plan=plan, section=sections[n % len(sections)], number=n + 1,
                                   text=f"压测任务{n + 1}：按照计划要求推进相关工作，按期报送办理情况。")
                              for n in range(have, task_count)])
    units = list(Unit.objects.filter(is_active=True).order_by("order", "short_name")[:unit_count])
    if len(units) < unit_count:
        Unit.objects.bulk_create([Unit(short_name=f"压测镇{i:03d}", kind="district", order=1000 + i)
                                  for i in range(unit_count - len(units))])
        units = list(Unit.objects.filter(is_active=True).order_by("order", "short_name")[:unit_count])
    tasks = list(Task.objects.filter(plan=plan).order_by("number")[:task_count])

    round_ = ReportingRound.objects.create(plan=plan, name="压测轮", position=1)
    rng = random.Random(169)
    today = timezone.localdate()
    batch = []
    for task in tasks:
        for unit in units:
            state = rng.choice(STATES)
            due = today + dt.timedelta(days=rng.randint(-90, 60))
            batch.append(Assignment(round=round_, task=task, unit=unit, state=state, due_date=due,
                                    on_time=(rng.random() < 0.8) if state == "accepted" else None))
    Assignment.objects.bulk_create(batch, batch_size=1000)
    overdue = list(Assignment.objects.filter(round=round_, due_date__lt=today).exclude(state="accepted")
                   .values_list("id", "unit_id", "due_date"))
    now = timezone.now()
    Reminder.objects.bulk_create([
        Reminder(assignment_id=pk, unit_id=unit_id, sent_by=supervisor, sent_on=today - dt.timedelta(days=2),
                 sent_at=now, message="请抓紧办理") for pk, unit_id, _due in overdue[::3]])
    EscalationNotice.objects.bulk_create([
        EscalationNotice(assignment_id=pk, level=1, issued_on=today - dt.timedelta(days=1), issued_at=now,
                         overdue_working_days=(today - due).days) for pk, _unit, due in overdue[::2]])
    return {"plan": plan, "supervisor": supervisor, "count": len(batch), "overdue": len(overdue),
            "seconds": time.perf_counter() - started}


def run(size: str, repeats: int) -> dict:
    tasks, units = (int(n) for n in size.split("x"))
    fresh_database()
    world = build(tasks, units)
    plan = world["plan"]
    print(f"\n=== {tasks} tasks × {units} units: {world['count']:,} assignments, {world['overdue']:,} overdue "
          f"(built in {world['seconds']:.1f} s) ===")
    client = Client()
    client.force_login(world["supervisor"])
    pages = {
        "dashboard": reverse("approvals:dashboard", args=[plan.pk]),
        "dashboard red": reverse("approvals:dashboard", args=[plan.pk]) + "?light=red",
        "api progress": reverse("api:plan_progress", args=[plan.pk]),
        "xlsx export": reverse("approvals:dashboard_export", args=[plan.pk]),
        "api xlsx": reverse("api:plan_export", args=[plan.pk]),
    }
    figures = {}
    for page, url in pages.items():
        m = measure_page(client, url, repeats)
        status, queries, p50, p95, size_bytes = (m["status"], m.get("queries", 0), m.get("p50", 0.0),
                                                 m.get("p95", 0.0), m.get("bytes", 0))
        figures[page] = (queries, p50, p95)
        print(f"  {page:<14} HTTP {status}  {queries:>2} queries  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
              f"{size_bytes / 1024:8.1f} KB")
    progress_report(client, plan, repeats)
    return figures


def progress_report(client, plan, repeats: int) -> None:
    """The 进度报告 PDF: the button's answer (the job queued, as for the worker), then the job itself."""
    from workflows.services import reports

    queued, held = [], reports.schedule
    reports.schedule = queued.append
    timings = []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            answer = client.post(reverse("approvals:dashboard_report", args=[plan.pk]), {"fresh": "1"})
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 302, answer.status_code
    finally:
        reports.schedule = held
    started = time.perf_counter()
    made = reports.report_build(queued[0])
    seconds = time.perf_counter() - started
    timings.sort()
    print(f"  进度报告 request  p50 {timings[len(timings) // 2]:7.1f} ms  max {timings[-1]:7.1f} ms (the job queued; "
          f"{len(queued)} made, the rest shared it); the job: {made.status}, {seconds:.1f} s, "
          f"{(made.size or 0) / 1024:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=["31x40", "100x80"])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    results = {size: run(size, args.repeats) for size in args.sizes}
    print("\n=== summary: queries (p50 ms) per page ===")
    for page in next(iter(results.values())):
        cells = "   ".join(f"{size:>6}: {results[size][page][0]:>2} q ({results[size][page][1]:7.1f} ms)"
                           for size in args.sizes)
        print(f"{page:<14} {cells}")
    first, last = results[args.sizes[0]], results[args.sizes[-1]]
    same = all(first[p][0] == last[p][0] for p in first)
    print(f"query counts equal between {args.sizes[0]} and {args.sizes[-1]}: {same}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
