"""resdep.experiments: sweeps, global sensitivity analysis and scale-out (DESIGN §8).

The layer splits as the EMA Workbench does: specification, design, execution, storage
and analysis.

- :mod:`~resdep.experiments.spec`: TOML experiment specifications (typed parameters,
  levers and uncertainties, design, replicates, outcomes).
- :mod:`~resdep.experiments.models`: the :class:`Model` protocol and the built-in
  ``resdep``, ``ishigami`` and ``noisy`` models.
- :mod:`~resdep.experiments.design`: full factorial, Latin hypercube, Sobol and Morris
  designs; per-run seeds from ``SeedSequence.spawn``.
- :mod:`~resdep.experiments.executors`: sequential, process-pool and Dask executors
  behind one interface.
- :mod:`~resdep.experiments.store`: partitioned Parquet results and the run manifest.
- :mod:`~resdep.experiments.runner`: running, resuming and replaying sweeps.
- :mod:`~resdep.experiments.analysis`: Sobol and Morris indices and seed noise.
- :mod:`~resdep.experiments.prim`: PRIM scenario discovery.
- :mod:`~resdep.experiments.report`: CSV and HTML outputs.

Examples
--------
>>> from resdep.experiments import parse_spec, build_design
>>> spec = parse_spec({"experiment": {"model": "ishigami"}, "design": {"method": "sobol", "n": 4},
...                    "parameters": {"x1": {}, "x2": {}}})
>>> build_design(spec).n_runs          # N (d + 2) for first and total order indices
16
"""

from __future__ import annotations

from resdep.experiments.analysis import Analysis, analyze
from resdep.experiments.design import Design, build_design, run_seed
from resdep.experiments.executors import (
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SequentialExecutor,
    make_executor,
)
from resdep.experiments.models import IshigamiModel, Model, NoisyModel, ResdepModel, make_model
from resdep.experiments.prim import prim
from resdep.experiments.runner import ReplayReport, SweepSummary, replay, run_sweep
from resdep.experiments.spec import ExperimentSpec, Parameter, load_spec, parse_spec
from resdep.experiments.store import ResultStore

__all__ = [
    "Analysis",
    "DaskExecutor",
    "Design",
    "Executor",
    "ExperimentSpec",
    "IshigamiModel",
    "Model",
    "NoisyModel",
    "Parameter",
    "ProcessExecutor",
    "ReplayReport",
    "ResdepModel",
    "ResultStore",
    "SequentialExecutor",
    "SweepSummary",
    "analyze",
    "build_design",
    "load_spec",
    "make_executor",
    "make_model",
    "parse_spec",
    "prim",
    "replay",
    "run_seed",
    "run_sweep",
]
