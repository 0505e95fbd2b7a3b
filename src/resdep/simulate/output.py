"""Writing a simulation run: the files of design section 11 plus ``outcomes.csv``.

The same files as ``resdep analyze`` (``inputs.csv``, ``stages.csv``,
``relationships.csv``, ``diagnostics.csv``, ``networks/<stage>.graphml``, ``report.html``,
``run.json``) plus ``outcomes.csv``. The folder is built by
:func:`resdep.textio.atomic_dir`: in a temporary sibling, moved into place when complete,
and with ``force`` an earlier output folder is replaced as a whole (never mixed with the
new run). At big scales the final-year dyad tables, the diagnostics and the networks
cover a seeded random sample of :data:`MAX_DYAD_ROWS` dyads (``run.json`` says so).
"""

from __future__ import annotations

import html
import io
import json
import platform
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from resdep.classify import GKS_ORDER, LABEL_ORDER, NAJAM_ORDER, gks, najam
from resdep.csvout import write_csv
from resdep.dependence import STATE_ORDER, dyad_measures, noisy_or
from resdep.simulate.api import SimulationResult
from resdep.simulate.model import (
    AG_RESOURCES,
    GA_RESOURCES,
    DyadTables,
    government_goals,
    stream,
)
from resdep.textio import atomic_dir

__all__ = [
    "DIAGNOSTICS_COLUMNS",
    "MAX_DYAD_ROWS",
    "diagnostics_frame",
    "dyad_frames",
    "networks",
    "render_report",
    "write_simulation",
]

#: Columns of ``diagnostics.csv``, as written by ``resdep analyze``.
DIAGNOSTICS_COLUMNS = ["scope", "measure", "value", "n_records", "triangulation"]

#: Largest number of dyads written to the per-dyad tables.
MAX_DYAD_ROWS = 5_000
STAGES = ("contracting", "implementation", "closing")


def _sample(t: DyadTables, seed: int) -> tuple[np.ndarray, bool]:
    n = t.agency.size
    if n <= MAX_DYAD_ROWS:
        return np.arange(n), False
    pick = stream(seed, "report").choice(n, MAX_DYAD_ROWS, replace=False)
    return np.sort(pick), True


def dyad_frames(result: SimulationResult) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, bool]:
    """``stages``, ``relationships`` and ``inputs`` tables of the final year's dyads.

    Returns the three tables and whether they hold a sample.

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> st, rel, inp, sampled = dyad_frames(simulate(years=2, seed=1))
    >>> list(st.columns)[:4], sampled
    (['agency', 'government', 'stage', 'd_ag'], False)
    """
    t = result.dyads
    if t is None or t.agency.size == 0:
        empty = pd.DataFrame()
        return empty, empty, empty, False
    idx, sampled = _sample(t, result.seed)
    agency = np.array([f"agency_{a}" for a in t.agency[idx]], dtype=object)
    gov = np.array([f"street_{s}" for s in t.street[idx]], dtype=object)
    rows = []
    for k, stage in enumerate(STAGES):
        m = dyad_measures(t.d_ag[idx, k], t.d_ga[idx, k])
        rows.append(
            pd.DataFrame(
                {
                    "agency": agency,
                    "government": gov,
                    "stage": stage,
                    "d_ag": t.d_ag[idx, k],
                    "d_ga": t.d_ga[idx, k],
                    "md": m["md"],
                    "pa": m["pa"],
                    "pi": m["pi"],
                    "md_min": m["md_min"],
                    "state": [STATE_ORDER[c].value for c in t.state[idx, k]],
                }
            )
        )
    stages = pd.concat(rows, ignore_index=True)
    lab = t.label[idx]
    relationships = pd.DataFrame(
        {
            "agency": agency,
            "government": gov,
            "label": [LABEL_ORDER[c].value for c in lab],
            "mu_partnership": t.mu_partnership[idx],
            "mu_buddy": t.mu_buddy[idx],
            # no Monte Carlo over simulated inputs: the probability is that of the point label
            "p_partnership": (lab == 0).astype(float),
            "p_buddy": (lab == 1).astype(float),
            "p_transactional": (lab == 2).astype(float),
            "ri": t.ri[idx],
            "gp": t.gp[idx],
            "ia": t.ia[idx],
            "dep": t.dep[idx],
            "najam": [NAJAM_ORDER[c] for c in najam(t.ia[idx], t.gp[idx])],
            "gks": [GKS_ORDER[c] for c in gks(t.ri[idx], t.gp[idx])],
        }
    )
    from resdep.dependence import resource_dependence

    parts = []
    for direction, (ii, ss, xx, names) in {
        "ag": (t.ag_i, t.ag_s, t.ag_x, AG_RESOURCES),
        "ga": (t.ga_i, t.ga_s, t.ga_x, GA_RESOURCES),
    }.items():
        d = resource_dependence(ii[idx], ss[idx], xx[idx])
        for k, stage in enumerate(STAGES):
            for r, res in enumerate(names):
                live = ii[idx, k, r] > 0
                if not live.any():
                    continue
                dep, prov = (agency, gov) if direction == "ag" else (gov, agency)
                parts.append(
                    pd.DataFrame(
                        {
                            "dependent": dep[live],
                            "provider": prov[live],
                            "resource": res,
                            "stage": stage,
                            "importance": ii[idx, k, r][live],
                            "alternatives": ss[idx, k, r][live],
                            "discretion": xx[idx, k, r][live],
                            "d": d[:, k, r][live],
                            # no informants behind a model state: no records, triangulation not
                            # applicable (empty), so the flag T < 2 is not raised (NaN < 2 is false)
                            "n_records": 0,
                            "triangulation": np.nan,
                            "single_source": False,
                            "origin": "simulated",  # a model state, neither coded nor records
                        }
                    )
                )
    inputs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return stages, relationships, inputs, sampled


def _svg(fig: object) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    text = buf.getvalue()
    return text[text.find("<svg") :]


def render_report(result: SimulationResult) -> str:
    """A self-contained HTML page: outcome series, stage-wise dependence, label shares."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    o = result.outcomes
    years = o["year"].to_numpy()
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5))
    for col in ("welfare", "welfare_ratio", "task_completion", "budget_index"):
        axes[0, 0].plot(years, o[col], label=col)
    axes[0, 0].set_title("residents and tasks")
    for col in ("survival", "staff", "hhi"):
        axes[0, 1].plot(years, o[col], label=col)
    axes[0, 1].set_title("agencies")
    for col in ("relational_share", "formalization", "autonomy"):
        axes[1, 0].plot(years, o[col], label=col)
    axes[1, 0].set_title("purchase problems")
    axes[1, 1].stackplot(
        years,
        o["share_partnership"],
        o["share_buddy"],
        o["share_transactional"],
        labels=["partnership", "buddy", "transactional"],
    )
    axes[1, 1].set_title("relationship labels (share of dyads)")
    for ax in axes.flat:
        ax.set_xlabel("year")
        ax.legend(fontsize=7)
    fig.tight_layout()
    series = _svg(fig)
    fig2, ax2 = plt.subplots(1, 2, figsize=(10, 3.5))
    for stage in STAGES:
        ax2[0].plot(years, o[f"pa_{stage}"], label=stage)
        ax2[1].plot(years, o[f"md_min_{stage}"], label=stage)
    ax2[0].axhline(0, color="grey", lw=0.5)
    ax2[0].set_title("power advantage of government PA by stage")
    ax2[1].set_title("mutual dependence MDmin by stage")
    for ax in ax2:
        ax.set_xlabel("year")
        ax.legend(fontsize=7)
    fig2.tight_layout()
    stage_fig = _svg(fig2)
    fig3, ax3 = plt.subplots(figsize=(5, 3.2))
    half = o.iloc[len(o) // 2 :]
    ax3.plot(
        range(3), [half[f"d_ag_{s}"].mean() for s in STAGES], "o-", label="D agency→government"
    )
    ax3.plot(
        range(3), [half[f"d_ga_{s}"].mean() for s in STAGES], "s-", label="D government→agency"
    )
    ax3.set_xticks(range(3), STAGES)
    ax3.set_ylim(0, 1)
    ax3.set_title("stage-wise dependence (last half of the run)")
    ax3.legend(fontsize=7)
    traj = _svg(fig3)
    means = half.drop(columns=["year"]).mean()
    table = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{v:.3f}</td></tr>" for k, v in means.items()
    )
    stats = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v:.3f}</td></tr>" for k, v in result.stats.items()
    )
    params = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
        for k, v in result.params.items()
    )
    sc = result.scale
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>resdep simulation: {html.escape(result.scenario)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}}
table{{border-collapse:collapse;font-size:0.85em}}td{{border:1px solid #ccc;padding:2px 6px}}
.cols{{display:flex;gap:2em;flex-wrap:wrap}}</style></head><body>
<h1>Simulation: {html.escape(result.scenario)}</h1>
<p>Scale {html.escape(sc.name)} ({sc.districts} districts, {sc.streets} streets, {sc.committees}
committees, {sc.agencies} agency slots), {result.years} years, seed {result.seed}.
Dependence and labels come from the same scoring and classification code as observed cases.</p>
<h2>Outcomes over time</h2>{series}
<h2>Stage-wise dependence</h2>{stage_fig}{traj}
<div class="cols"><div><h2>Means over the last half</h2><table>{table}</table>
<h2>Run statistics</h2><table>{stats}</table></div>
<div><h2>Parameters</h2><table>{params}</table></div></div>
</body></html>
"""


def _sampled(result: SimulationResult) -> tuple[DyadTables | None, np.ndarray]:
    t = result.dyads
    if t is None or t.agency.size == 0:
        return None, np.zeros(0, dtype=np.int64)
    return t, _sample(t, result.seed)[0]


def diagnostics_frame(result: SimulationResult) -> pd.DataFrame:
    """Per-agency and per-street measures of the final year's (possibly sampled) dyads.

    Columns as in ``resdep analyze``: ``scope`` (``agency_<slot>`` or ``street_<slot>``),
    ``measure``, ``value``, ``n_records`` (always 0: no evidence records behind a model
    state) and ``triangulation`` (empty: no informants). Measures per agency:
    ``formalization`` (administrative share of effort, mean over its contracts),
    ``relational_share`` (share of its contracts bought relationally) and ``autonomy``
    ((1 − formalization)·(1 − mean D agency→street over its dyads and the stages), as in
    ``outcomes.csv``); per street the same formalization and relational share over its
    contracts, ``philosophy`` θ and ``task_quality_lean`` (weight of trouble-free
    completion and impression against service quality and resident benefit in the street's
    goals, from θ and w_q: the measure ``resdep analyze`` reports for government actors).

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> d = diagnostics_frame(simulate(years=2, seed=1))
    >>> sorted(set(d["measure"]))[:3]
    ['autonomy', 'formalization', 'philosophy']
    """
    t, idx = _sampled(result)
    if t is None:
        return pd.DataFrame(columns=DIAGNOSTICS_COLUMNS)
    ag, st, n = t.agency[idx], t.street[idx], t.contracts[idx]
    alpha, rel = t.formalization[idx], t.relational[idx]
    dep = t.d_ag[idx].mean(axis=-1)
    parts = []
    for kind, key in (("agency", ag), ("street", st)):
        ids, inv = np.unique(key, return_inverse=True)
        weight = np.bincount(inv, weights=n)
        formal = np.bincount(inv, weights=n * alpha) / weight
        values: dict[str, np.ndarray] = {
            "formalization": formal,
            "relational_share": np.bincount(inv, weights=n * rel) / weight,
        }
        if kind == "agency":
            d_mean = np.bincount(inv, weights=dep) / np.bincount(inv)
            values["autonomy"] = (1.0 - formal) * (1.0 - d_mean)
        else:
            theta = np.zeros(ids.size)
            theta[inv] = t.theta[idx]
            goals = government_goals(theta, float(result.params["w_quality"]))
            task, quality = goals[:, 2] + goals[:, 3], goals[:, 0] + goals[:, 1]
            values["philosophy"] = theta
            values["task_quality_lean"] = np.where(task + quality > 0, task / (task + quality), 0.5)
        scope = np.array([f"{kind}_{i}" for i in ids], dtype=object)
        for measure, v in values.items():
            parts.append(pd.DataFrame({"scope": scope, "measure": measure, "value": v}))
    out = pd.concat(parts, ignore_index=True).sort_values(["scope", "measure"], kind="stable")
    out["n_records"] = 0
    out["triangulation"] = np.nan
    return out.reset_index(drop=True)[DIAGNOSTICS_COLUMNS]


def networks(result: SimulationResult, inputs: pd.DataFrame) -> dict[str, nx.DiGraph]:
    """One dependence network per stage, as ``resdep analyze`` writes them.

    Nodes are the agencies and street offices of the written dyads (``kind``
    ``social_work_agency`` or ``street_office``, ``government``, ``district``); an edge
    runs from dependent to provider with ``d`` (the noisy-OR over resources, the dyad's
    D of that direction and stage) and ``d_<resource>`` per resource with a tie.

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> res = simulate(years=2, seed=1)
    >>> g = networks(res, dyad_frames(res)[2])["closing"]
    >>> sorted({k for _, k in g.nodes(data="kind")})
    ['social_work_agency', 'street_office']
    """
    t, idx = _sampled(result)
    nodes: dict[str, dict[str, Any]] = {}
    if t is not None:
        sc = result.scale
        for a in np.unique(t.agency[idx]).tolist():
            nodes[f"agency_{a}"] = {
                "kind": "social_work_agency",
                "government": False,
                "district": f"district_{a * sc.districts // sc.agencies}",
            }
        for s in np.unique(t.street[idx]).tolist():
            nodes[f"street_{s}"] = {
                "kind": "street_office",
                "government": True,
                "district": f"district_{s * sc.districts // sc.streets}",
            }
    edges: dict[str, dict[tuple[str, str], dict[str, float]]] = {
        s: defaultdict(dict) for s in STAGES
    }
    if len(inputs):
        cols = zip(
            inputs["stage"],
            inputs["dependent"],
            inputs["provider"],
            inputs["resource"],
            inputs["d"],
            strict=True,
        )
        for stage, dep, prov, res, d in cols:
            edges[stage][(dep, prov)][f"d_{res}"] = float(d)
    out: dict[str, nx.DiGraph] = {}
    for stage in STAGES:
        g = nx.DiGraph(stage=stage, case=f"simulation:{result.scenario}")
        g.add_nodes_from(nodes.items())
        for (dep, prov), attrs in sorted(edges[stage].items()):
            d = float(noisy_or(np.fromiter(attrs.values(), dtype=np.float64)))
            g.add_edge(dep, prov, d=d, **attrs)
        out[stage] = g
    return out


def write_simulation(result: SimulationResult, out_dir: str | Path, *, force: bool = False) -> Path:
    """Write a run's files into ``out_dir``.

    The folder is built beside ``out_dir`` and moved into place when complete
    (:func:`resdep.textio.atomic_dir`); with ``force`` an earlier resdep output folder is
    replaced as a whole, so no file of an earlier run or anything else stays beside the
    new files.

    Raises
    ------
    OutputExistsError
        ``out_dir`` is a file; or it holds files and ``force`` is false; or ``force`` is
        given but the folder was not written by resdep.
    """
    from resdep import __version__

    out = Path(out_dir)
    with atomic_dir(out, force=force) as tmp:
        write_csv(result.outcomes, tmp / "outcomes.csv")
        stages, rels, inputs, sampled = dyad_frames(result)
        write_csv(stages, tmp / "stages.csv")
        write_csv(rels, tmp / "relationships.csv")
        write_csv(inputs, tmp / "inputs.csv")
        write_csv(diagnostics_frame(result), tmp / "diagnostics.csv")
        (tmp / "networks").mkdir()
        for stage, graph in networks(result, inputs).items():
            nx.write_graphml(graph, tmp / "networks" / f"{stage}.graphml")
        n_dyads = 0 if result.dyads is None else int(result.dyads.agency.size)
        meta = {
            "command": "simulate",
            "scenario": result.scenario,
            "scale": {
                "name": result.scale.name,
                "districts": result.scale.districts,
                "streets": result.scale.streets,
                "committees": result.scale.committees,
                "agencies": result.scale.agencies,
            },
            "years": result.years,
            "seed": result.seed,
            "parameters": dict(result.params),
            "statistics": dict(result.stats),
            "dyad_tables": {
                "year": result.years,
                "dyads": n_dyads,
                "rows_written": min(n_dyads, MAX_DYAD_ROWS),
                "sampled": sampled,
            },
            "versions": {
                "resdep": __version__,
                "numpy": np.__version__,
                "pandas": pd.__version__,
                "networkx": nx.__version__,
                "python": platform.python_version(),
            },
        }
        (tmp / "run.json").write_text(json.dumps(meta, indent=2, default=float), encoding="utf-8")
        (tmp / "report.html").write_text(render_report(result), encoding="utf-8")
    return out
