"""The one rule of docs/architecture.md: approvals → workflows → audit, nothing going back, no
circles between modules, no import of another app hidden inside a function. Both checkers run in
`make test`; here each is shown to pass on the code and to fail on a planted break."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

spec = importlib.util.spec_from_file_location("check_imports", ROOT / "scripts" / "check_imports.py")
check_imports = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_imports)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of the three apps and the contracts, to break on purpose."""
    for app in ("approvals", "workflows", "audit"):
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_code_has_no_import_against_the_layers_no_circle_and_no_hidden_cross_app_import():
    assert check_imports.check(ROOT) == []


def test_an_import_from_the_record_up_into_the_domain_is_found(checkout):
    _append(checkout / "audit" / "chain.py", "\nfrom workflows import lights  # noqa\n")
    assert check_imports.check(checkout) == ["against the layering: audit/chain.py:57 imports workflows.lights"]


def test_an_import_of_the_domain_inside_a_function_of_a_screen_is_found(checkout):
    _append(checkout / "approvals" / "context_processors.py",
            "\n\ndef late():\n    from workflows import lights  # noqa\n")
    found = check_imports.check(checkout)
    assert len(found) == 1 and found[0].startswith("import inside a function, across apps: "
                                                   "approvals/context_processors.py:")


def test_two_services_importing_each_other_are_a_circle(checkout):
    _append(checkout / "workflows" / "services" / "common.py", "\nfrom . import transfers  # noqa\n")
    found = check_imports.check(checkout)
    assert len(found) == 1 and found[0].startswith("import circle: ")
    assert "workflows.services.common" in found[0] and "workflows.services.transfers" in found[0]


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (requirements-dev.txt)")
def test_the_import_linter_contracts_hold_and_break_when_the_record_imports_a_screen(checkout):
    def lint(cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)})

    kept = lint(checkout)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "3 kept, 0 broken" in kept.stdout
    _append(checkout / "audit" / "chain.py", "\nimport approvals.urls  # noqa\n")
    broken = lint(checkout)
    assert broken.returncode == 1
    assert "approvals > workflows > audit BROKEN" in broken.stdout.replace("\n", " ")
