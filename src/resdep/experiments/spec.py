"""Experiment specifications: typed parameters, design, replicates, outcomes (TOML).

A specification is a TOML file with four tables (see ``docs/experiments.md``)::

    [experiment]           name, model, seed, replicates, scenario, scale, years
    [experiment.options]   model options (e.g. noise_sd for the toy model)
    [design]               method, n, levels, second_order, levers, batch_size, seed
    [parameters.NAME]      kind, low, high, choices, values, role
    [fixed]                parameters held at a value other than the model default
    [outcomes]             keep = [...]
    [analysis]             num_resamples, conf_level, seed

:func:`load_spec` reads the file, checks every key, and resolves the parameters against
the model's own parameter space (kinds and ranges left out in the file are taken from
the model; unknown names are refused with a suggestion).

Examples
--------
>>> spec = parse_spec({
...     "experiment": {"model": "ishigami", "seed": 3},
...     "design": {"method": "sobol", "n": 8},
...     "parameters": {"x1": {}, "x2": {}, "x3": {}},
... })
>>> [p.name for p in spec.parameters], spec.parameters[0].low == -spec.parameters[0].high
(['x1', 'x2', 'x3'], True)
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from resdep.errors import ExperimentSpecError, InputError, closest
from resdep.experiments.models import Model, ParamValue, make_model

__all__ = [
    "DESIGN_METHODS",
    "MAX_RUNS",
    "RESERVED_COLUMNS",
    "AnalysisSpec",
    "DesignSpec",
    "ExperimentSpec",
    "Parameter",
    "load_spec",
    "parse_spec",
]

Kind = Literal["real", "integer", "categorical"]
Role = Literal["uncertainty", "lever"]
DESIGN_METHODS = ("full_factorial", "lhs", "sobol", "morris")
#: Column names the result store uses itself; parameters and outcomes may not take them.
RESERVED_COLUMNS = ("run", "point", "replicate", "policy", "row", "seed")
#: The most runs one sweep may have (the manifest lists every run's seed; 10 million
#: runs make a manifest of about 0.6 GB).
MAX_RUNS = 10_000_000

_TABLES = ("experiment", "design", "parameters", "fixed", "outcomes", "analysis")
_EXPERIMENT_KEYS = ("name", "model", "seed", "replicates", "scenario", "scale", "years", "options")
_DESIGN_KEYS = ("method", "n", "levels", "second_order", "levers", "batch_size", "seed")
_PARAM_KEYS = ("kind", "low", "high", "choices", "values", "levels", "role", "doc")
_ANALYSIS_KEYS = ("num_resamples", "conf_level", "seed")


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """One varied parameter.

    Sampling designs work in a numeric space: a real parameter on ``[low, high]``, an
    integer one on ``[low, high + 1)`` (floored), a categorical one on ``[0, k)`` (floored
    to a choice index). Full-factorial designs and crossed levers use :meth:`grid`.

    Examples
    --------
    >>> p = Parameter(name="k", kind="integer", low=1, high=3)
    >>> p.bounds(), p.decode(3.99), p.grid(5)
    ((1.0, 4.0), 3, (1, 2, 3))
    >>> c = Parameter(name="m", kind="categorical", choices=("a", "b"))
    >>> c.decode(0.2), c.decode(1.7), c.encode("b")
    ('a', 'b', 1.0)
    """

    name: str
    kind: Kind
    role: Role = "uncertainty"
    low: float | None = None
    high: float | None = None
    choices: tuple[ParamValue, ...] = ()
    values: tuple[ParamValue, ...] = ()
    levels: int | None = None
    doc: str = field(default="", compare=False)

    def bounds(self) -> tuple[float, float]:
        """The interval a sampling design draws this parameter from."""
        if self.kind == "categorical":
            return (0.0, float(len(self.choices)))
        assert self.low is not None
        assert self.high is not None
        if self.kind == "integer":
            return (float(self.low), float(self.high) + 1.0)
        return (float(self.low), float(self.high))

    def decode(self, x: float) -> ParamValue:
        """Map a design coordinate to the value the model receives."""
        if self.kind == "real":
            return float(x)
        if self.kind == "integer":
            assert self.low is not None
            assert self.high is not None
            return int(min(max(math.floor(x), self.low), self.high))
        index = min(max(math.floor(x), 0), len(self.choices) - 1)
        return self.choices[index]

    def encode(self, value: ParamValue) -> float:
        """The design coordinate of a value (a categorical value's index)."""
        if self.kind == "categorical":
            return float(self.choices.index(value))
        return float(value)

    def grid(self, default_levels: int) -> tuple[ParamValue, ...]:
        """Values for a full-factorial design or a crossed lever."""
        if self.values:
            return self.values
        if self.kind == "categorical":
            return self.choices
        n = self.levels or default_levels
        assert self.low is not None
        assert self.high is not None
        if self.kind == "integer":
            lo, hi = int(self.low), int(self.high)
            if hi - lo + 1 <= n:
                return tuple(range(lo, hi + 1))
            return tuple(sorted({round(v) for v in np.linspace(lo, hi, n)}))
        return tuple(float(v) for v in np.linspace(self.low, self.high, n))


@dataclass(frozen=True, slots=True, kw_only=True)
class DesignSpec:
    """How points are chosen. ``n`` means: Sobol base sample size (a power of 2), Latin
    hypercube sample size, or Morris trajectories; full factorial takes no ``n``."""

    method: str
    n: int | None = None
    levels: int = 4
    second_order: bool = False
    levers: Literal["sample", "cross"] = "sample"
    batch_size: int | None = None
    seed: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisSpec:
    """Settings of the sensitivity analysis (bootstrap resamples, confidence level, and
    the seed of the bootstrap; ``None``: derived from the experiment's seed, see
    :attr:`ExperimentSpec.analysis_seed`)."""

    num_resamples: int = 100
    conf_level: float = 0.95
    seed: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExperimentSpec:
    """A complete, checked experiment specification."""

    name: str
    model: str = "resdep"
    options: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    replicates: int = 1
    parameters: tuple[Parameter, ...] = ()
    fixed: Mapping[str, ParamValue] = field(default_factory=dict)
    outcomes: tuple[str, ...] = ()
    design: DesignSpec = field(default_factory=lambda: DesignSpec(method="lhs", n=10))
    analysis: AnalysisSpec = field(default_factory=AnalysisSpec)
    file: str | None = field(default=None, compare=False)

    @property
    def analysis_seed(self) -> int:
        """The seed of the confidence intervals' bootstrap: ``[analysis] seed`` if given,
        else the experiment's seed + 1. Never 0, which SALib takes as "no seed" (then
        intervals change from run to run).

        Examples
        --------
        >>> ExperimentSpec(name="x", seed=41).analysis_seed
        42
        """
        return self.analysis.seed if self.analysis.seed is not None else self.seed + 1

    def make_model(self) -> Model:
        """The model this specification runs."""
        return make_model(self.model, self.options)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the varied parameters, in spec order."""
        return tuple(p.name for p in self.parameters)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready canonical form (what the manifest stores and the hash covers)."""

        def param(p: Parameter) -> dict[str, Any]:
            d: dict[str, Any] = {"kind": p.kind, "role": p.role}
            if p.kind == "categorical":
                d["choices"] = list(p.choices)
            else:
                d["low"], d["high"] = p.low, p.high
            if p.values:
                d["values"] = list(p.values)
            if p.levels is not None:
                d["levels"] = p.levels
            return d

        return {
            "experiment": {
                "name": self.name,
                "model": self.model,
                "options": dict(sorted(self.options.items())),
                "seed": self.seed,
                "replicates": self.replicates,
            },
            "design": {
                "method": self.design.method,
                "n": self.design.n,
                "levels": self.design.levels,
                "second_order": self.design.second_order,
                "levers": self.design.levers,
                "batch_size": self.design.batch_size,
                "seed": self.design.seed,
            },
            "parameters": {p.name: param(p) for p in self.parameters},
            "fixed": dict(sorted(self.fixed.items())),
            "outcomes": {"keep": list(self.outcomes)},
            "analysis": {
                "num_resamples": self.analysis.num_resamples,
                "conf_level": self.analysis.conf_level,
                "seed": self.analysis.seed,
            },
        }

    def digest(self) -> str:
        """SHA-256 of :meth:`to_dict`; a resumed sweep must have the same digest.

        Batch size and analysis settings are left out: they do not change any run.
        """
        data = self.to_dict()
        del data["analysis"]
        del data["design"]["batch_size"]
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: str | None = None) -> ExperimentSpec:
        """Rebuild a spec from :meth:`to_dict` output (no model look-ups needed).

        Examples
        --------
        >>> spec = parse_spec({"experiment": {"model": "noisy"}, "design": {"n": 5},
        ...                    "parameters": {"a": {}, "mode": {"role": "lever"}}})
        >>> ExperimentSpec.from_dict(spec.to_dict()) == spec
        True
        """
        raw = json.loads(json.dumps(data))  # a deep copy
        analysis = raw.get("analysis") or {}
        if analysis.get("seed") in (None, 0):  # 0: stored before seeds were required
            analysis.pop("seed", None)
        raw["design"] = {k: v for k, v in raw["design"].items() if v is not None}
        if raw["design"].get("batch_size", "auto") is None:
            raw["design"]["batch_size"] = "auto"
        for table in raw["parameters"].values():
            for key in [k for k, v in table.items() if v is None]:
                del table[key]
        return parse_spec(raw, file=file, resolve=False)


def load_spec(path: str | Path, *, resolve: bool = True) -> ExperimentSpec:
    """Read and check a TOML experiment specification.

    Parameters
    ----------
    path
        The ``.toml`` file.
    resolve
        Also check parameter and outcome names against the model (and fill in kinds and
        ranges from it).

    Raises
    ------
    ExperimentSpecError
        For malformed TOML or any invalid key or value; the message names the place.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExperimentSpecError(
            f"cannot read the specification: {exc.strerror or exc}",
            file=path,
            fix="give the path of an existing .toml file",
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentSpecError(
            f"not valid TOML: {exc}", file=path, fix="correct the TOML syntax"
        ) from exc
    except RecursionError:  # arrays or inline tables nested thousands deep
        raise ExperimentSpecError(
            "the TOML nests arrays or inline tables too deeply to read",
            file=path,
            fix="a specification needs at most a few levels of nesting; rewrite the file",
        ) from None
    return parse_spec(data, file=str(path), resolve=resolve)


def _err(message: str, file: str | None, place: str, fix: str) -> ExperimentSpecError:
    return ExperimentSpecError(message, file=file, place=place, fix=fix)


def _check_keys(
    table: Mapping[str, Any], allowed: Sequence[str], where: str, file: str | None
) -> None:
    for key in table:
        if key not in allowed:
            raise _err(f"unknown key {key!r}", file, f"{where} {key}", closest(key, allowed))


def _table(data: Mapping[str, Any], key: str, file: str | None) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _err(f"{key!r} must be a table", file, f"[{key}]", f"write it as [{key}]")
    return value


def _int(value: Any, place: str, file: str | None, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _err(f"expected an integer, found {value!r}", file, place, "write a whole number")
    if minimum is not None and value < minimum:
        raise _err(
            f"must be at least {minimum}, found {value}", file, place, f"use {minimum} or more"
        )
    return value


def _number(value: Any, place: str, file: str | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _err(f"expected a finite number, found {value!r}", file, place, "write a number")
    return float(value)


def parse_spec(
    data: Mapping[str, Any], *, file: str | None = None, resolve: bool = True
) -> ExperimentSpec:
    """Check a parsed TOML document and build an :class:`ExperimentSpec`.

    See :func:`load_spec`. ``file`` is only used in messages.

    Examples
    --------
    >>> parse_spec({"experiment": {"model": "ishigami"}, "design": {"method": "sobol", "n": 100},
    ...             "parameters": {"x1": {}}})
    Traceback (most recent call last):
    ...
    resdep.errors.ExperimentSpecError: [design] n: Sobol designs need n a power of 2, found 100. Fix: use n = 64 or n = 128 (n = 2^k, typically 256 to 2048; the sweep runs n (d + 2) points)
    """
    _check_keys(data, _TABLES, "top level:", file)
    exp = _table(data, "experiment", file)
    _check_keys(exp, _EXPERIMENT_KEYS, "[experiment]", file)
    model_name = exp.get("model", "resdep")
    if not isinstance(model_name, str):
        raise _err("model must be a string", file, "[experiment] model", "write model = 'resdep'")
    options = dict(exp.get("options", {}))
    if model_name == "resdep":
        for key in ("scenario", "scale", "years"):
            if key in exp:
                options[key] = exp[key]
        if "years" in options:
            options["years"] = _int(options["years"], "[experiment] years", file, minimum=1)
    else:
        for key in ("scenario", "scale", "years"):
            if key in exp:
                raise _err(
                    f"{key!r} applies only to model = 'resdep'",
                    file,
                    f"[experiment] {key}",
                    "remove it, or set model = 'resdep'",
                )
    try:
        model = make_model(model_name, options)
    except ExperimentSpecError as exc:
        raise _err(exc.message, file, exc.place or "[experiment]", exc.fix or "") from exc
    seed = _int(exp.get("seed", 0), "[experiment] seed", file, minimum=0)
    replicates = _int(exp.get("replicates", 1), "[experiment] replicates", file, minimum=1)
    name = str(exp.get("name", Path(file).stem if file else "experiment"))

    design = _parse_design(_table(data, "design", file), file)
    analysis = _parse_analysis(_table(data, "analysis", file), file)

    space: Mapping[str, Any] | None = None
    if resolve:
        try:
            space = model.parameter_space()
            model.validate({})
        except InputError as exc:
            raise _err(exc.message, file, exc.place or "[experiment]", exc.fix or "") from exc
    params_table = _table(data, "parameters", file)
    if not params_table:
        raise _err(
            "no parameters to vary",
            file,
            "[parameters]",
            "add at least one [parameters.NAME] table",
        )
    parameters = tuple(
        _parse_parameter(name_, spec_, space, model_name, file)
        for name_, spec_ in params_table.items()
    )
    fixed = _parse_fixed(_table(data, "fixed", file), parameters, space, model_name, file)

    out_table = _table(data, "outcomes", file)
    _check_keys(out_table, ("keep",), "[outcomes]", file)
    keep = out_table.get("keep", [])
    if not isinstance(keep, list) or not all(isinstance(k, str) for k in keep):
        raise _err(
            "keep must be a list of outcome names",
            file,
            "[outcomes] keep",
            "write keep = ['welfare']",
        )
    if resolve:
        known = model.outcomes
        for k in keep:
            if k not in known:
                raise _err(
                    f"model {model_name!r} has no outcome {k!r}",
                    file,
                    "[outcomes] keep",
                    closest(k, known),
                )
    outcomes = tuple(keep)
    for o in outcomes or (model.outcomes if resolve else ()):
        if o in RESERVED_COLUMNS or o in {p.name for p in parameters}:
            raise _err(
                f"outcome name {o!r} clashes with a column of the store",
                file,
                "[outcomes] keep",
                "leave it out",
            )

    _check_design_size(design, parameters, file)
    _check_run_count(design, parameters, replicates, file)
    return ExperimentSpec(
        name=name,
        model=model_name,
        options=options,
        seed=seed,
        replicates=replicates,
        parameters=parameters,
        fixed=fixed,
        outcomes=outcomes,
        design=design,
        analysis=analysis,
        file=file,
    )


def _parse_design(table: Mapping[str, Any], file: str | None) -> DesignSpec:
    _check_keys(table, _DESIGN_KEYS, "[design]", file)
    method = table.get("method", "lhs")
    if method not in DESIGN_METHODS:
        raise _err(
            f"unknown design method {method!r}",
            file,
            "[design] method",
            closest(str(method), DESIGN_METHODS),
        )
    n = table.get("n")
    if n is not None:
        n = _int(n, "[design] n", file, minimum=1)
    if method == "full_factorial" and n is not None:
        raise _err(
            "full factorial designs take no n (their size is the product of the levels)",
            file,
            "[design] n",
            "remove n, and set levels (per design or per parameter)",
        )
    if method != "full_factorial" and n is None:
        raise _err(
            f"{method} designs need a sample size n",
            file,
            "[design] n",
            "add n = 256 (for example)",
        )
    levels = _int(
        table.get("levels", 4 if method == "morris" else 3), "[design] levels", file, minimum=2
    )
    if method == "morris" and levels % 2:
        raise _err(
            f"Morris designs need an even number of levels, found {levels}",
            file,
            "[design] levels",
            f"use levels = {levels + 1} (4 is usual)",
        )
    second = table.get("second_order", False)
    if not isinstance(second, bool):
        raise _err(
            "second_order must be true or false", file, "[design] second_order", "write false"
        )
    if second and method != "sobol":
        raise _err(
            "second_order applies only to Sobol designs", file, "[design] second_order", "remove it"
        )
    levers = table.get("levers", "sample")
    if levers not in ("sample", "cross"):
        raise _err(
            f"levers must be 'sample' or 'cross', found {levers!r}",
            file,
            "[design] levers",
            "write levers = 'sample'",
        )
    batch = table.get("batch_size", "auto")
    batch_size = None if batch == "auto" else _int(batch, "[design] batch_size", file, minimum=1)
    dseed = table.get("seed")
    if dseed is not None:
        dseed = _int(dseed, "[design] seed", file, minimum=0)
    return DesignSpec(
        method=method,
        n=n,
        levels=levels,
        second_order=second,
        levers=levers,
        batch_size=batch_size,
        seed=dseed,
    )


def _parse_analysis(table: Mapping[str, Any], file: str | None) -> AnalysisSpec:
    _check_keys(table, _ANALYSIS_KEYS, "[analysis]", file)
    resamples = _int(table.get("num_resamples", 100), "[analysis] num_resamples", file, minimum=10)
    conf = _number(table.get("conf_level", 0.95), "[analysis] conf_level", file)
    if not 0 < conf < 1:
        raise _err(
            f"conf_level must lie between 0 and 1, found {conf}",
            file,
            "[analysis] conf_level",
            "use 0.95",
        )
    seed = table.get("seed")
    if seed is not None:
        seed = _int(seed, "[analysis] seed", file)
        if seed < 1:
            raise _err(
                f"the analysis seed must be a positive integer, found {seed} (SALib takes 0 "
                "as 'no seed', so confidence intervals would change from run to run)",
                file,
                "[analysis] seed",
                "use seed = 1 (or any positive integer), or leave it out to derive it from "
                "[experiment] seed",
            )
    return AnalysisSpec(num_resamples=resamples, conf_level=conf, seed=seed)


def _info(info: Any, key: str) -> Any:
    return getattr(info, key, None) if info is not None else None


def _choice_fix(value: Any, allowed: Sequence[Any]) -> str:
    """A fix for a value that is not among ``allowed``: the closest choice, if any, and
    always the full list.

    Examples
    --------
    >>> _choice_fix("stret", ("street", "third_party"))
    "did you mean 'street'? The choices are: 'street', 'third_party'"
    >>> _choice_fix("x", ("street", "third_party"))
    "use one of the choices: 'street', 'third_party'"
    """
    listed = ", ".join(repr(a) for a in allowed)
    hint = closest(str(value), [str(a) for a in allowed])
    if hint.startswith("did you mean"):
        return f"{hint} The choices are: {listed}"
    return f"use one of the choices: {listed}"


def _parse_parameter(
    name: str, table: Any, space: Mapping[str, Any] | None, model: str, file: str | None
) -> Parameter:
    where = f"[parameters.{name}]"
    if not isinstance(table, dict):
        raise _err(
            "each parameter must be a table",
            file,
            where,
            f"write [parameters.{name}] with kind, low, high",
        )
    _check_keys(table, _PARAM_KEYS, where, file)
    if name in RESERVED_COLUMNS:
        raise _err(f"{name!r} is reserved by the result store", file, where, "rename the parameter")
    info = None
    if space is not None:
        if name not in space:
            raise _err(
                f"model {model!r} has no parameter {name!r}", file, where, closest(name, space)
            )
        info = space[name]
    kind = table.get("kind", _info(info, "kind"))
    if kind not in ("real", "integer", "categorical"):
        raise _err(
            f"kind must be 'real', 'integer' or 'categorical', found {kind!r}",
            file,
            f"{where} kind",
            "add kind = 'real' (or 'integer', 'categorical')",
        )
    model_kind = _info(info, "kind")
    if model_kind is not None and model_kind != kind:
        raise _err(
            f"{name!r} is declared {kind}, but the model's {name!r} is {model_kind}",
            file,
            f"{where} kind",
            f"write kind = {model_kind!r}, or leave kind out to take the model's",
        )
    role = table.get("role", "uncertainty")
    if role not in ("uncertainty", "lever"):
        raise _err(
            f"role must be 'uncertainty' or 'lever', found {role!r}",
            file,
            f"{where} role",
            "write role = 'lever'",
        )
    levels = table.get("levels")
    if levels is not None:
        levels = _int(levels, f"{where} levels", file, minimum=2)
    doc = str(table.get("doc", _info(info, "doc") or ""))
    if kind == "categorical":
        choices_raw = table.get("choices", _info(info, "choices"))
        if not choices_raw:
            raise _err(
                "a categorical parameter needs choices",
                file,
                f"{where} choices",
                "add choices = ['a', 'b']",
            )
        choices = tuple(choices_raw)
        if len(set(choices)) != len(choices):
            raise _err("choices repeat a value", file, f"{where} choices", "list each choice once")
        if len({type(c) for c in choices}) > 1 or not isinstance(choices[0], str | int | float):
            raise _err(
                "choices must all be strings, or all numbers",
                file,
                f"{where} choices",
                "quote them all",
            )
        allowed = _info(info, "choices")
        if allowed:
            for c in choices:
                if c not in tuple(allowed):
                    raise _err(
                        f"{c!r} is not a choice of {name!r}",
                        file,
                        f"{where} choices",
                        _choice_fix(c, tuple(allowed)),
                    )
        values = tuple(table.get("values", ()))
        for v in values:
            if v not in choices:
                raise _err(
                    f"value {v!r} is not among the choices of {name!r}",
                    file,
                    f"{where} values",
                    _choice_fix(v, choices),
                )
        return Parameter(
            name=name,
            kind="categorical",
            role=role,
            choices=choices,
            values=values,
            levels=levels,
            doc=doc,
        )
    low_raw = table.get("low", _info(info, "low"))
    high_raw = table.get("high", _info(info, "high"))
    if low_raw is None or high_raw is None:
        raise _err("a range needs both low and high", file, where, "add low = ... and high = ...")
    low = _number(low_raw, f"{where} low", file)
    high = _number(high_raw, f"{where} high", file)
    if kind == "integer" and (low != int(low) or high != int(high)):
        raise _err(
            "an integer parameter needs whole-number bounds",
            file,
            where,
            "write whole numbers for low and high",
        )
    if not low < high:
        raise _err(
            f"empty range: low = {low_raw} is not below high = {high_raw}",
            file,
            where,
            "make low smaller than high",
        )
    mlow, mhigh = _info(info, "low"), _info(info, "high")
    if (mlow is not None and low < float(mlow)) or (mhigh is not None and high > float(mhigh)):
        raise _err(
            f"range [{low_raw}, {high_raw}] leaves the model's range [{mlow}, {mhigh}]",
            file,
            where,
            f"keep low and high within [{mlow}, {mhigh}]",
        )
    values = tuple(table.get("values", ()))
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float) or not low <= v <= high:
            raise _err(
                f"value {v!r} is outside [{low_raw}, {high_raw}]",
                file,
                f"{where} values",
                "list values within the range",
            )
    if kind == "integer":
        return Parameter(
            name=name,
            kind="integer",
            role=role,
            low=int(low),
            high=int(high),
            values=tuple(int(v) for v in values),
            levels=levels,
            doc=doc,
        )
    return Parameter(
        name=name,
        kind="real",
        role=role,
        low=low,
        high=high,
        values=tuple(float(v) for v in values),
        levels=levels,
        doc=doc,
    )


def _parse_fixed(
    table: Mapping[str, Any],
    parameters: Sequence[Parameter],
    space: Mapping[str, Any] | None,
    model: str,
    file: str | None,
) -> dict[str, ParamValue]:
    varied = {p.name for p in parameters}
    fixed: dict[str, ParamValue] = {}
    for key, value in table.items():
        where = f"[fixed] {key}"
        if space is not None and key not in space:
            raise _err(
                f"model {model!r} has no parameter {key!r}", file, where, closest(key, space)
            )
        if key in varied:
            raise _err(
                f"{key!r} is both fixed and varied",
                file,
                where,
                "remove it from [fixed] or [parameters]",
            )
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _err(
                f"expected a number or a string, found {value!r}",
                file,
                where,
                "write a single value",
            )
        info = space[key] if space is not None else None
        allowed = _info(info, "choices")
        kind = _info(info, "kind")
        if kind == "categorical" and allowed and value not in tuple(allowed):
            raise _err(
                f"{value!r} is not a choice of {key!r}",
                file,
                where,
                _choice_fix(value, tuple(allowed)),
            )
        if kind in ("real", "integer"):
            # checked here, not when the runs start (a folder of failed runs, exit 1)
            low, high = _info(info, "low"), _info(info, "high")
            if isinstance(value, str) or not math.isfinite(value):
                raise _err(
                    f"{key!r} is a {kind} parameter, found {value!r}",
                    file,
                    where,
                    f"write a number within [{low}, {high}]",
                )
            if kind == "integer" and value != int(value):
                raise _err(
                    f"{key!r} is an integer parameter, found {value!r}",
                    file,
                    where,
                    "write a whole number",
                )
            if (low is not None and value < float(low)) or (
                high is not None and value > float(high)
            ):
                raise _err(
                    f"{value!r} is outside the range of {key!r}, [{low}, {high}]",
                    file,
                    where,
                    f"write a value within [{low}, {high}]",
                )
        fixed[key] = value
    return fixed


def _check_run_count(
    design: DesignSpec, parameters: Sequence[Parameter], replicates: int, file: str | None
) -> None:
    """Refuse, at spec time, a design whose number of runs no sweep could hold (``n =
    2^40``, say), before any sample is drawn or memory allocated.

    Examples
    --------
    >>> p = Parameter(name="a", kind="real", low=0.0, high=1.0)
    >>> _check_run_count(DesignSpec(method="sobol", n=2**40), [p], 1, None)
    Traceback (most recent call last):
    ...
    resdep.errors.ExperimentSpecError: [design] n: the design has 3298534883328 runs, more than a sweep can hold (10000000). Fix: lower n (Sobol runs n (d + 2) points, each replicates times), or split the study into several sweeps
    """
    crossed = design.levers == "cross" or design.method == "full_factorial"
    levers = [
        p
        for p in parameters
        if crossed and (p.role == "lever" or design.method == "full_factorial")
    ]
    d = len(parameters) - len(levers)
    combos = 1
    for p in levers:
        combos *= len(p.grid(design.levels))
    n = design.n or 1
    if design.method == "sobol":
        points = n * ((2 * d + 2) if design.second_order else (d + 2))
        how = "Sobol runs n (d + 2) points"
    elif design.method == "morris":
        points = n * (d + 1)
        how = "Morris runs n (d + 1) points"
    elif design.method == "lhs":
        points = n
        how = "a Latin hypercube runs n points"
    else:
        points = 1
        how = "a full factorial runs the product of the levels"
    runs = points * combos * replicates
    if runs > MAX_RUNS:
        raise _err(
            f"the design has {runs} runs, more than a sweep can hold ({MAX_RUNS})",
            file,
            "[design] n" if design.n else "[design] levels",
            f"lower n ({how}, each replicates times), or split the study into several sweeps"
            if design.n
            else f"use fewer levels ({how})",
        )


def _check_design_size(
    design: DesignSpec, parameters: Sequence[Parameter], file: str | None
) -> None:
    sampled = [p for p in parameters if not (design.levers == "cross" and p.role == "lever")]
    if design.levers == "cross":
        if not any(p.role == "lever" for p in parameters):
            raise _err(
                "levers = 'cross' but no parameter has role = 'lever'",
                file,
                "[design] levers",
                "mark levers with role = 'lever'",
            )
        for p in parameters:
            if p.role == "lever" and p.kind == "real" and not p.values and p.levels is None:
                raise _err(
                    f"crossed lever {p.name!r} is real-valued and has no values",
                    file,
                    f"[parameters.{p.name}]",
                    "add values = [...] or levels = 3",
                )
    n = design.n
    if design.method in ("sobol", "morris", "lhs") and not sampled:
        raise _err(
            "every parameter is a crossed lever; nothing is left to sample",
            file,
            "[design] method",
            "use method = 'full_factorial'",
        )
    if design.method == "sobol":
        assert n is not None
        if n < 2 or n & (n - 1):
            lower = 2 ** max(1, math.floor(math.log2(max(n, 2))))
            fix = f"use n = {lower} or n = {lower * 2}" if lower != n else f"use n = {lower * 2}"
            raise _err(
                f"Sobol designs need n a power of 2, found {n}",
                file,
                "[design] n",
                f"{fix} (n = 2^k, typically 256 to 2048; the sweep runs n (d + 2) points)",
            )
    elif design.method == "morris":
        assert n is not None
        if n < 2:
            raise _err(
                f"Morris designs need at least 2 trajectories, found {n}",
                file,
                "[design] n",
                "use n = 10 to 50 trajectories (the sweep runs n (d + 1) points)",
            )
    elif design.method == "lhs":
        assert n is not None
        if n < 2:
            raise _err(
                f"a Latin hypercube needs at least 2 points, found {n}",
                file,
                "[design] n",
                "use n = 10 * (number of parameters) or more",
            )
