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


ADAPTERS = {"qda", "contracts", "loading"}


def test_case_model_and_pipeline_import_no_adapter() -> None:
    """Issue 12, item 11: only the edge (``resdep.loading``, the command line) picks a reader.

    ``case/load.py`` once imported ``qda`` and ``contracts`` lazily, closing a cycle
    case ↔ qda; the AST walk sees imports inside functions too.
    """
    offenders = []
    for name in DOMAIN:
        paths = (
            [SRC / f"{name}.py"]
            if (SRC / f"{name}.py").exists()
            else list((SRC / name).rglob("*.py"))
        )
        for path in paths:
            bad = _imports(path) & ADAPTERS
            if bad:
                offenders.append(f"{path.relative_to(SRC)} imports {sorted(bad)}")
    assert not offenders, offenders


def test_adapters_never_import_the_edge_that_chooses_them() -> None:
    for name in ("qda", "contracts"):
        for path in (SRC / name).rglob("*.py"):
            assert "loading" not in _imports(path), path.relative_to(SRC)


def test_the_layering_check_sees_a_lazy_import(tmp_path: Path) -> None:
    """The checker is not blind: a function-level import of an adapter is found."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from resdep.qda import load_qdpx_case\n", encoding="utf-8")
    assert _imports(bad) == {"qda"}


def test_public_load_case_reads_folders_and_projects() -> None:
    from resdep.loading import load_any

    assert resdep.load_case is load_any
