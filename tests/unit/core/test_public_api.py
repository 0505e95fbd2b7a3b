"""The public API is pinned, and inner packages never import outer ones."""

from __future__ import annotations

import ast
from pathlib import Path

import resdep

SRC = Path(resdep.__file__).resolve().parent

EXPECTED = {
    "Analysis", "AnalysisParams", "Case", "ClassifyParams", "DependenceParams", "InputError",
    "Label", "ResdepError", "Resource", "Stage", "StageState", "__version__", "analyze",
    "founding_case_path", "load_case", "write_outputs",
}  # fmt: skip

# the domain, innermost first; a package may import only packages to its left (and itself)
DOMAIN = [
    "errors",
    "vocab",
    "textio",
    "dependence",
    "classify",
    "parameters",
    "case",
    "evidence",
    "pipeline",
]
OUTER = {"report", "web", "cli", "commands", "outputs"}


def test_exported_names_are_pinned() -> None:
    assert set(resdep.__all__) == EXPECTED
    for name in resdep.__all__:
        assert hasattr(resdep, name), name


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("resdep."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("resdep.")}
    return found


def test_domain_never_imports_report_web_or_cli() -> None:
    offenders = []
    for name in DOMAIN:
        paths = (
            [SRC / f"{name}.py"]
            if (SRC / f"{name}.py").exists()
            else list((SRC / name).rglob("*.py"))
        )
        for path in paths:
            bad = _imports(path) & OUTER
            if bad:
                offenders.append(f"{path.relative_to(SRC)} imports {sorted(bad)}")
    assert not offenders, offenders


def test_inner_domain_layers_do_not_import_later_ones() -> None:
    for i, name in enumerate(DOMAIN):
        later = set(DOMAIN[i + 1 :])
        paths = (
            [SRC / f"{name}.py"]
            if (SRC / f"{name}.py").exists()
            else list((SRC / name).rglob("*.py"))
        )
        for path in paths:
            assert not (_imports(path) & later), (
                f"{path.relative_to(SRC)} imports a later layer: {_imports(path) & later}"
            )
