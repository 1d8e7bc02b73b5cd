"""Benchmark: a province-scale dataset at 100, 10,000 and 124,000 assignments.

For each size: a fresh database (var/bench/province.sqlite3, or PostgreSQL with --database-url),
filled by ``generate_load_data`` (N plans × 31 tasks × M units × 2 rounds, scaled to the size). Then

1. in process (Django test Client): SQL queries per page and server time p50/p95 for 我的待办, the
   assignment list, an assignment page, the audit timeline and an audit search, and the plan
   dashboard, as a submitter, a lead reviewer, the supervising office and an auditor;
2. under gunicorn (production settings, 2 sync workers) with wrk on loopback: the requests/s of the
   inbox for a signed-in submitter as a ratio to a trivial view served by the same server in the same
   run (``/bench/ping/``, added by a URLconf written to var/bench/, so the product gains no endpoint),
   and the peak RSS of a web worker during the load;
3. transitions per second (start + submit on distinct assignments through the real services, with
   the audit chain) by 1 and 4 processes, then ``verify_audit`` over the result.

Writes every figure to var/bench/province-figures.json and prints them; asserts nothing.

    .venv/bin/python bench/province_bench.py [--sizes 100 10000 124000]
        [--database-url postgres://postgres@127.0.0.1:5432/ps_bench] [--duration 10]
"""
import argparse
import io
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
DB_PATH = BENCH_DIR / "province.sqlite3"
MEDIA = BENCH_DIR / "province-media"
FIGURES = BENCH_DIR / "province-figures.json"
MARKDOWN = ROOT / "docs" / "benchmarks.md"
MARKDOWN_HEAD = """# Benchmarks

Written by `bench/province_bench.py` (each database's section is replaced by its latest run; the raw
figures are in var/bench/province-figures.json). `make bench` runs it at 100 and 10,000 assignments on
SQLite, and on PostgreSQL when one is reachable; the full size is a manual command:

    .venv/bin/python bench/province_bench.py --sizes 100 10000 124000
    .venv/bin/python bench/province_bench.py --sizes 100 10000 124000 \\
        --database-url postgres://postgres@127.0.0.1:5432/plan_supervision_bench

## Province scale
"""
REPEATS = 20
TASKS_PER_PLAN = 31
ROUNDS = 2


def _database_url() -> str:
    for i, arg in enumerate(sys.argv):
        if arg == "--database-url" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--database-url="):
            return arg.split("=", 1)[1]
    return f"sqlite:///{DB_PATH}"


DATABASE_URL = _database_url()
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.pages import measure_page  # noqa: E402

# A URLconf and settings module of the bench's own: the product's pages plus a trivial view.
URLCONF = '''"""Written by bench/province_bench.py: the product's URLs plus a trivial view for comparison."""
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


def ping(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ping/", ping), *product_urlpatterns]
'''
SETTINGS = '''"""Written by bench/province_bench.py: production settings with the bench's URLconf."""
from config.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "province_urls"
'''


# ----- the database --------------------------------------------------------------------------------

def scale(size: int) -> tuple[int, int, int]:
    """(plans, units, rounds) for about ``size`` assignments: plans × 31 tasks × units."""
    plans = max(1, round(size / (TASKS_PER_PLAN * 80)))
    return plans, max(1, round(size / (TASKS_PER_PLAN * plans))), ROUNDS


def fresh_database() -> None:
    connections.close_all()
    if connection.vendor == "sqlite":
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        name = settings.DATABASES["default"]["NAME"]
        if "bench" not in name:
            sys.exit(f"refusing to drop database {name!r}: the bench only recreates databases named *bench*")
        params = {k: v for k, v in {
            "host": settings.DATABASES["default"].get("HOST"), "port": settings.DATABASES["default"].get("PORT"),
            "user": settings.DATABASES["default"].get("USER"),
            "password": settings.DATABASES["default"].get("PASSWORD")}.items() if v}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    shutil.rmtree(MEDIA, ignore_errors=True)
    call_command("migrate", verbosity=0)


def generate(size: int) -> dict:
    plans, units, rounds = scale(size)
    out = io.StringIO()
    started = time.perf_counter()
    call_command("generate_load_data", plans=plans, units=units, rounds=rounds, users_per_unit=2, json=True,
                 stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue())
    summary["wall"] = time.perf_counter() - started
    summary["scale"] = {"plans": plans, "units": units, "rounds": rounds}
    return summary


# ----- pages in process ----------------------------------------------------------------------------

def people() -> dict:
    from workflows.models import Membership

    def first(role, **where):
        found = (Membership.objects.filter(role=role, user__username__startswith="load-", **where)
                 .select_related("user", "unit").order_by("unit__order", "user__username").first())
        return found.user, found.unit

    return {
        "submitter": first("submitter"),
        "reviewer (市政府法制办)": first("reviewer", unit__short_name="市政府法制办"),
        "supervisor (市政府法制办)": first("supervisor", unit__short_name="市政府法制办"),
        "auditor": first("auditor"),
    }


def measure(client: Client, url: str) -> dict:
    client.get(url)
    # Close the connection as a server does after requests (CONN_MAX_AGE): on SQLite that runs the
    # close-time upkeep (PRAGMA optimize, config/sqlite3), so the timed requests use planner
    # statistics as a running server's would; on PostgreSQL it only reconnects.
    connections.close_all()
    return measure_page(client, url, REPEATS)


def richest_assignment(user) -> int | None:
    """The visible assignment with the longest history: the heaviest assignment page."""
    from django.db.models import Count

    from audit.models import AuditEvent
    from workflows.access.scopes import assignments_visible_to

    ids = assignments_visible_to(user).order_by("id").values_list("id", flat=True)[:2000]
    best = (AuditEvent.objects.filter(assignment_id__in=list(ids)).values("assignment_id")
            .annotate(n=Count("seq")).order_by("-n", "assignment_id").first())
    return best["assignment_id"] if best else None


def pages(users: dict, plan_id: int) -> dict:
    from workflows.access.scopes import assignments_visible_to
    from workflows.selectors.inbox import assignments_awaiting

    figures = {}
    for label, (user, _unit) in users.items():
        client = Client(raise_request_exception=False)  # a page that fails is recorded as its HTTP status
        client.force_login(user)
        some = richest_assignment(user)
        urls = {}
        if not label.startswith("auditor"):
            urls["inbox"] = reverse("approvals:inbox")
        urls["assignment list"] = reverse("approvals:assignment_list")
        if some:
            urls["assignment page"] = reverse("approvals:assignment_detail", args=[some])
        if label.startswith("auditor"):
            timeline = reverse("audit:timeline")
            urls["audit timeline"] = timeline
            urls["audit search"] = f"{timeline}?action=assignment.submitted&unit={users['submitter'][1].short_name}"
            urls["audit plan filter"] = f"{timeline}?plan={plan_id}"
        if label.startswith(("supervisor", "auditor")):
            urls["dashboard"] = reverse("approvals:dashboard", args=[plan_id])
        visible, waiting = assignments_visible_to(user).count(), assignments_awaiting(user).count()
        print(f"{label} {user.username}: sees {visible:,}, inbox holds {waiting:,}")
        figures[label] = {"user": user.username, "sees": visible, "inbox": waiting, "pages": {}}
        for page, url in urls.items():
            result = measure(client, url)
            figures[label]["pages"][page] = result
            if result["status"] == 501 and page == "dashboard":
                print(f"  {page:<18} not available yet (HTTP 501)")
            elif result["status"] != 200:
                print(f"  {page:<18} HTTP {result['status']}  {url}")
            else:
                print(f"  {page:<18} HTTP 200  {result['queries']:>3} queries  p50 {result['p50']:7.1f} ms  "
                      f"p95 {result['p95']:7.1f} ms  {result['bytes'] // 1024:>4} KiB")
    return figures


# ----- gunicorn and wrk ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    """A signed-in session for ``user``, as the login page would leave it."""
    from approvals.middleware import SEEN_AT, SIGNED_IN_AT

    client = Client()
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = session[SEEN_AT] = time.time()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def get(url: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def wrk(url: str, cookie: str, seconds: int, connections_: int) -> dict:
    command = ["wrk", "-t1", f"-c{connections_}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    return {"rps": rps, "non_2xx": int(bad.group(1)) if bad else 0, "latency": latency}


def under_gunicorn(user, seconds: int, workers: int = 2, connections_: int = 4) -> dict:
    if not shutil.which("wrk"):
        print("gunicorn: wrk is not installed (apt-get install -y wrk): skipped")
        return {"skipped": "wrk not installed"}
    (BENCH_DIR / "province_urls.py").write_text(URLCONF, encoding="utf-8")
    (BENCH_DIR / "province_settings.py").write_text(SETTINGS, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "province_settings", "DATABASE_URL": DATABASE_URL,
           # The bench's key: the session made here must be valid there.
           "DJANGO_SECRET_KEY": settings.SECRET_KEY, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
           "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_MEDIA_ROOT": str(MEDIA),
           "PYTHONPATH": f"{ROOT}{os.pathsep}{BENCH_DIR}"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = BENCH_DIR / "province-gunicorn.log"
    with open(log, "wb") as log_file:
        server = subprocess.Popen([str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "config.wsgi:application"],
                                  cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    cookie = session_cookie(user)
    try:
        for _ in range(100):
            time.sleep(0.2)
            try:
                if get(f"{base}/bench/ping/", cookie)[0] == 200:
                    break
            except OSError:
                continue
        else:
            raise RuntimeError(f"gunicorn did not start; see {log}")
        inbox_url = base + reverse("approvals:inbox")
        status, body = get(inbox_url, cookie)
        if status != 200 or "我的待办".encode() not in body:
            raise RuntimeError(f"the inbox answered HTTP {status} to the session cookie")
        ping_url = f"{base}/bench/ping/"
        wrk(ping_url, cookie, 2, connections_)  # warm both up: every worker imports and connects
        wrk(inbox_url, cookie, 2, connections_)
        peak = {"value": 0}

        def sampled(url):
            result = {}

            def run():
                result.update(wrk(url, cookie, seconds, connections_))

            thread = threading.Thread(target=run)
            thread.start()
            while thread.is_alive():
                for pid in children(server.pid):
                    peak["value"] = max(peak["value"], status_kb(pid, "VmRSS"))
                time.sleep(0.25)
            thread.join()
            return result

        ping = sampled(ping_url)
        inbox = sampled(inbox_url)
        hwm = max((status_kb(pid, "VmHWM") for pid in children(server.pid)), default=0)
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = {"workers": workers, "connections": connections_, "seconds": seconds, "ping": ping, "inbox": inbox,
               "ratio": inbox["rps"] / ping["rps"] if ping["rps"] else None,
               "worker_rss_peak_mb": round(max(peak["value"], hwm) / 1024, 1)}
    print(f"gunicorn ({workers} sync workers, wrk -c{connections_}, {seconds} s each): "
          f"ping {ping['rps']:,.0f} req/s, inbox {inbox['rps']:,.1f} req/s "
          f"(p50 {inbox['latency'].get('50')}, p99 {inbox['latency'].get('99')}), "
          f"ratio {figures['ratio']:.3f} (aim ≥ 0.25); non-2xx: ping {ping['non_2xx']}, inbox {inbox['non_2xx']}; "
          f"worker peak RSS {figures['worker_rss_peak_mb']} MB")
    return figures


# ----- transitions ---------------------------------------------------------------------------------

def _transition_worker(assignments: list[tuple[int, int]], seconds: float, queue) -> None:
    """Start and submit each (assignment, submitter) through the real services, for up to ``seconds``."""
    from django.contrib.auth import get_user_model

    from workflows.services.assignments import assignment_start, assignment_submit
    from workflows.services.errors import ActionError

    connections.close_all()
    users = get_user_model().objects.in_bulk({u for _a, u in assignments})
    done = errors = 0
    started = time.perf_counter()
    for assignment_id, user_id in assignments:
        if time.perf_counter() - started > seconds:
            break
        try:
            assignment_start(actor=users[user_id], assignment_id=assignment_id)
            done += 1
            assignment_submit(actor=users[user_id], assignment_id=assignment_id, report="压测报送：已完成。",
                              no_file_statement="压测：无佐证材料")
            done += 1
        except ActionError:
            errors += 1
    queue.put((done, errors, time.perf_counter() - started))
    connections.close_all()


def transitions(worker_counts: list[int], seconds: float) -> dict:
    from workflows.models import Assignment, Membership

    submitter_of = {}
    for unit_id, user_id in (Membership.objects.filter(role="submitter", user__username__startswith="load-")
                             .order_by("user__username").values_list("unit_id", "user_id")):
        submitter_of.setdefault(unit_id, user_id)
    pool = [(a, submitter_of[u]) for a, u in Assignment.objects.filter(state="assigned", unit_id__in=submitter_of)
            .order_by("id").values_list("id", "unit_id")]
    figures = {}
    context = multiprocessing.get_context("fork")
    for i, n in enumerate(worker_counts):
        batch = pool[i::len(worker_counts)]  # each run its own assignments
        if not batch:
            print(f"transitions with {n} processes: no assigned assignments left")
            continue
        connections.close_all()
        queue = context.Queue()
        workers = [context.Process(target=_transition_worker, args=(batch[k::n], seconds, queue)) for k in range(n)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        results = [queue.get() for _ in workers]
        for worker in workers:
            worker.join()
        wall = time.perf_counter() - started
        done, errors = sum(r[0] for r in results), sum(r[1] for r in results)
        busy = max(r[2] for r in results)
        figures[n] = {"transitions": done, "errors": errors, "seconds": round(busy, 2),
                      "per_second": round(done / busy, 1) if busy else None, "wall": round(wall, 2)}
        print(f"transitions ({connection.vendor}, audit chain) with {n} process{'es' if n > 1 else ''}: "
              f"{done} in {busy:.1f} s = {figures[n]['per_second']} /s, errors {errors}")
    return figures


def verify() -> dict:
    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("verify_audit", "--json", stdout=out, stderr=io.StringIO())
    except SystemExit:
        pass
    result = json.loads(out.getvalue())
    return {"ok": result["ok"], "events": result["events"], "seconds": round(time.perf_counter() - started, 2)}


# ----- the run -------------------------------------------------------------------------------------

def run(size: int, args) -> dict:
    fresh_database()
    summary = generate(size)
    counts = summary["counts"]
    scale_ = summary["scale"]
    print(f"\n=== {counts['assignments']:,} assignments ({scale_['plans']} plans × 31 tasks × "
          f"{scale_['units']} units, each task to about {scale_['units'] / scale_['rounds']:.0f} of them "
          f"in each of {scale_['rounds']} rounds; "
          f"{counts['audit_events']:,} audit events; {connection.vendor}) ===")
    print(f"generate_load_data: {summary['seconds']:.1f} s  "
          + ", ".join(f"{p['phase']} {p['seconds']:.1f}" for p in summary["phases"]))
    users = people()
    figures = {"assignments": counts["assignments"], "generate": {k: summary[k] for k in ("seconds", "counts",
                                                                                          "phases", "scale")}}
    figures["pages"] = pages(users, summary["plan_ids"][0])
    if not args.skip_gunicorn:
        figures["gunicorn"] = under_gunicorn(users["submitter"][0], args.duration)
    if not args.skip_transitions:
        figures["transitions"] = transitions(args.transition_workers, args.duration)
        figures["verify_after_transitions"] = verify()
        print(f"verify_audit after the transitions: ok={figures['verify_after_transitions']['ok']}, "
              f"{figures['verify_after_transitions']['events']:,} events, "
              f"{figures['verify_after_transitions']['seconds']} s")
    return figures


def summary_table(results: dict) -> None:
    print("\n=== summary: queries (p50 / p95 ms) per page ===")
    sizes = list(results)
    rows = {}
    for size in sizes:
        for label, who in results[size]["pages"].items():
            for page, r in who["pages"].items():
                rows.setdefault((label, page), {})[size] = r
    print(f"{'':<46}" + "".join(f"{results[s]['assignments']:>26,}" for s in sizes))
    for (label, page), by_size in rows.items():
        cells = []
        for size in sizes:
            r = by_size.get(size)
            if r is None:
                cells.append(f"{'-':>26}")
            elif r["status"] == 501:
                cells.append(f"{'not available yet':>26}")
            elif r["status"] != 200:
                cells.append(f"{'HTTP ' + str(r['status']):>26}")
            else:
                cells.append(f"{r['queries']:>4} q {r['p50']:7.1f} / {r['p95']:7.1f} ms")
        print(f"{label:<28}{page:<18}" + "".join(cells))
    for size in sizes:
        g = results[size].get("gunicorn") or {}
        t = results[size].get("transitions") or {}
        line = f"{results[size]['assignments']:>9,}: generate {results[size]['generate']['seconds']:.1f} s"
        if "ratio" in g:
            line += (f"; inbox/ping {g['inbox']['rps']:.1f}/{g['ping']['rps']:.0f} req/s = {g['ratio']:.3f}"
                     f"; worker RSS {g['worker_rss_peak_mb']} MB")
        if t:
            line += "; transitions/s " + ", ".join(f"{n} proc {v['per_second']}" for n, v in t.items())
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 10_000, 124_000])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database named *bench* (dropped and created)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run and per transition run")
    parser.add_argument("--transition-workers", nargs="+", type=int, default=[1, 4])
    parser.add_argument("--skip-gunicorn", action="store_true")
    parser.add_argument("--skip-transitions", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = MEDIA
    settings.AUDIT_CHECKPOINT_FILE = BENCH_DIR / "no-checkpoints.jsonl"
    where = (f"database {settings.DATABASES['default']['NAME']}" if connection.vendor == "postgresql"
             else DB_PATH.relative_to(ROOT))
    print(f"province bench: {connection.vendor} ({where}), Django {django.get_version()}, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    results = {size: run(size, args) for size in args.sizes}
    summary_table(results)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    previous = json.loads(FIGURES.read_text(encoding="utf-8")) if FIGURES.exists() else {}
    runs = previous.get("runs", {}) if isinstance(previous, dict) else {}
    run_ = runs.setdefault(connection.vendor, {"sizes": {}})
    # The command as given, with any password in the database URL masked. Sizes measured by an earlier
    # run keep their own figures, date and command (make bench re-measures only the small sizes).
    command = re.sub(r"(://[^:/@\s]+):[^@\s]+@", r"\1:***@",
                     " ".join(["python", "bench/province_bench.py", *sys.argv[1:]]))
    at = time.strftime("%Y-%m-%d %H:%M %Z")
    run_["cpus"] = os.cpu_count()
    run_["sizes"].update({str(size): {**figures, "at": at, "command": command} for size, figures in results.items()})
    FIGURES.write_text(json.dumps({"runs": runs}, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    write_markdown(connection.vendor, run_)
    print(f"figures written to {FIGURES.relative_to(ROOT)} and {MARKDOWN.relative_to(ROOT)}")


def markdown_section(vendor: str, run_: dict) -> str:
    """The figures of one database's latest run, as a section of docs/benchmarks.md."""
    sizes = sorted(run_["sizes"].values(), key=lambda f: f["assignments"])
    measured = {}
    for f in sizes:
        measured.setdefault((f.get("command", "python bench/province_bench.py"), f.get("at", "")), []).append(
            f"{f['assignments']:,}")
    lines = [f"### {vendor}", "", f"Measured on {run_['cpus']} CPUs by:", "",
             *(f"- `{command}` ({at}): {', '.join(sizes_)} assignments" for (command, at), sizes_ in measured.items()),
             "",
             "Queries per page and server time p50 / p95 (ms), in process:", "",
             "| person | page | " + " | ".join(f"{f['assignments']:,} assignments" for f in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]
    rows = {}
    for f in sizes:
        for label, who in f["pages"].items():
            for page, r in who["pages"].items():
                rows.setdefault((label, page), {})[f["assignments"]] = r
    for (label, page), by_size in rows.items():
        cells = []
        for f in sizes:
            r = by_size.get(f["assignments"])
            cells.append("–" if r is None else f"HTTP {r['status']}" if r["status"] != 200
                         else f"{r['queries']} q, {r['p50']:.1f} / {r['p95']:.1f}")
        lines.append(f"| {label} | {page} | " + " | ".join(cells) + " |")
    lines += ["", "| assignments | generate (s) | inbox / ping req/s under gunicorn | ratio (aim ≥ 0.25) | "
              "web worker peak RSS (MB) | transitions/s (1 / 4 processes) | verify_audit |",
              "|---|---|---|---|---|---|---|"]
    for f in sizes:
        g, t, v = f.get("gunicorn") or {}, f.get("transitions") or {}, f.get("verify_after_transitions") or {}
        ratio = (f"{g['inbox']['rps']:.1f} / {g['ping']['rps']:.0f}", f"{g['ratio']:.3f}") if g.get("ratio") else ("–", "–")
        lines.append(f"| {f['assignments']:,} | {f['generate']['seconds']:.1f} | {ratio[0]} | {ratio[1]} | "
                     f"{g.get('worker_rss_peak_mb', '–')} | "
                     + (" / ".join(str(t[k]["per_second"]) for k in t) or "–") + " | "
                     + (f"{v['events']:,} events in {v['seconds']} s, ok={v['ok']}" if v else "–") + " |")
    return "\n".join(lines) + "\n"


def write_markdown(vendor: str, run_: dict) -> None:
    """Replace this database's section of docs/benchmarks.md (between its markers), keeping the rest."""
    begin, end = f"<!-- province-bench:{vendor} -->", f"<!-- /province-bench:{vendor} -->"
    text = MARKDOWN.read_text(encoding="utf-8") if MARKDOWN.exists() else MARKDOWN_HEAD
    block = f"{begin}\n{markdown_section(vendor, run_)}{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    MARKDOWN.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
