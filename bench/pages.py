"""Measuring one page for the benchmarks: SQL queries for one request, server time p50/p95, size."""
from __future__ import annotations

import math
import statistics
import time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def measure_page(client, url: str, repeats: int) -> dict:
    """GET ``url`` once to warm caches, once counting queries, then ``repeats`` times timed (ms)."""
    from django.db import connection

    response = client.get(url)
    if response.status_code != 200:
        return {"url": url, "status": response.status_code}
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return {"url": url, "status": 200, "queries": len(queries), "sql": queries, "p50": statistics.median(timings),
            "p95": percentile(timings, 0.95), "bytes": len(response.content)}
