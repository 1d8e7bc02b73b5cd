"""Benchmark: the audit trail at scale (aim: verify_audit under 60 s for 1,000,000 events on SQLite).

Builds a valid hash chain of N events in its own SQLite file (var/bench/audit.sqlite3, never
var/db.sqlite3), then times ``verify_audit`` and the auditors' timeline pages, at a small size
and at the full size, so the two can be compared. Prints figures; asserts nothing.

    make bench      (or: .venv/bin/python bench/audit_bench.py [--events 1000000] [--small 1000])
"""
import argparse
import cProfile
import datetime as dt
import io
import json
import math
import os
import pstats
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
DB_PATH = BENCH_DIR / "audit.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from audit.actions import ACTIONS  # noqa: E402
from audit.chain import CANONICAL_FIELDS, GENESIS_HASH, canonical_json, event_hash  # noqa: E402
from audit.models import AuditEvent, AuditHead  # noqa: E402
from workflows.models import Unit  # noqa: E402

BATCH = 20_000          # events built in memory at a time
INSERT_BATCH = 1_000    # bulk_create batch_size (Django caps it at 999 // 24 columns = 41 rows/INSERT)
REPEATS = 20            # requests per page type
PLAN_IDS = range(1, 61)
WATCHED_PLAN = 7        # the plan whose events the ``?plan=`` page shows
SEED = 20170169

UNIT_NAMES = [
    ("市政府法制办", "市人民政府法制办公室"), ("市发展改革委", "市发展和改革委员会"),
    ("市财政局", "市财政局"), ("市教育局", "市教育局"), ("市公安局", "市公安局"),
    ("市民政局", "市民政局"), ("市司法局", "市司法局"), ("市人社局", "市人力资源和社会保障局"),
    ("市自然资源局", "市自然资源和规划局"), ("市生态环境局", "市生态环境局"),
    ("市住建局", "市住房和城乡建设局"), ("市交通运输局", "市交通运输局"),
    ("市卫健委", "市卫生健康委员会"), ("市市场监管局", "市市场监督管理局"), ("市审计局", "市审计局"),
]
PEOPLE = [
    ("zhangwei", "张", "伟"), ("wangfang", "王", "芳"), ("lina", "李", "娜"), ("liuyang", "刘", "洋"),
    ("chenjing", "陈", "静"), ("yangmin", "杨", "敏"), ("zhaolei", "赵", "磊"), ("huangli", "黄", "丽"),
    ("zhouqiang", "周", "强"), ("wuxia", "吴", "霞"), ("xujun", "徐", "军"), ("sunyan", "孙", "艳"),
    ("machao", "马", "超"), ("zhuhong", "朱", "红"), ("hutao", "胡", "涛"), ("guoping", "郭", "平"),
    ("heyun", "何", "云"), ("linfeng", "林", "峰"), ("luoxin", "罗", "欣"), ("gaoming", "高", "明"),
]
PLAN_TITLES = [
    "关于印发《{y}年度法治政府建设工作要点》的通知", "{y}年市政府重点工作任务分解方案",
    "关于推进“放管服”改革优化营商环境的实施意见（{y}年）", "{y}年度规范性文件清理工作计划",
    "关于开展行政执法“三项制度”落实情况专项督查的通知（{y}）", "{y}年民生实事项目责任分工",
]
TASK_PHRASES = [
    "完善重大行政决策程序制度", "全面推行行政执法公示制度", "加强行政复议规范化建设",
    "推进政务公开标准化", "开展证明事项清理", "落实法律顾问制度", "健全行政裁量权基准",
]
STATES = [("draft", "assigned"), ("assigned", "submitted"), ("submitted", "returned"),
          ("returned", "submitted"), ("submitted", "approved"), ("approved", "archived")]
REASONS = ["", "", "", "按期完成", "材料不全，请补充佐证", "逾期未报送", "经主要负责人审定", "越权访问被拦截"]
PATHS = ["/plans/12/import/", "/admin/auth/user/", "/plans/7/tasks/33/", "/units/import/", "/audit/export.csv"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15",
    "",
]
ROLES = ["", "lead", "member", "supervisor", "admin", "auditor"]
# How often each action occurs (others registered later get weight 1).
WEIGHTS = {
    "auth.login": 300, "auth.logout": 200, "auth.login_failed": 30, "access.denied": 15,
    "access.csrf_refused": 3, "plan.changed": 300, "plan.imported": 5, "plan.deleted": 1,
    "unit.changed": 40, "unit.created": 5, "unit.deleted": 1, "units.imported": 1,
    "auth.user_created": 5, "auth.user_changed": 10, "auth.user_deleted": 1,
    "auth.membership_granted": 8, "auth.membership_revoked": 3,
    "group_term.created": 2, "group_term.changed": 2, "group_term.deleted": 1,
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def fresh_database() -> None:
    """Delete the bench database and migrate a new one (triggers and head row included)."""
    connections.close_all()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def make_people():
    """Users who act in the trail, units they act for, and the auditor who reads it."""
    User = get_user_model()
    User.objects.bulk_create([
        User(username=name, first_name=given, last_name=family, password="!")
        for name, family, given in PEOPLE
    ])
    users = list(User.objects.filter(username__in=[p[0] for p in PEOPLE]).order_by("pk"))
    # The migrations seed the reference unit directory; these only fill in if it is empty.
    Unit.objects.bulk_create([
        Unit(short_name=short, full_name=full, order=i) for i, (short, full) in enumerate(UNIT_NAMES)
    ], ignore_conflicts=True)
    units = list(Unit.objects.order_by("pk"))
    auditor = User.objects.create_superuser("bench-auditor", "auditor@example.invalid", "bench-password")
    return users, units, auditor


def event_fields(rng: random.Random, seq: int, action: str, base: dt.datetime, users, units) -> dict:
    """One realistic event's fields (everything record_event would set but prev_hash and hash)."""
    user_pk, user_text = users[rng.randrange(len(users))]
    unit_pk, unit_text = units[rng.randrange(len(units))] if rng.random() < 0.8 else (None, "")
    anonymous = action in ("auth.login_failed", "access.csrf_refused") and rng.random() < 0.6
    fields = {
        "seq": seq,
        "occurred_at": base + dt.timedelta(seconds=seq, microseconds=rng.randrange(1_000_000)),
        "actor_id": None if anonymous else user_pk,
        "actor_label": "" if anonymous else user_text,
        "unit_id": None if anonymous else unit_pk,
        "unit_label": "" if anonymous else unit_text,
        "role": "" if anonymous else ROLES[rng.randrange(len(ROLES))],
        "action": action,
        "target_type": "", "target_id": "", "target_label": "",
        "plan_id": None, "task_id": None, "assignment_id": None,
        "from_state": "", "to_state": "", "reason": "",
        "request_id": f"{rng.getrandbits(128):032x}",
        "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "user_agent": AGENTS[rng.randrange(len(AGENTS))],
    }
    details: dict = {}
    family = action.split(".", 1)[0]
    if family == "auth":
        other_pk, other_text = users[rng.randrange(len(users))]
        fields.update(target_type="auth.user", target_id=str(other_pk), target_label=other_text)
        if action == "auth.login_failed":
            details = {"username": rng.choice(PEOPLE)[0], "attempt": rng.randrange(1, 6)}
    elif family == "access":
        path = PATHS[rng.randrange(len(PATHS))]
        fields.update(target_type="url", target_label=path, reason="越权操作被拒绝：无权限访问")
        details = {"method": "POST", "path": path}
    elif family in ("unit", "units", "group_term"):
        target_pk, target_text = units[rng.randrange(len(units))]
        fields.update(target_type="workflows.unit", target_id=str(target_pk), target_label=target_text)
        details = {"changed": {"full_name": [target_text, target_text + "（新）"]}, "order": rng.randrange(50)}
    else:  # plan.* and any action a later module registers
        plan_id = PLAN_IDS[rng.randrange(len(PLAN_IDS))]
        title = PLAN_TITLES[plan_id % len(PLAN_TITLES)].format(y=2015 + plan_id % 8)
        fields.update(target_type="workflows.plan", target_id=str(plan_id), target_label=title, plan_id=plan_id)
        if action == "plan.imported":
            details = {"sections": rng.randrange(3, 12), "tasks": rng.randrange(20, 200), "file": f"计划{plan_id}.docx"}
        elif action == "plan.changed" and rng.random() < 0.7:
            task_id = plan_id * 1000 + rng.randrange(200)
            phrase = TASK_PHRASES[task_id % len(TASK_PHRASES)]
            fields.update(task_id=task_id, target_label=f"{title}／任务{task_id % 1000}：{phrase}")
            if rng.random() < 0.6:
                before, after = STATES[rng.randrange(len(STATES))]
                fields.update(assignment_id=task_id * 10 + rng.randrange(10), from_state=before, to_state=after,
                              reason=REASONS[rng.randrange(len(REASONS))])
            details = {"field": "deadline", "old": "2017-06-30", "new": "2017-09-30", "note": phrase}
    fields["details"] = canonical_json(details)
    return fields


def generate(n: int, users, units) -> dict:
    """Bulk-insert a valid chain of n events, hashed exactly as record_event hashes them."""
    rng = random.Random(SEED)
    actions = list(ACTIONS)
    cum, total = [], 0
    for action in actions:
        total += WEIGHTS.get(action, 1)
        cum.append(total)
    user_refs = [(u.pk, f"{u.get_full_name()}（{u.get_username()}）") for u in users]
    unit_refs = [(u.pk, str(u)) for u in units]
    base = dt.datetime(2017, 3, 1, 8, 30, tzinfo=dt.UTC)
    previous = GENESIS_HASH
    build_s = insert_s = 0.0
    started = time.perf_counter()
    seq = 0
    while seq < n:
        t0 = time.perf_counter()
        size = min(BATCH, n - seq)
        batch = []
        for action in rng.choices(actions, cum_weights=cum, k=size):
            seq += 1
            event = AuditEvent(**event_fields(rng, seq, action, base, user_refs, unit_refs), prev_hash=previous)
            event.hash = previous = event_hash(tuple(getattr(event, f) for f in CANONICAL_FIELDS))
            batch.append(event)
        t1 = time.perf_counter()
        with transaction.atomic():
            AuditEvent.objects.bulk_create(batch, batch_size=INSERT_BATCH)
        insert_s += time.perf_counter() - t1
        build_s += t1 - t0
        del batch
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": n, "hash": previous})
    seconds = time.perf_counter() - started
    return {"rows": AuditEvent.objects.count(), "seconds": seconds, "build_s": build_s, "insert_s": insert_s}


def verify(profile: bool) -> dict:
    buffer = io.StringIO()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    try:
        if profiler:
            profiler.enable()
        call_command("verify_audit", "--json", stdout=buffer, stderr=io.StringIO())
        exit_code = 0
    except SystemExit as stop:
        exit_code = stop.code
    finally:
        if profiler:
            profiler.disable()
    seconds = time.perf_counter() - started
    result = json.loads(buffer.getvalue())
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
        print("    cProfile of verify_audit (by own time):")
        print("\n".join("      " + line for line in out.getvalue().strip().splitlines()))
    return {**result, "wall": seconds, "exit": exit_code}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def time_pages(auditor, n: int) -> dict:
    client = Client()
    client.force_login(auditor)
    timeline = reverse("audit:timeline")
    pages = {
        "first page": timeline,
        "action filter": f"{timeline}?action=plan.imported",
        "deep keyset": f"{timeline}?before={n // 2}",
        "plan filter": f"{timeline}?plan={WATCHED_PLAN}",
    }
    results = {}
    for name, url in pages.items():
        response = client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        count = len(queries.captured_queries)
        rows = response.content.count(b"<tr>") - 1  # less the header row
        timings = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        results[name] = {"url": url, "status": response.status_code, "queries": count, "rows": rows,
                         "p50": percentile(timings, 0.50), "p95": percentile(timings, 0.95)}
    return results


def time_checkpoint() -> dict:
    """``audit_checkpoint``: the function (reads the head row, appends one signed line) and the whole
    command with its interpreter start, as cron runs it every few minutes."""
    import subprocess

    from audit.services import write_checkpoint

    target = BENCH_DIR / "bench-checkpoints.jsonl"
    target.unlink(missing_ok=True)
    times = []
    with CaptureQueriesContext(connection) as queries:
        write_checkpoint(target)
    for _ in range(REPEATS):
        started = time.perf_counter()
        write_checkpoint(target)
        times.append((time.perf_counter() - started) * 1000)
    env = {**os.environ, "AUDIT_CHECKPOINT_FILE": str(target), "AUDIT_CHECKPOINT_KEY": settings.AUDIT_CHECKPOINT_KEY}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), "audit_checkpoint", "--file", str(target)],
                          cwd=ROOT, env=env, capture_output=True)
    command = time.perf_counter() - started
    target.unlink(missing_ok=True)
    return {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "queries": len(queries),
            "command_s": command, "exit": done.returncode}


def run(n: int, profile: bool) -> dict:
    print(f"\n=== {n:,} events ===")
    fresh_database()
    users, units, auditor = make_people()
    gen = generate(n, users, units)
    print(f"generate: {gen['rows']:,} rows in {gen['seconds']:.1f} s ({gen['rows'] / gen['seconds']:,.0f} rows/s; "
          f"build + hash {gen['build_s']:.1f} s, bulk_create {gen['insert_s']:.1f} s)")
    connection.close()  # flush the WAL into the file before measuring its size
    size_mb = sum(Path(f"{DB_PATH}{s}").stat().st_size for s in ("", "-wal") if Path(f"{DB_PATH}{s}").exists())
    print(f"database file: {size_mb / 1e6:,.0f} MB ({DB_PATH.relative_to(ROOT)})")
    ver = verify(profile)
    print(f"verify_audit: {ver['wall']:.1f} s wall (verify_rows {ver['seconds']:.1f} s), ok={ver['ok']}, "
          f"verified {ver['events']:,} of {n:,} events, exit {ver['exit']}, head #{ver['head_seq']} "
          f"{ver['head_hash'][:16]}… (aim: under 60 s for 1,000,000)")
    if not ver["ok"]:
        print(f"  problem: first bad seq {ver['first_bad_seq']}: {ver['problem']}")
    pages = time_pages(auditor, n)
    for name, page in pages.items():
        print(f"page {name:<13} {page['url']:<34} HTTP {page['status']}, {page['rows']:>2} rows, "
              f"{page['queries']} queries, p50 {page['p50']:.1f} ms, p95 {page['p95']:.1f} ms ({REPEATS} requests)")
    point = time_checkpoint()
    print(f"audit_checkpoint: write_checkpoint p50 {point['p50']:.1f} ms, p95 {point['p95']:.1f} ms, "
          f"{point['queries']} queries; the command with interpreter start {point['command_s']:.2f} s "
          f"(exit {point['exit']})")
    print(f"peak RSS so far: {rss_mb():,.0f} MB")
    return {"n": n, "generate": gen["seconds"], "verify": ver["wall"], "verified": ver["events"],
            "ok": ver["ok"], "pages": pages, "checkpoint": point}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--profile", action="store_true", help="run verify_audit under cProfile")
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    # Only this run's chain: a checkpoint file left by the test suite would name other hashes.
    settings.AUDIT_CHECKPOINT_FILE = BENCH_DIR / "no-checkpoints.jsonl"
    print(f"audit bench: SQLite {DB_PATH.relative_to(ROOT)}, Django {django.get_version()}, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {len(ACTIONS)} registered actions")

    results = [run(n, args.profile) for n in (args.small, args.events)]

    names = list(results[0]["pages"])
    print("\n=== summary ===")
    print(f"{'events':>10} {'generate s':>11} {'verify s':>9} {'verified':>10} "
          + " ".join(f"{name:>22}" for name in names))
    print(f"{'':>10} {'':>11} {'':>9} {'':>10} " + " ".join(f"{'p50/p95 ms (queries)':>22}" for _ in names))
    for r in results:
        cells = " ".join(f"{p['p50']:>7.1f}/{p['p95']:<6.1f} ({p['queries']:>2} q)".rjust(22) for p in r["pages"].values())
        print(f"{r['n']:>10,} {r['generate']:>11.1f} {r['verify']:>9.1f} {r['verified']:>10,} {cells}")
    counts = [{name: r["pages"][name]["queries"] for name in names} for r in results]
    same = counts[0] == counts[-1]
    print(f"query counts per page {'equal' if same else 'DIFFER'} between {results[0]['n']:,} and "
          f"{results[-1]['n']:,} events: {counts[0]} vs {counts[-1]}")
    print(f"verify_audit at {results[-1]['n']:,} events: {results[-1]['verify']:.1f} s (aim: under 60 s for 1,000,000)")
    print("audit_checkpoint p50: " + ", ".join(f"{r['checkpoint']['p50']:.1f} ms at {r['n']:,} events" for r in results)
          + f"; the command {results[-1]['checkpoint']['command_s']:.2f} s")
    print(f"peak RSS: {rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
