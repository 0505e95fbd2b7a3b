"""Models a sweep can run: a small protocol and three built-in implementations.

A model maps one parameter point and one integer seed to a dictionary of scalar
outcomes. Executors ship the model object itself to their workers, so a model must be
picklable and cheap to copy: the built-ins are frozen dataclasses that hold only their
options and import heavy code lazily.

- :class:`IshigamiModel`: SALib's Ishigami–Homma test function (deterministic), whose
  Sobol indices are known analytically; for tests and for checking the analysis path.
- :class:`NoisyModel`: a linear toy model with Gaussian seed noise of known size; for
  testing replicates and the seed-noise share.
- :class:`ResdepModel`: the purchase-system simulation (:func:`resdep.simulate.run_summary`),
  imported only when first used.

Examples
--------
>>> model = make_model("noisy", {"noise_sd": 0.0})
>>> model.evaluate({"a": 0.5, "b": 0.25}, seed=1)
{'y': 1.0, 'z': 0.125}
"""

from __future__ import annotations

import hashlib
import importlib
import math
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from resdep.errors import ExperimentSpecError, ScenarioError, closest

__all__ = [
    "MODELS",
    "IshigamiModel",
    "Model",
    "NoisyModel",
    "ParamInfo",
    "ParamValue",
    "ResdepModel",
    "make_model",
]

#: A parameter value as a model receives it.
ParamValue = float | int | str


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamInfo:
    """What a model says about one of its parameters.

    ``resdep.simulate.parameter_space`` returns objects with the same attributes.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[ParamValue, ...] = ()
    default: ParamValue | None = None
    doc: str = ""


@runtime_checkable
class Model(Protocol):
    """What a sweep needs from a model."""

    @property
    def name(self) -> str:
        """Short name, as in the spec's ``model`` key."""

    @property
    def stochastic(self) -> bool:
        """Whether outcomes depend on the seed."""

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Names of the outcomes :meth:`evaluate` returns."""

    def parameter_space(self) -> Mapping[str, Any]:
        """Parameters the model accepts, as objects shaped like :class:`ParamInfo`."""

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        """Raise an :class:`~resdep.errors.InputError` if ``params`` cannot be run."""

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        """Run once; deterministic given ``params`` and ``seed``."""


def _check_known(params: Mapping[str, ParamValue], space: Mapping[str, Any], model: str) -> None:
    for key in params:
        if key not in space:
            raise ScenarioError(
                f"model {model!r} has no parameter {key!r}",
                place=key,
                fix=closest(key, space),
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class IshigamiModel:
    """The Ishigami–Homma function ``sin x1 + a sin² x2 + b x3⁴ sin x1`` (SALib's).

    Parameters ``x1, x2, x3`` are uniform on ``[-π, π]``; the outcome is ``y``. The
    evaluation calls :func:`SALib.test_functions.Ishigami.evaluate` so that results are
    bit-for-bit those of SALib.

    References
    ----------
    Ishigami, T., Homma, T. (1990). An importance quantification technique in
    uncertainty analysis for computer models. Proc. ISUMA '90, 398–403.

    Examples
    --------
    >>> round(IshigamiModel().evaluate({"x1": 0.0, "x2": 1.0, "x3": 2.0}, seed=0)["y"], 6)
    4.956514
    """

    a: float = 7.0
    b: float = 0.1

    @property
    def name(self) -> str:
        return "ishigami"

    @property
    def stochastic(self) -> bool:
        return False

    @property
    def outcomes(self) -> tuple[str, ...]:
        return ("y",)

    def parameter_space(self) -> Mapping[str, ParamInfo]:
        return {
            x: ParamInfo(kind="real", low=-math.pi, high=math.pi, default=0.0, doc="input")
            for x in ("x1", "x2", "x3")
        }

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        _check_known(params, self.parameter_space(), self.name)

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        from SALib.test_functions import Ishigami

        row = np.array([[float(params.get(x, 0.0)) for x in ("x1", "x2", "x3")]])
        return {"y": float(Ishigami.evaluate(row, A=self.a, B=self.b)[0])}


@dataclass(frozen=True, slots=True, kw_only=True)
class NoisyModel:
    """A toy stochastic model: ``y = a + 2 b + noise_sd · ε`` and ``z = a · b``.

    ``a`` and ``b`` are uniform on ``[0, 1]``; ``ε`` is standard normal, drawn from a
    generator seeded by the run's seed. With both inputs uniform the seed-noise share of
    ``y`` is ``noise_sd² / (5/12 + noise_sd²)``; ``z`` carries no noise. ``delay`` makes
    each run sleep that many seconds (to test batching, progress and interruption), and
    ``mode`` (``"plain"`` or ``"shifted"``) is a categorical input that adds 1 to ``y``
    when ``"shifted"``.

    Examples
    --------
    >>> m = NoisyModel(noise_sd=0.5)
    >>> m.evaluate({"a": 0.2, "b": 0.1}, seed=7) == m.evaluate({"a": 0.2, "b": 0.1}, seed=7)
    True
    """

    noise_sd: float = 0.5
    delay: float = 0.0

    @property
    def name(self) -> str:
        return "noisy"

    @property
    def stochastic(self) -> bool:
        return self.noise_sd != 0.0

    @property
    def outcomes(self) -> tuple[str, ...]:
        return ("y", "z")

    def parameter_space(self) -> Mapping[str, ParamInfo]:
        return {
            "a": ParamInfo(kind="real", low=0.0, high=1.0, default=0.5, doc="first input"),
            "b": ParamInfo(kind="real", low=0.0, high=1.0, default=0.5, doc="second input"),
            "k": ParamInfo(kind="integer", low=0, high=5, default=0, doc="added to z"),
            "mode": ParamInfo(
                kind="categorical", choices=("plain", "shifted"), default="plain", doc="shift"
            ),
        }

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        _check_known(params, self.parameter_space(), self.name)

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        if self.delay > 0:
            time.sleep(self.delay)
        a = float(params.get("a", 0.5))
        b = float(params.get("b", 0.5))
        k = int(params.get("k", 0))
        shift = 1.0 if params.get("mode", "plain") == "shifted" else 0.0
        noise = float(np.random.default_rng(seed).standard_normal()) * self.noise_sd
        return {"y": a + 2.0 * b + shift + noise, "z": a * b + k}


@dataclass(frozen=True, slots=True, kw_only=True)
class ResdepModel:
    """The purchase-system simulation, one :func:`resdep.simulate.run_summary` per run.

    Parameters
    ----------
    scenario, scale, years
        Passed to ``run_summary`` (``scenario`` is a bundled name or a file path).
    scenario_text
        The scenario file's text, carried by the model to workers that may not have the
        file: the run reads it from a private cache file named by its digest.
    """

    scenario: str = "baseline"
    scale: str = "case"
    years: int = 20
    scenario_text: str = field(default="", repr=False)
    _outcomes: list[tuple[str, ...]] = field(default_factory=list, compare=False, repr=False)

    @property
    def name(self) -> str:
        return "resdep"

    @property
    def stochastic(self) -> bool:
        return True

    @staticmethod
    def _simulate() -> Any:
        try:
            module = importlib.import_module("resdep.simulate")
        except ImportError as exc:  # pragma: no cover - the package is always present
            raise ExperimentSpecError(
                f"model 'resdep' cannot import the simulation: {exc}",
                place="[experiment] model",
                fix="install resdep completely, or use model = 'ishigami' or 'noisy'",
            ) from exc
        if not hasattr(module, "run_summary") or not hasattr(module, "parameter_space"):
            raise ExperimentSpecError(
                "model 'resdep' needs resdep.simulate.run_summary and parameter_space, "
                "which this installation does not provide yet",
                place="[experiment] model",
                fix="update resdep, or use model = 'ishigami' or 'noisy'",
            )
        return module

    @property
    def outcomes(self) -> tuple[str, ...]:
        if not self._outcomes:
            sim = self._simulate()
            names = getattr(sim, "SUMMARY_KEYS", None)
            if names is None:  # ask a tiny run which outcomes it reports
                probe = sim.run_summary(
                    {}, scenario=self.scenario_path(), scale="case", years=2, seed=0
                )
                names = tuple(probe)
            self._outcomes.append(tuple(str(n) for n in names))
        return self._outcomes[0]

    def parameter_space(self) -> Mapping[str, Any]:
        try:
            space: Mapping[str, Any] = self._simulate().parameter_space(self.scenario_path())
        except ScenarioError as exc:  # an unknown scenario: say where it is in the spec
            raise ExperimentSpecError(
                exc.message, place="[experiment] scenario", fix=exc.fix or ""
            ) from exc
        return space

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        _check_known(params, self.parameter_space(), self.name)
        scales = getattr(self._simulate(), "SCALES", None)
        if scales is not None and self.scale not in scales:
            raise ExperimentSpecError(
                f"unknown scale {self.scale!r}",
                place="[experiment] scale",
                fix=closest(self.scale, scales),
            )

    def scenario_path(self) -> str:
        """What ``run_summary`` gets as ``scenario``: the name, or the path of this
        process's copy of the scenario text (written once, named by its digest)."""
        if not self.scenario_text:
            return self.scenario
        digest = hashlib.sha256(self.scenario_text.encode("utf-8")).hexdigest()
        folder = Path(tempfile.gettempdir()) / f"resdep-scenarios-{os.getuid()}" / digest[:32]
        path = folder / (Path(self.scenario).name or "scenario.toml")
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.scenario_text)
            os.replace(tmp, path)
        return str(path)

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        result = self._simulate().run_summary(
            dict(params),
            scenario=self.scenario_path(),
            scale=self.scale,
            years=self.years,
            seed=seed,
        )
        return {str(k): float(v) for k, v in result.items()}


#: Built-in models by the name a spec uses, with the options each accepts.
MODELS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "ishigami": (IshigamiModel, ("a", "b")),
    "noisy": (NoisyModel, ("noise_sd", "delay")),
    "resdep": (ResdepModel, ("scenario", "scale", "years")),
}


def make_model(name: str, options: Mapping[str, Any] | None = None) -> Model:
    """Build a built-in model by name.

    Parameters
    ----------
    name
        ``"resdep"``, ``"ishigami"`` or ``"noisy"``.
    options
        Keyword options of the model class (see :data:`MODELS`).

    Raises
    ------
    ExperimentSpecError
        For an unknown name or option.

    Examples
    --------
    >>> make_model("ishigami").outcomes
    ('y',)
    >>> make_model("ishigamy")
    Traceback (most recent call last):
    ...
    resdep.errors.ExperimentSpecError: [experiment] model: unknown model 'ishigamy'. Fix: did you mean 'ishigami'?
    """
    if name not in MODELS:
        raise ExperimentSpecError(
            f"unknown model {name!r}", place="[experiment] model", fix=closest(name, MODELS)
        )
    cls, allowed = MODELS[name]
    opts = dict(options or {})
    for key in opts:
        if key not in allowed:
            raise ExperimentSpecError(
                f"model {name!r} has no option {key!r}",
                place=f"[experiment.options] {key}",
                fix=closest(key, allowed) if allowed else "remove it",
            )
    model: Model = cls(**opts)
    return model
