"""What import-linter's contracts (pyproject.toml) do not see: circles between modules, and imports
of another app hidden inside a function, where they dodge a circle instead of removing it.

Usage: python scripts/check_imports.py [CHECKOUT]. Prints one line per finding and a summary; exits 1
when there is any. Run by `make test`; tests/test_architecture.py shows that it catches each kind.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

APPS = ("approvals", "workflows", "audit")
RANK = {"approvals": 2, "workflows": 1, "audit": 0}  # an app imports only those below it
SKIP = {"migrations", "__pycache__"}


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if SKIP & set(path.relative_to(root).parts):
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _targets(node: ast.Import | ast.ImportFrom, current: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = current.split(".")
    if node.level:
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                # A package and its own submodules importing each other is not a circle worth naming.
                if len(component) > 1 and not all(m == min(component) or m.startswith(min(component) + ".")
                                                  for m in component):
                    found.append(sorted(component))
    return found


def check(root: Path) -> list[str]:
    """Every finding in the checkout at ``root``, one line each."""
    modules = _modules(root)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    findings = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        inside = {id(n) for f in functions for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = [t for t in _targets(node, name, path.name == "__init__.py") if t in modules]
            if not targets:
                continue
            target = max(targets, key=len)
            if target != name:
                edges[name].add(target)
            source_app, target_app = name.split(".")[0], target.split(".")[0]
            where = f"{path.relative_to(root)}:{node.lineno}"
            if RANK[source_app] < RANK[target_app]:
                findings.append(f"against the layering: {where} imports {target}")
            if id(node) in inside and source_app != target_app:
                findings.append(f"import inside a function, across apps: {where} imports {target}")
    findings += ["import circle: " + " <-> ".join(c) for c in _circles(edges)]
    return findings


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    findings = check(root)
    for line in findings:
        print(line)
    print(f"imports: {len(findings)} finding(s) over {len(_modules(root))} modules "
          "(layering, circles, imports across apps inside functions)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
