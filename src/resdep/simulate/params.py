"""Typed simulation parameters, scales and scenarios (design section 7).

Every parameter is defined once, in :data:`PARAMETERS` (kind, range, default, doc).
A scenario is a TOML file in ``resdep/data/scenarios`` holding a ``description`` and
only the parameters it changes from ``baseline``; a run's parameters are the defaults,
then the scenario, then the user's overrides, each validated here.

Examples
--------
>>> p = resolve_params("competitive", {"sigma_budget": 0.3})
>>> p["p_competitive"], p["sigma_budget"]
(1.0, 0.3)
>>> resolve_params("baseline", {"w_qualty": 0.5})
Traceback (most recent call last):
...
resdep.errors.ScenarioError: --set w_qualty: unknown parameter 'w_qualty'. Fix: did you mean 'w_quality'?
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from resdep.errors import ScenarioError, closest

__all__ = [
    "INSTITUTIONS",
    "PARAMETERS",
    "SCALES",
    "ParamInfo",
    "Scale",
    "Scenario",
    "coerce_value",
    "list_scenarios",
    "load_scenario",
    "parameter_space",
    "resolve_params",
    "resolve_scale",
]

Value = float | int | str


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamInfo:
    """Definition of one model parameter.

    ``kind`` is ``"real"``, ``"integer"`` or ``"categorical"``; ``low`` and ``high``
    bound real and integer parameters (inclusive); ``choices`` lists categorical ones.
    """

    kind: Literal["real", "integer", "categorical"]
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    default: Value = 0.0
    doc: str = ""
    #: ``"institution"`` (a rule a scenario sets), ``"behaviour"`` (behaviour and
    #: starting state, drawn in ``resdep patterns --behaviour-draws``), ``"threshold"``
    #: (classification thresholds) or ``"scale"`` (entity counts and memory limit)
    group: str = "behaviour"


def _r(default: float, low: float, high: float, doc: str) -> ParamInfo:
    return ParamInfo(kind="real", low=low, high=high, default=float(default), doc=doc)


def _i(default: int, low: int, high: int, doc: str) -> ParamInfo:
    return ParamInfo(kind="integer", low=low, high=high, default=int(default), doc=doc)


#: Every model parameter, in one place.
PARAMETERS: Mapping[str, ParamInfo] = {
    # philosophy and evaluation
    "theta_street": _r(
        0.30,
        0.0,
        1.0,
        "mean governance philosophy of street offices (0 official-centred, 1 co-governance)",
    ),
    "theta_district": _r(
        0.45, 0.0, 1.0, "mean governance philosophy of district civil affairs bureaus"
    ),
    "theta_sd": _r(0.10, 0.0, 0.5, "spread of philosophies across government actors"),
    "street_spread": _r(
        0.30,
        0.0,
        1.0,
        "log spread of budgets, mandates and professional need across streets (persistent)",
    ),
    "w_quality": _r(
        0.20, 0.0, 1.0, "evaluation weight on quality results (0 = complete without problems)"
    ),
    "policy_push": _r(
        0.30,
        0.0,
        1.0,
        "philosophy promoted from above (0 official-centred, 1 co-governance): where policy "
        "pulls the officials' philosophy",
    ),
    "philosophy_adapt": _r(
        0.20,
        0.0,
        1.0,
        "yearly rate at which an official's philosophy moves toward policy push, the quality "
        "of agencies experienced and the evaluation regime",
    ),
    "turnover": _r(
        0.10,
        0.0,
        1.0,
        "yearly chance that a street's leading official is replaced (new philosophy drawn "
        "around the district's)",
    ),
    # institutions (rules a scenario changes; design section 7)
    "evaluator": ParamInfo(
        kind="categorical",
        choices=("street", "bureau", "third_party"),
        default="street",
        doc="who evaluates at closing: the purchasing street office, the district bureau, or "
        "an independent third party (outside the government side)",
    ),
    "switch_rule": ParamInfo(
        kind="categorical",
        choices=("forbidden", "allowed"),
        default="forbidden",
        doc="whether a running project's provider may be changed before the contract ends",
    ),
    "switch_cost": _r(
        0.50,
        0.0,
        1.0,
        "share of a running project's value lost when its provider is changed "
        "(only with switch_rule = allowed)",
    ),
    "payment_after_evaluation": _r(
        0.30,
        0.0,
        1.0,
        "share of the contract price paid only after the evaluation (0 = lump sum in advance, "
        "1 = all after evaluation; milestones in between)",
    ),
    "rater": ParamInfo(
        kind="categorical",
        choices=("bureau", "third_party"),
        default="bureau",
        doc="who registers and rates agencies: the district bureau (government side) or an "
        "independent rating body",
    ),
    "legitimacy_bodies": _i(
        1, 1, 10, "bodies whose rating or endorsement counts when an agency bids"
    ),
    "rating_rule_bound": _r(
        0.30,
        0.0,
        1.0,
        "how far the rating follows published criteria (1 = the rater has no discretion)",
    ),
    "panel_street_weight": _r(
        0.50,
        0.0,
        1.0,
        "the purchasing street's weight on the panel of a competitive award or re-tender",
    ),
    "staff_slack": _r(
        1.00,
        0.5,
        3.0,
        "agencies' staff at the start relative to the labour their district's projects need "
        "(thickness of the market)",
    ),
    # purchase
    "p_competitive": _r(
        0.20, 0.0, 1.0, "probability that a new contract is put out to competitive purchase"
    ),
    "contract_years": _i(1, 1, 5, "contract length in years (renewal decided at the end)"),
    "candidates": _i(4, 1, 12, "agencies of the district considered per new project"),
    "w_history": _r(0.60, 0.0, 1.0, "weight of cooperation history in relational award scores"),
    "w_capacity": _r(
        0.60, 0.0, 1.0, "weight of professional capacity (against price) in competitive scores"
    ),
    # budgets and mandates
    "budget_coverage": _r(
        1.00, 0.3, 2.0, "mean street budget relative to the cost of all its committees' projects"
    ),
    "sigma_budget": _r(0.20, 0.0, 1.0, "volatility of log street budgets from year to year"),
    "mandate_level": _r(1.50, 0.5, 4.0, "mandates from above relative to resources (1 = matched)"),
    "sigma_mandate": _r(0.10, 0.0, 1.0, "volatility of log mandates"),
    "price_floor": _r(
        0.60,
        0.1,
        1.0,
        "lowest price factor a street pays on relational projects in a budget valley",
    ),
    "price_cap": _r(
        1.15, 1.0, 2.0, "highest price factor a street pays on relational projects in a budget peak"
    ),
    "market_growth": _r(0.03, -0.2, 0.5, "yearly growth of purchase budgets and project sizes"),
    # projects and costs
    "cost_mean": _r(0.90, 0.5, 1.5, "mean labour cost of a project relative to its budget"),
    "cost_sd": _r(0.10, 0.0, 0.5, "spread of project cost ratios (above 1 is loss-making)"),
    # implementation
    "push_base": _r(
        0.50,
        0.0,
        1.0,
        "administrative push on agencies at official philosophy and matched mandates",
    ),
    "gamma_eval": _r(
        0.25,
        0.0,
        1.0,
        "extra administrative effort agencies give when evaluation rewards compliance",
    ),
    "resist": _r(
        0.50, 0.0, 1.0, "how far mission orientation and own funding let an agency resist the push"
    ),
    "learning": _r(
        0.15, 0.0, 1.0, "yearly rate at which professional capacity follows professional effort"
    ),
    # closing
    "quality_standard": _r(0.50, 0.05, 1.0, "service quality that earns full marks at evaluation"),
    "renew_slope": _r(6.0, 0.0, 30.0, "slope of renewal probability in the evaluation score"),
    "renew_mid": _r(
        0.50, 0.0, 1.0, "evaluation score at which renewal is even odds (history adds to it)"
    ),
    "history_memory": _r(0.70, 0.0, 0.99, "share of cooperation history carried to the next year"),
    "renew_history": _r(
        2.0,
        0.0,
        10.0,
        "weight of cooperation history (against the verdict) in the renewal decision",
    ),
    # agencies
    "nongov_share": _r(
        0.10,
        0.0,
        0.9,
        "size of the non-government funding pools (foundations, charity, fees) agencies draw on: "
        "their mean share of agencies' revenue at the start",
    ),
    "mission_mean": _r(0.60, 0.0, 1.0, "mean mission orientation of agencies"),
    "relational_value": _r(
        0.60,
        0.0,
        3.0,
        "value of a relationship with a street, in project budgets (relational contract)",
    ),
    "discount": _r(0.80, 0.0, 0.99, "discount factor of future relational awards"),
    "opportunity_cost": _r(
        0.10, 0.0, 1.0, "margin a development-mode agency forgoes on a loss-making project"
    ),
    "reserve_threshold": _r(
        0.25, 0.0, 2.0, "reserves (in years of wage bill) below which an agency is in survival mode"
    ),
    "reserve_target": _r(
        0.50,
        0.1,
        3.0,
        "reserves (in years of wage bill) a non-profit agency keeps; what it holds above "
        "this at the end of a year is spent on its mission (non-distribution constraint)",
    ),
    "hire_rate": _r(0.50, 0.0, 2.0, "social workers hired per unit of surplus in development mode"),
    "fire_rate": _r(0.50, 0.0, 1.0, "share of idle staff let go after a loss"),
    "exit_years": _i(
        3, 1, 10, "consecutive loss years with negative reserves before an agency exits"
    ),
    "entry_rate": _r(
        0.30,
        0.0,
        1.0,
        "market entry: yearly chance that an empty agency slot is refilled when the market pays",
    ),
    "coding_noise": _r(
        0.05,
        0.0,
        0.5,
        "standard deviation of the coding error when GP is read from observed behaviour",
    ),
    # demand for professional work
    "professional_need": _r(
        0.85, 0.0, 1.0, "share of a street's mandated work that needs professional delivery"
    ),
    # dependence and classification thresholds (sections 4-5)
    "theta_d": _r(0.50, 0.0, 1.0, "dependence threshold θ_D of the stage states"),
    "theta_pi": _r(0.20, 0.0, 1.0, "power imbalance threshold θ_PI of the stage states"),
    # scale overrides (0 = use the preset)
    "n_districts": _i(0, 0, 10_000_000, "override the number of districts of the scale"),
    "n_streets": _i(0, 0, 100_000_000, "override the number of streets of the scale"),
    "n_committees": _i(
        0, 0, 1_000_000_000, "override the number of neighbourhood committees of the scale"
    ),
    "n_agencies": _i(0, 0, 100_000_000, "override the number of agency slots of the scale"),
    "max_memory_gb": _r(2.0, 0.01, 1024.0, "refuse runs whose estimated peak memory exceeds this"),
}


#: Parameters that are institutional rules (design section 7), not behaviour.
INSTITUTIONS: tuple[str, ...] = (
    "policy_push", "evaluator", "w_quality", "contract_years", "p_competitive",
    "switch_rule", "switch_cost", "payment_after_evaluation", "rater", "legitimacy_bodies",
    "rating_rule_bound", "panel_street_weight", "staff_slack", "nongov_share", "entry_rate",
)  # fmt: skip


def _group(name: str) -> str:
    if name in INSTITUTIONS:
        return "institution"
    if name in ("theta_d", "theta_pi"):
        return "threshold"
    if name.startswith("n_") or name == "max_memory_gb":
        return "scale"
    return "behaviour"


PARAMETERS = {
    k: ParamInfo(
        kind=v.kind,
        low=v.low,
        high=v.high,
        choices=v.choices,
        default=v.default,
        doc=v.doc,
        group=_group(k),
    )
    for k, v in PARAMETERS.items()
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Scale:
    """Numbers of entities of a run."""

    name: str
    districts: int
    streets: int
    committees: int
    agencies: int

    def n_pairs(self) -> int:
        """Number of (agency, street) pairs inside a district (cooperation history).

        Streets and agencies are assigned to districts in balanced blocks, so a district
        has at most ⌈streets/districts⌉ streets and ⌈agencies/districts⌉ agencies; this
        bound is what is counted.

        Examples
        --------
        >>> SCALES["case"].n_pairs()
        3
        """
        d = max(1, self.districts)
        return d * (-(-self.agencies // d)) * (-(-self.streets // d))

    def estimated_bytes(self) -> int:
        """Rough peak memory of a run: everything that grows with the scale.

        Per committee: project state, the award's candidate matrices (K ≤ 12) and two
        years of random draws (the year's and the next, drawn ahead in a thread); per
        agency and per street: state and yearly work arrays; per (agency, street) pair:
        history, its copy read by the dependence running beside the next year, and the
        closing, concentration and entry work arrays (about 9 arrays of 8 bytes); per
        active dyad (at most one per committee and per pair): the
        dependence state, inputs and results (about 100 numbers).

        Examples
        --------
        >>> SCALES["china"].estimated_bytes() < 2 * 1024**3
        True
        >>> big = Scale(name="x", districts=1, streets=40_000, committees=600_000, agencies=16_000)
        >>> big.estimated_bytes() > 30 * 1024**3  # 640 million pairs
        True
        """
        per_committee = 8 * 60 + 8 * 12 * 4 + 2 * (8 * 5 + 4 * 2 * 12)
        per_agency = 8 * 60
        per_street = 8 * 40
        pairs = self.n_pairs()
        per_pair = 8 * 9
        per_dyad = 8 * 100
        return int(
            150e6
            + self.committees * per_committee
            + self.agencies * per_agency
            + self.streets * per_street
            + pairs * per_pair
            + min(pairs, self.committees) * per_dyad
        )


#: Named scale presets.
SCALES: Mapping[str, Scale] = {
    "case": Scale(name="case", districts=1, streets=1, committees=6, agencies=3),
    "shanghai": Scale(name="shanghai", districts=16, streets=215, committees=6_000, agencies=1_000),
    "china": Scale(
        name="china", districts=2_800, streets=40_000, committees=600_000, agencies=16_000
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A named scenario: a description and the parameters it changes from baseline."""

    name: str
    description: str
    changes: Mapping[str, Value]
    path: str


def _scenario_dir() -> Path:
    return Path(str(resources.files("resdep") / "data" / "scenarios"))


def list_scenarios() -> list[Scenario]:
    """All bundled scenarios, ``baseline`` first.

    Examples
    --------
    >>> [s.name for s in list_scenarios()][:1]
    ['baseline']
    """
    found = [load_scenario(p.stem) for p in sorted(_scenario_dir().glob("*.toml"))]
    return sorted(found, key=lambda s: (s.name != "baseline", s.name))


def load_scenario(name_or_path: str) -> Scenario:
    """Load a bundled scenario by name, or a scenario TOML file by path.

    Raises
    ------
    ScenarioError
        Unknown name (with the closest one), unreadable file, or bad parameters.
    """
    path = Path(name_or_path)
    if not name_or_path.endswith(".toml"):
        path = _scenario_dir() / f"{name_or_path}.toml"
        if not path.is_file():
            names = [p.stem for p in _scenario_dir().glob("*.toml")]
            raise ScenarioError(
                f"unknown scenario {name_or_path!r}",
                place="--scenario",
                fix=closest(name_or_path, names),
            )
    elif not path.is_file():
        raise ScenarioError("scenario file not found", file=path, fix="give an existing .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            f"not valid TOML: {exc}", file=path, fix="correct the TOML syntax"
        ) from exc
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ScenarioError(
            "missing description",
            file=path,
            place="description",
            fix='add a line: description = "..."',
        )
    raw = data.get("parameters", {})
    if not isinstance(raw, dict):
        raise ScenarioError(
            "[parameters] must be a table",
            file=path,
            place="parameters",
            fix="write the changed parameters under [parameters]",
        )
    changes = {
        k: coerce_value(k, v, file=str(path), place=f"[parameters] {k}") for k, v in raw.items()
    }
    return Scenario(
        name=path.stem, description=description.strip(), changes=changes, path=str(path)
    )


def coerce_value(
    name: str, value: object, *, file: str | None = None, place: str | None = None
) -> Value:
    """Check a parameter name and convert and range-check its value.

    Strings (from ``--set key=value``) are parsed according to the parameter's kind.

    Examples
    --------
    >>> coerce_value("contract_years", "3")
    3
    >>> coerce_value("w_quality", "1.5")
    Traceback (most recent call last):
    ...
    resdep.errors.ScenarioError: --set w_quality: value 1.5 is out of range. Fix: give a number in [0.0, 1.0]
    """
    where = place or f"--set {name}"
    info = PARAMETERS.get(name)
    if info is None:
        raise ScenarioError(
            f"unknown parameter {name!r}", file=file, place=where, fix=closest(name, PARAMETERS)
        )
    if info.kind == "categorical":
        text = str(value)
        if text not in info.choices:
            raise ScenarioError(
                f"value {text!r} is not allowed",
                file=file,
                place=where,
                fix=closest(text, info.choices),
            )
        return text
    if isinstance(value, bool):
        raise ScenarioError(
            f"value {value!r} is not a number", file=file, place=where, fix="give a number"
        )
    try:
        num = float(value) if isinstance(value, str | int | float) else math.nan
    except ValueError:
        num = math.nan
    if not math.isfinite(num):
        raise ScenarioError(
            f"value {value!r} is not a number", file=file, place=where, fix="give a number"
        )
    assert info.low is not None
    assert info.high is not None
    if info.kind == "integer":
        if num != int(num):
            raise ScenarioError(
                f"value {value!r} is not a whole number",
                file=file,
                place=where,
                fix=f"give a whole number in [{int(info.low)}, {int(info.high)}]",
            )
        if not info.low <= num <= info.high:
            raise ScenarioError(
                f"value {value} is out of range",
                file=file,
                place=where,
                fix=f"give a whole number in [{int(info.low)}, {int(info.high)}]",
            )
        return int(num)
    if not info.low <= num <= info.high:
        raise ScenarioError(
            f"value {value} is out of range",
            file=file,
            place=where,
            fix=f"give a number in [{info.low}, {info.high}]",
        )
    return num


def resolve_params(
    scenario: str = "baseline", overrides: Mapping[str, object] | None = None
) -> dict[str, Value]:
    """Defaults, then the scenario's changes, then the overrides; all validated."""
    params: dict[str, Value] = {k: v.default for k, v in PARAMETERS.items()}
    params.update(load_scenario(scenario).changes)
    for key, value in (overrides or {}).items():
        params[key] = coerce_value(key, value)
    return params


def resolve_scale(name: str, params: Mapping[str, Value]) -> Scale:
    """The scale preset with any ``n_*`` overrides, checked against the memory limit.

    Examples
    --------
    >>> resolve_scale("case", {}).agencies
    3
    >>> resolve_scale("china", {"n_committees": 10**9, "max_memory_gb": 2.0})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    resdep.errors.ScenarioError: --scale: scale 'china' needs about ... GB, more than the limit of 2.0 GB. Fix: choose a smaller scale or raise --set max_memory_gb
    """
    preset = SCALES.get(name)
    if preset is None:
        raise ScenarioError(f"unknown scale {name!r}", place="--scale", fix=closest(name, SCALES))
    counts = {
        "districts": int(params.get("n_districts", 0)) or preset.districts,
        "streets": int(params.get("n_streets", 0)) or preset.streets,
        "committees": int(params.get("n_committees", 0)) or preset.committees,
        "agencies": int(params.get("n_agencies", 0)) or preset.agencies,
    }
    if not counts["districts"] <= counts["streets"] <= counts["committees"]:
        raise ScenarioError(
            "need districts ≤ streets ≤ committees",
            place="--set n_*",
            fix=f"got {counts['districts']} districts, {counts['streets']} streets, "
            f"{counts['committees']} committees",
        )
    scale = Scale(name=name, **counts)
    limit = float(params.get("max_memory_gb", 2.0))
    need = scale.estimated_bytes() / 1024**3
    if need > limit:
        raise ScenarioError(
            f"scale {name!r} needs about {need:.1f} GB, more than the limit of {limit} GB",
            place="--scale",
            fix="choose a smaller scale or raise --set max_memory_gb",
        )
    return scale


def parameter_space(scenario: str = "baseline") -> Mapping[str, ParamInfo]:
    """Every parameter with its range, defaults taken from ``scenario``.

    Examples
    --------
    >>> space = parameter_space("quality_evaluation")
    >>> space["w_quality"].kind, space["w_quality"].default > 0.5
    ('real', True)
    """
    changes = load_scenario(scenario).changes
    out: dict[str, ParamInfo] = {}
    for name, info in PARAMETERS.items():
        if name in changes:
            info = ParamInfo(
                kind=info.kind,
                low=info.low,
                high=info.high,
                choices=info.choices,
                default=changes[name],
                doc=info.doc,
                group=info.group,
            )
        out[name] = info
    return out
