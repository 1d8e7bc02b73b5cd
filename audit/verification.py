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
            bad.append((number, "检查点行不是含 seq、hash、time、mac 的有效 JSON"))
            continue
        if not hmac.compare_digest(point.mac, mac_of(point.seq, point.hash, point.time)):
            bad.append((number, "检查点签名不符（密钥不对，或该行被改动过）"))
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
            return _done(result.fail(expected_seq, f"序号缺口：缺少第 {expected_seq} 条事件"
                                                   f"（其后现存的是第 {seq} 条）"), started)
        if row[prev_index] != previous_hash:
            return _done(result.fail(seq, f"链接断裂：第 {seq} 条事件记载的前一哈希为 "
                                          f"{row[prev_index][:16]}…，而第 {seq - 1} 条事件的哈希为 "
                                          f"{previous_hash[:16]}…"), started)
        recomputed = event_hash(row[:hash_index])
        if recomputed != row[hash_index]:
            return _done(result.fail(seq, f"事件被改动：第 {seq} 条事件重算的哈希为 "
                                          f"{recomputed[:16]}…，存储的哈希为 {row[hash_index][:16]}…"), started)
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
        return _done(result.fail(result.head_seq + 1, f"事件缺失：检查点（第 {first.line} 行）"
                                                      f"证明有第 {first.seq} 条事件，但链止于"
                                                      f"第 {result.head_seq} 条"), started)
    if head is not None and head != (result.head_seq, result.head_hash):
        return _done(result.fail(min(head[0], result.head_seq) + 1,
                                 f"链头记录为第 {head[0]} 条事件（{head[1][:16]}…），但链止于"
                                 f"第 {result.head_seq} 条（{result.head_hash[:16]}…）"), started)
    return _done(result, started)


def _rewritten(point: Checkpoint, checkpoints, recomputed: str) -> str:
    earlier = [c.seq for c in checkpoints if c.seq < point.seq]
    since = max(earlier) + 1 if earlier else 1
    return (f"历史被改写：检查点（第 {point.line} 行，{point.time}）记载第 {point.seq} 条事件的哈希为 "
            f"{point.hash[:16]}…，数据库现为 {recomputed[:16]}…；"
            f"改写发生在第 {since}–{point.seq} 条事件之间")


def _done(result: VerificationResult, started: float) -> VerificationResult:
    result.seconds = round(time.perf_counter() - started, 3)
    return result
