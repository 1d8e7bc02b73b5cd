"""Check the audit chain: gaps, links, every recomputed hash, the head, and the checkpoints."""
from __future__ import annotations

import hmac
import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .chain import CANONICAL_FIELDS, GENESIS_HASH, event_hash


@dataclass
class Checkpoint:
    line: int
    seq: int
    hash: str
    time: str
    mac: str


@dataclass
class VerificationResult:
    ok: bool = True
    events: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    first_bad_seq: int | None = None
    problem: str = ""
    checkpoints: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def fail(self, seq: int | None, problem: str) -> VerificationResult:
        if self.ok:  # keep the first failure: it is where the damage starts
            self.ok, self.first_bad_seq, self.problem = False, seq, problem
        return self

    def to_dict(self) -> dict:
        return asdict(self)


def read_checkpoints(path: Path, mac_of) -> tuple[list[Checkpoint], list[tuple[int, str]]]:
    """Read a checkpoint file; return the checkpoints and (line, problem) for bad lines."""
    checkpoints, bad = [], []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            item = json.loads(text)
            point = Checkpoint(number, int(item["seq"]), str(item["hash"]), str(item["time"]), str(item["mac"]))
        except (ValueError, KeyError, TypeError):
            bad.append((number, "checkpoint line is not valid JSON with seq, hash, time and mac"))
            continue
        if not hmac.compare_digest(point.mac, mac_of(point.seq, point.hash, point.time)):
            bad.append((number, "checkpoint signature does not match (wrong key, or the line was edited)"))
            continue
        checkpoints.append(point)
    return checkpoints, bad


def verify_rows(
    rows: Iterable[tuple],
    *,
    head: tuple[int, str] | None,
    checkpoints: list[Checkpoint] = (),
) -> VerificationResult:
    """Verify events given as tuples of CANONICAL_FIELDS values followed by the stored hash.

    Rows must come in ascending ``seq`` order. Stops at the first failure and names its seq.
    """
    started = time.perf_counter()
    result = VerificationResult()
    by_seq = {c.seq: c for c in checkpoints}
    expected_seq, previous_hash = 1, GENESIS_HASH
    hash_index = len(CANONICAL_FIELDS)
    prev_index = CANONICAL_FIELDS.index("prev_hash")
    for row in rows:
        seq = row[0]
        if seq != expected_seq:
            return _done(result.fail(expected_seq, f"sequence gap: event {expected_seq} is missing "
                                                   f"(next present is {seq})"), started)
        if row[prev_index] != previous_hash:
            return _done(result.fail(seq, f"broken link: event {seq} names previous hash "
                                          f"{row[prev_index][:16]}…, but event {seq - 1} has "
                                          f"{previous_hash[:16]}…"), started)
        recomputed = event_hash(row[:hash_index])
        if recomputed != row[hash_index]:
            return _done(result.fail(seq, f"altered event: recomputed hash of event {seq} is "
                                          f"{recomputed[:16]}…, stored hash is {row[hash_index][:16]}…"), started)
        point = by_seq.get(seq)
        if point is not None:
            result.checkpoints += 1
            if point.hash != recomputed:
                return _done(result.fail(seq, _rewritten(point, checkpoints, recomputed)), started)
        previous_hash, expected_seq = recomputed, seq + 1
        result.events += 1
    result.head_seq, result.head_hash = expected_seq - 1, previous_hash
    beyond = [c for c in checkpoints if c.seq > result.head_seq]
    if beyond:
        first = min(beyond, key=lambda c: c.seq)
        return _done(result.fail(result.head_seq + 1, f"events missing: checkpoint (line {first.line}) "
                                                      f"vouches for event {first.seq}, but the chain ends "
                                                      f"at event {result.head_seq}"), started)
    if head is not None and head != (result.head_seq, result.head_hash):
        return _done(result.fail(min(head[0], result.head_seq) + 1,
                                 f"head row says event {head[0]} ({head[1][:16]}…), but the chain ends at "
                                 f"event {result.head_seq} ({result.head_hash[:16]}…)"), started)
    return _done(result, started)


def _rewritten(point: Checkpoint, checkpoints, recomputed: str) -> str:
    earlier = [c.seq for c in checkpoints if c.seq < point.seq]
    since = max(earlier) + 1 if earlier else 1
    return (f"history rewritten: checkpoint (line {point.line}, {point.time}) recorded hash "
            f"{point.hash[:16]}… for event {point.seq}, the database now gives {recomputed[:16]}…; "
            f"the rewrite lies within events {since}–{point.seq}")


def _done(result: VerificationResult, started: float) -> VerificationResult:
    result.seconds = round(time.perf_counter() - started, 3)
    return result
