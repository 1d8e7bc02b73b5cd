"""The importer scored on real documents it was not written against (tests/workflows/importers/corpus/).

Each folder's expected.json was written by reading the document (SOURCE.md says where it came
from). The aims of the issue: every document ≥ 95% of its tasks found and leads right with no
mapping. ``make bench`` prints the same figures per document (bench/corpus_bench.py).
"""
import json

import pytest

from bench.corpus_bench import corpus_folders, score_document

FOLDERS = corpus_folders()


def test_the_corpus_holds_real_documents_with_their_sources():
    assert len(FOLDERS) >= 12
    for folder in FOLDERS:
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert "http" in source or "github" in source.lower(), folder.name


def test_the_corpus_spans_levels_formats_and_deadline_columns():
    expected = {f.name: json.loads((f / "expected.json").read_text(encoding="utf-8")) for f in FOLDERS}
    local = [name for name, e in expected.items() if e["level"] in ("city", "county", "county-district")]
    with_deadlines = [name for name, e in expected.items() if any(t.get("deadline") for t in e["tasks"])]
    formats = {next(f.glob("document.*")).suffix for f in FOLDERS}

    assert len(local) >= 6, local
    assert len(with_deadlines) >= 4, with_deadlines
    assert {".txt", ".docx", ".xlsx"} <= formats, formats


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_every_document_is_read_with_its_leads_right_without_a_mapping(folder):
    score = score_document(folder)

    assert not score.error, score.error
    problems = [f"{t.number} {t.text[:12]}: {'; '.join(t.problems)}" for t in score.tasks if t.problems]
    assert score.share(score.found) >= 0.95, problems
    assert score.share(score.leads_right) >= 0.95, problems
    assert score.share(score.units_right) >= 0.90, problems
