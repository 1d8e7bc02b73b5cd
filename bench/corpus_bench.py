"""Score the plan importer on the corpus of real documents under tests/workflows/importers/corpus/.

    make bench      (or: .venv/bin/python bench/corpus_bench.py [--verbose] [FOLDER ...])

Each folder holds one real document (``document.txt``/``.docx``/``.xlsx``), ``SOURCE.md`` (where it
came from) and ``expected.json``, written by reading the document, never by running the parser.
The scorer parses the document with no mapping, aligns the tasks found with the expected ones by
their text, and counts tasks found, leads right, units right and deadlines right. A folder may
also hold ``mapping.json`` (a layout profile); the document is then scored a second time with it.
Prints figures; asserts nothing (``tests/workflows/importers/test_corpus.py`` holds the aims).
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests/workflows/importers/corpus"
DOCUMENT_NAMES = ("document.txt", "document.csv", "document.docx", "document.xlsx")

_NOT_TEXT = re.compile(r"[\W_]+")


def corpus_folders() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file()) if CORPUS.is_dir() else []


def document_of(folder: Path) -> Path:
    for name in DOCUMENT_NAMES:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{folder}: no document.*")


def _key(text: str) -> str:
    """Compare task texts without spaces, punctuation or full-width forms."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass
class TaskResult:
    number: int
    text: str
    found: bool = False
    lead_right: bool = False
    units_right: bool = False
    deadline_right: bool = False
    problems: list[str] = field(default_factory=list)


@dataclass
class DocumentScore:
    name: str
    level: str
    source_format: str
    expected: int
    parsed: int = 0
    error: str = ""
    tasks: list[TaskResult] = field(default_factory=list)
    mapped: bool = False

    @property
    def found(self) -> int:
        return sum(t.found for t in self.tasks)

    @property
    def leads_right(self) -> int:
        return sum(t.lead_right for t in self.tasks)

    @property
    def units_right(self) -> int:
        return sum(t.units_right for t in self.tasks)

    @property
    def deadlines_right(self) -> int:
        return sum(t.deadline_right for t in self.tasks)

    def share(self, count: int) -> float:
        return count / self.expected if self.expected else 0.0


def _align(expected: list[dict], parsed: list) -> list[tuple[dict, object | None]]:
    """Pair each expected task with the parsed task whose text starts the same way, in order."""
    keys = [_key(t.text) for t in parsed]
    pairs, start = [], 0
    for item in expected:
        want = _key(item["text"])[:12]
        match = None
        for index in range(start, len(parsed)):
            if want and (keys[index].startswith(want) or want in keys[index][:60]):
                match = index
                break
        if match is None:  # out of order: look behind too, once
            match = next((i for i in range(len(parsed)) if want and keys[i].startswith(want)), None)
        if match is not None:
            start = match + 1
        pairs.append((item, parsed[match] if match is not None else None))
    return pairs


def _names(values) -> set[str]:
    """Unit names compared as written, but for full-width forms and spaces (★, brackets count)."""
    return {re.sub(r"\s+", "", unicodedata.normalize("NFKC", v or "")) for v in values}


def score_document(folder: Path, *, mapping: dict | None = None) -> DocumentScore:
    from workflows.importers import LayoutMapping, PlanParseError, parse_plan_file

    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    path = document_of(folder)
    score = DocumentScore(name=folder.name, level=expected.get("level", ""), source_format=path.suffix[1:],
                          expected=len(expected["tasks"]), mapped=mapping is not None)
    try:
        plan = parse_plan_file(path.read_bytes(), path.name,
                               mapping=LayoutMapping.from_dict(mapping) if mapping else None)
    except PlanParseError as exc:
        score.error = exc.display()
        score.tasks = [TaskResult(t["number"], t["text"]) for t in expected["tasks"]]
        return score
    parsed = plan.tasks
    score.parsed = len(parsed)
    for item, task in _align(expected["tasks"], parsed):
        result = TaskResult(item["number"], item["text"])
        score.tasks.append(result)
        if task is None:
            result.problems.append("not found")
            continue
        result.found = True
        result.lead_right = _names(task.lead_units) == _names(item["lead"])
        if not result.lead_right:
            result.problems.append(f"lead {task.lead_units} != {item['lead']}")
        responsible_right = _names(task.responsible_terms) == _names(item["responsible"])
        cooperating_right = _names(task.cooperating_units) == _names(item.get("cooperating", []))
        result.units_right = responsible_right and cooperating_right
        if not responsible_right:
            result.problems.append(f"responsible {task.responsible_terms} != {item['responsible']}")
        if not cooperating_right:
            result.problems.append(f"cooperating {task.cooperating_units} != {item.get('cooperating', [])}")
        due = task.due.isoformat() if task.due else None
        result.deadline_right = due == item.get("due")
        if result.deadline_right and due is None and item.get("deadline"):
            # Not a date (长期坚持, 每季度): the text must be kept as written.
            result.deadline_right = _key(item["deadline"]) in _key(task.deadline_text)
        if not result.deadline_right:
            result.problems.append(f"deadline {due} {task.deadline_text!r} != {item.get('due')} {item.get('deadline')!r}")
    return score


def score_corpus(folders: list[Path] | None = None) -> list[DocumentScore]:
    scores = []
    for folder in folders or corpus_folders():
        scores.append(score_document(folder))
        if (folder / "mapping.json").is_file():
            mapping = json.loads((folder / "mapping.json").read_text(encoding="utf-8"))
            scores.append(score_document(folder, mapping=mapping))
    return scores


def print_scores(scores: list[DocumentScore], *, verbose: bool = False) -> None:
    def pct(value: float) -> str:
        return f"{value * 100:5.1f}%"

    print(f"{'document':42} {'fmt':4} {'level':8} {'tasks':>5} {'found':>6} {'leads':>6} {'units':>6} {'dates':>6}")
    totals = [0, 0, 0, 0, 0]
    for s in scores:
        name = s.name + (" [mapped]" if s.mapped else "")
        print(f"{name[:42]:42} {s.source_format:4} {s.level[:8]:8} {s.expected:5d} {pct(s.share(s.found))} "
              f"{pct(s.share(s.leads_right))} {pct(s.share(s.units_right))} {pct(s.share(s.deadlines_right))}"
              + (f"  ERROR {s.error[:80]}" if s.error else ""))
        if not s.mapped:
            for i, v in enumerate((s.expected, s.found, s.leads_right, s.units_right, s.deadlines_right)):
                totals[i] += v
        if verbose:
            for t in s.tasks:
                if t.problems:
                    print(f"    {t.number:>3} {t.text[:16]}: {'; '.join(t.problems)}")
    if totals[0]:
        print(f"{'all documents, no mapping':42} {'':4} {'':8} {totals[0]:5d} "
              + " ".join(pct(v / totals[0]) for v in totals[1:]))
    worst = min((s.share(s.leads_right) for s in scores if not s.mapped), default=0.0)
    print(f"documents: {sum(not s.mapped for s in scores)}; lowest share of leads right without mapping: {pct(worst)} "
          "(aim: ≥ 95% on every document, 100% after mapping)")


def main(argv: list[str]) -> None:
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    verbose = "--verbose" in argv
    names = [a for a in argv if not a.startswith("--")]
    folders = [CORPUS / n for n in names] if names else None
    print_scores(score_corpus(folders), verbose=verbose)


if __name__ == "__main__":
    main(sys.argv[1:])
