"""Benchmark: parse time of the reference notice (aim: under 50 ms). Prints figures; asserts nothing.

    make bench      (or: .venv/bin/python bench/parse_reference.py [repeats])
"""
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from workflows.importers import parse_plan_file  # noqa: E402

REFERENCE = Path(__file__).resolve().parent.parent / "workflows/data/reference_plan_kunzhengbanfa_2017_169.txt"


def main(repeats: int) -> None:
    data = REFERENCE.read_bytes()
    start = time.perf_counter()
    first = parse_plan_file(data, REFERENCE.name)
    cold = (time.perf_counter() - start) * 1000
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        parse_plan_file(data, REFERENCE.name)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(f"reference notice: {len(data)} bytes, {len(first.sections)} sections, {len(first.tasks)} tasks")
    print(f"parse time, first call (cold): {cold:.1f} ms")
    print(
        f"parse time over {repeats} runs: min {timings[0]:.1f} ms, median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms (aim: under 50 ms)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
