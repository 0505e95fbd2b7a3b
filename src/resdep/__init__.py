"""resdep: resource dependence between governments and social work agencies.

The names a user needs in a notebook:

>>> from resdep import load_case, analyze, founding_case_path
>>> result = analyze(load_case(founding_case_path()), draws=200)
>>> sorted(result.relationships["government"])[:1]
['bureau']
"""

from __future__ import annotations

__version__ = "0.1.0"

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
