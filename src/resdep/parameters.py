"""Every threshold, weight and anchor of the analysis, in one typed object.

Defaults are those of the design (sections 3–5). Overrides come from ``[parameters]`` in
``case.toml`` and from the command line (``--set key=value``, ``--draws``, ``--seed``);
the values used are written to ``run.json``.

Examples
--------
>>> p = AnalysisParams().with_overrides({"theta_d": "0.6", "draws": 500})
>>> p.theta_d, p.draws, p.dependence.theta_d
(0.6, 500, 0.6)
>>> AnalysisParams().with_overrides({"theta": 1})
Traceback (most recent call last):
...
resdep.errors.CaseFormatError: parameter 'theta': unknown parameter. Fix: did you mean 'theta_d'?
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from resdep.classify.calibrate import ClassifyParams
from resdep.dependence.score import DependenceParams
from resdep.errors import CaseFormatError, closest
from resdep.vocab import EvidenceType

__all__ = ["PARAMETER_DOCS", "AnalysisParams"]

PARAMETER_DOCS: dict[str, str] = {
    "prior_mean": "m0, prior mean of every estimate (section 3)",
    "prior_strength": "α0, prior weight in pseudo-records (section 3)",
    "w_direct": "weight of a direct statement",
    "w_document": "weight of a document",
    "w_observation": "weight of an observation",
    "w_second_hand": "weight of a second-hand statement",
    "self_serving": "multiplier for a self-serving claim (informant says others depend on them)",
    "min_triangulation": "fewer distinct informant groups than this flags single_source",
    "w_importance": "wI, weight of importance in the geometric mean (section 4)",
    "w_alternatives": "wN, weight of non-substitutability 1 − S",
    "w_discretion": "wX, weight of discretion",
    "theta_d": "θ_D, dependence threshold of the stage states",
    "theta_pi": "θ_PI, power-imbalance threshold of the stage states",
    "anchor_low": "Ragin exclusion anchor (section 5)",
    "anchor_mid": "Ragin crossover anchor",
    "anchor_high": "Ragin inclusion anchor",
    "label_threshold": "membership a label must exceed",
    "draws": "Monte Carlo draws from the Beta posteriors",
    "seed": "seed of the Monte Carlo draws",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisParams:
    """Parameters of sections 3–5, flat, with the design's defaults."""

    prior_mean: float = 0.5
    prior_strength: float = 2.0
    w_direct: float = 1.0
    w_document: float = 1.0
    w_observation: float = 1.0
    w_second_hand: float = 0.5
    self_serving: float = 0.7
    min_triangulation: int = 2
    w_importance: float = 1 / 3
    w_alternatives: float = 1 / 3
    w_discretion: float = 1 / 3
    theta_d: float = 0.5
    theta_pi: float = 0.2
    anchor_low: float = 0.2
    anchor_mid: float = 0.5
    anchor_high: float = 0.8
    label_threshold: float = 0.5
    draws: int = 2000
    seed: int = 20190601

    def __post_init__(self) -> None:
        def bad(name: str, expected: str) -> CaseFormatError:
            return CaseFormatError(
                f"must be {expected}, got {getattr(self, name)!r}",
                place=f"parameter {name!r}",
                fix=f"set {name} to {expected}",
            )

        if not 0 < self.prior_mean < 1:
            raise bad("prior_mean", "a number strictly between 0 and 1")
        if not self.prior_strength > 0:
            raise bad("prior_strength", "a positive number")
        for name in ("w_direct", "w_document", "w_observation", "w_second_hand", "self_serving"):
            if not getattr(self, name) >= 0:
                raise bad(name, "a number ≥ 0")
        if self.min_triangulation < 1:
            raise bad("min_triangulation", "an integer ≥ 1")
        if self.draws < 0:
            raise bad("draws", "an integer ≥ 0")
        if self.seed < 0:
            raise bad("seed", "an integer ≥ 0")
        try:
            self.dependence  # noqa: B018 - validates
            self.classify  # noqa: B018 - validates
        except ValueError as exc:
            raise CaseFormatError(
                str(exc),
                place="parameters",
                fix="correct it in case.toml [parameters] or on the command line (--set)",
            ) from None

    @property
    def dependence(self) -> DependenceParams:
        """The section-4 parameters."""
        return DependenceParams(
            w_importance=self.w_importance,
            w_alternatives=self.w_alternatives,
            w_discretion=self.w_discretion,
            theta_d=self.theta_d,
            theta_pi=self.theta_pi,
        )

    @property
    def classify(self) -> ClassifyParams:
        """The section-5 parameters."""
        return ClassifyParams(
            anchor_low=self.anchor_low,
            anchor_mid=self.anchor_mid,
            anchor_high=self.anchor_high,
            label_threshold=self.label_threshold,
        )

    def evidence_weight(self, evidence: EvidenceType) -> float:
        """Weight w_k of a record by its evidence type."""
        return {
            EvidenceType.DIRECT: self.w_direct,
            EvidenceType.DOCUMENT: self.w_document,
            EvidenceType.OBSERVATION: self.w_observation,
            EvidenceType.SECOND_HAND: self.w_second_hand,
        }[evidence]

    def as_dict(self) -> dict[str, Any]:
        """The parameters as a plain dict (for run.json)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def with_overrides(
        self, overrides: Mapping[str, Any], *, file: str | None = None
    ) -> AnalysisParams:
        """A copy with some parameters replaced; values may be strings (from the command line)."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for key, raw in overrides.items():
            if key not in fields:
                raise CaseFormatError(
                    "unknown parameter",
                    file=file,
                    place=f"parameter {key!r}",
                    fix=closest(key, fields),
                )
            want = int if key in ("draws", "seed", "min_triangulation") else float
            try:
                if isinstance(raw, bool):
                    raise TypeError
                value = want(raw)
                if want is int and isinstance(raw, float) and not raw.is_integer():
                    raise TypeError
            except (TypeError, ValueError):
                raise CaseFormatError(
                    f"expected {'an integer' if want is int else 'a number'}, got {raw!r}",
                    file=file,
                    place=f"parameter {key!r}",
                    fix=f"{key} = {PARAMETER_DOCS[key]}",
                ) from None
            changes[key] = value
        return dataclasses.replace(self, **changes)
