"""resdep: resource dependence between governments and social work agencies.

The names a user needs in a notebook:

>>> from resdep import load_case, analyze, founding_case_path
>>> result = analyze(load_case(founding_case_path()), draws=200)
>>> sorted(result.relationships["government"])[:1]
['bureau']

The names are imported on first use (``import resdep`` alone loads none of numpy, pandas
or matplotlib), so the command line starts quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the static view of the lazily imported names
    from resdep.case import Case
    from resdep.classify import ClassifyParams
    from resdep.data import founding_case_path
    from resdep.dependence import DependenceParams
    from resdep.errors import InputError, ResdepError
    from resdep.loading import load_any as load_case
    from resdep.outputs import write_outputs
    from resdep.parameters import AnalysisParams
    from resdep.pipeline import Analysis, analyze
    from resdep.vocab import Label, Resource, Stage, StageState

#: Where each public name lives, as ``module`` or ``module:attribute`` (imported by
#: :func:`__getattr__` on first use).
_LAZY: dict[str, str] = {
    "Analysis": "resdep.pipeline",
    "AnalysisParams": "resdep.parameters",
    "Case": "resdep.case",
    "ClassifyParams": "resdep.classify",
    "DependenceParams": "resdep.dependence",
    "InputError": "resdep.errors",
    "Label": "resdep.vocab",
    "ResdepError": "resdep.errors",
    "Resource": "resdep.vocab",
    "Stage": "resdep.vocab",
    "StageState": "resdep.vocab",
    "analyze": "resdep.pipeline",
    "founding_case_path": "resdep.data",
    "load_case": "resdep.loading:load_any",
    "write_outputs": "resdep.outputs",
}

__all__ = [
    "Analysis",
    "AnalysisParams",
    "Case",
    "ClassifyParams",
    "DependenceParams",
    "InputError",
    "Label",
    "ResdepError",
    "Resource",
    "Stage",
    "StageState",
    "__version__",
    "analyze",
    "founding_case_path",
    "load_case",
    "write_outputs",
]


def __getattr__(name: str) -> Any:
    """Import a public name (or a sub-package such as ``resdep.simulate``) on first use."""
    if name in _LAZY:
        module, _, attr = _LAZY[name].partition(":")
        value = getattr(importlib.import_module(module), attr or name)
        globals()[name] = value
        return value
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
