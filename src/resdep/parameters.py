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
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from resdep.classify.calibrate import BUDDY_RULES, ClassifyParams
from resdep.dependence.score import DependenceParams
from resdep.errors import CaseFormatError, closest
from resdep.vocab import EvidenceType

__all__ = ["MAX_WEIGHT", "PARAMETER_DOCS", "AnalysisParams"]

#: Upper bound of every weight and of the prior strength: larger values make the Beta sums
#: overflow or swamp every other record (the hard-data concentration is 1e6 too).
MAX_WEIGHT = 1e6

PARAMETER_DOCS: dict[str, str] = {
    "prior_mean": "m0, prior mean of every estimate (section 3)",
    "prior_strength": "α0, prior weight in pseudo-records (section 3)",
    "w_direct": "weight of a direct statement",
    "w_document": "weight of a document",
    "w_observation": "weight of an observation",
    "w_second_hand": "weight of a second-hand statement",
    "self_serving": "multiplier (0–1) for a self-serving claim: the informant's organisation is the provider and the claim raises dependence on it",
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
    "buddy_rule": '"and" (the study: official philosophy and diverging interests) or "or" (either)',
    "settle_threshold": "P(label) or P(state) a result needs, besides being modal, to count as settled",
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
    buddy_rule: str = "and"
    settle_threshold: float = 0.8
    draws: int = 2000
    seed: int = 20190601

    def __post_init__(self) -> None:
        def bad(name: str, expected: str) -> CaseFormatError:
            return CaseFormatError(
                f"must be {expected}, got {getattr(self, name)!r}",
                place=f"parameter {name!r}",
                fix=f"set {name} to {expected}",
            )

        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "float" and not (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                raise bad(f.name, "a finite number")
        if not 0 < self.prior_mean < 1:
            raise bad("prior_mean", "a number strictly between 0 and 1")
        if not 0 < self.prior_strength <= MAX_WEIGHT:
            raise bad("prior_strength", f"a positive number ≤ {MAX_WEIGHT:g}")
        for name in (
            "w_direct",
            "w_document",
            "w_observation",
            "w_second_hand",
            "w_importance",
            "w_alternatives",
            "w_discretion",
        ):
            if not 0 <= getattr(self, name) <= MAX_WEIGHT:
                raise bad(name, f"a number between 0 and {MAX_WEIGHT:g}")
        if not 0 <= self.self_serving <= 1:
            raise bad("self_serving", "a multiplier between 0 and 1")
        if self.buddy_rule not in BUDDY_RULES:
            raise bad("buddy_rule", '"and" or "or"')
        if not 0.5 <= self.settle_threshold <= 1:
            raise bad("settle_threshold", "a probability between 0.5 and 1")
        if self.min_triangulation < 1:
            raise bad("min_triangulation", "an integer ≥ 1")
        if self.draws < 1:
            raise bad("draws", "an integer ≥ 1 (P(label) needs draws from the posteriors)")
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
            buddy_rule="or" if self.buddy_rule == "or" else "and",
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
            if fields[key].type == "str":
                if not isinstance(raw, str) or raw.strip().lower() not in BUDDY_RULES:
                    raise CaseFormatError(
                        f'expected "and" or "or", got {raw!r}',
                        file=file,
                        place=f"parameter {key!r}",
                        fix=f"{key} = {PARAMETER_DOCS[key]}",
                    )
                changes[key] = raw.strip().lower()
                continue
            want = int if key in ("draws", "seed", "min_triangulation") else float
            value: float
            try:
                if isinstance(raw, bool):
                    raise TypeError
                value = want(raw)
                if want is int and isinstance(raw, float) and not raw.is_integer():
                    raise TypeError
            except (TypeError, ValueError, OverflowError):
                raise CaseFormatError(
                    f"expected {'an integer' if want is int else 'a number'}, got {raw!r}",
                    file=file,
                    place=f"parameter {key!r}",
                    fix=f"{key} = {PARAMETER_DOCS[key]}",
                ) from None
            if want is float and not math.isfinite(value):
                raise CaseFormatError(
                    f"must be a finite number, got {raw!r}",
                    file=file,
                    place=f"parameter {key!r}",
                    fix=f"{key} = {PARAMETER_DOCS[key]}",
                )
            changes[key] = value
        try:
            return dataclasses.replace(self, **changes)
        except CaseFormatError as exc:
            if file is None or exc.file is not None:
                raise
            raise CaseFormatError(exc.message, file=file, place=exc.place, fix=exc.fix) from None
