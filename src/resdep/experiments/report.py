"""Writing analysis results: CSV tables and a self-contained HTML page with plots.

``write_sensitivity`` writes ``indices.csv``, ``noise.csv`` and ``report.html`` (bar
charts of S1 and ST with confidence intervals, or μ*–σ plots for Morris);
``write_discovery`` writes ``trajectory.csv``, ``box.csv`` and ``report.html`` (the
coverage–density trade-off and the chosen box drawn against each input's range).
Both write into a temporary folder and move it into place.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resdep.csvout import write_csv
from resdep.errors import ExperimentSpecError, OutputExistsError, closest
from resdep.experiments.analysis import Analysis
from resdep.experiments.prim import Box, PrimResult, paste, prim, select_box
from resdep.experiments.runner import load_store_spec
from resdep.experiments.store import ResultStore
from resdep.textio import atomic_dir

__all__ = [
    "Discovery",
    "discover",
    "write_discovery",
    "write_output_dir",
    "write_sensitivity",
]

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3} td.l,th.l{text-align:left}
img{max-width:100%} .note{color:#555}
"""


def write_output_dir(out: Path, force: bool, fill: Callable[[Path], None]) -> Path:
    """Create ``out`` atomically: ``fill`` a temporary sibling, then rename it.

    Raises
    ------
    OutputExistsError
        If ``out`` is a non-empty folder and ``force`` is false.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "result"
    >>> def fill(tmp: Path) -> None:
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> write_output_dir(out, False, fill) == out, sorted(p.name for p in out.iterdir())
    (True, ['.resdep-output', 'a.txt'])
    >>> write_output_dir(out, False, fill)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    resdep.errors.OutputExistsError: ... already exists and is not empty; pass --force to replace it
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise OutputExistsError(
            f"{out} already exists and is not empty; pass --force to replace it"
        )
    with atomic_dir(out, force=True) as tmp:
        fill(tmp)
    return out


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return (
        '<img alt="plot" src="data:image/png;base64,'
        + base64.b64encode(buf.getvalue()).decode()
        + '">'
    )


def _table(frame: pd.DataFrame, digits: int = 4) -> str:
    head = "".join(f"<th class='l'>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for v in row:
            if isinstance(v, float | np.floating):
                cells.append(f"<td>{v:.{digits}g}</td>")
            else:
                cells.append(f"<td class='l'>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _page(title: str, parts: Sequence[str]) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>" + "\n".join(parts) + "</body></html>\n"
    )


def _sobol_figure(block: pd.DataFrame, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = block["parameter"].tolist()
    pos = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(4.0, 0.7 * len(names) + 2), 3.2))
    ax.bar(pos - 0.2, block["S1"], 0.4, yerr=block["S1_conf"], label="S1 (first order)", capsize=3)
    ax.bar(pos + 0.2, block["ST"], 0.4, yerr=block["ST_conf"], label="ST (total)", capsize=3)
    ax.set_xticks(pos, names, rotation=30, ha="right")
    ax.set_ylabel("Sobol index")
    ax.set_title(title)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.legend(frameon=False)
    return _png(fig)


def _morris_figure(block: pd.DataFrame, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    ax.scatter(block["mu_star"], block["sigma"])
    for _, r in block.iterrows():
        ax.annotate(str(r["parameter"]), (r["mu_star"], r["sigma"]), fontsize=8)
    ax.set_xlabel("μ* (mean |elementary effect|)")
    ax.set_ylabel("σ (interaction / non-linearity)")
    ax.set_title(title)
    return _png(fig)


def write_sensitivity(analysis: Analysis, out: Path, *, title: str, force: bool = False) -> Path:
    """Write ``indices.csv``, ``noise.csv`` and ``report.html`` into ``out``."""

    def fill(tmp: Path) -> None:
        write_csv(analysis.indices, tmp / "indices.csv")
        write_csv(analysis.noise, tmp / "noise.csv")
        parts = [
            f"<p>Method: <b>{analysis.method}</b>. Indices from SALib; confidence intervals "
            "by bootstrap. Seed-noise share = mean within-point variance over total variance "
            "(needs replicates ≥ 2).</p>"
        ]
        for note in analysis.notes:
            parts.append(f"<p class='note'>{html.escape(note)}</p>")
        if not analysis.indices.empty:
            for (outcome, policy), block in analysis.indices.groupby(
                ["outcome", "policy"], sort=False
            ):
                lever = analysis.policies.get(int(policy), {})  # type: ignore[call-overload]
                label = f"{outcome}" + (f" — policy {policy}: {lever}" if lever else "")
                parts.append(f"<h2>{html.escape(label)}</h2>")
                noise = analysis.noise[
                    (analysis.noise["outcome"] == outcome) & (analysis.noise["policy"] == policy)
                ]
                if not noise.empty and np.isfinite(noise["noise_share"].iloc[0]):
                    parts.append(f"<p>Seed-noise share: {noise['noise_share'].iloc[0]:.3f}</p>")
                draw = _sobol_figure if analysis.method == "sobol" else _morris_figure
                parts.append(draw(block, str(label)))
                parts.append(_table(block.drop(columns=["outcome", "policy"])))
        parts.append("<h2>Seed noise</h2>" + _table(analysis.noise))
        (tmp / "report.html").write_text(_page(title, parts), encoding="utf-8")

    return write_output_dir(out, force, fill)


@dataclass(frozen=True, slots=True, kw_only=True)
class Discovery:
    """A scenario-discovery result: the condition, the trajectory and the chosen box."""

    outcome: str
    threshold: float
    above: bool
    result: PrimResult
    box: Box
    pasted: Box
    inputs: tuple[str, ...]

    def trajectory_frame(self) -> pd.DataFrame:
        """One row per peeling step: coverage, density, mass, restricted inputs."""
        return pd.DataFrame(
            [
                {
                    "step": i,
                    "coverage": b.coverage,
                    "density": b.density,
                    "mass": b.mass,
                    "n_points": b.n_points,
                    "restricted": ";".join(sorted(b.restricted())),
                }
                for i, b in enumerate(self.result.trajectory)
            ]
        )

    def box_frame(self) -> pd.DataFrame:
        """The limits of the pasted box on every restricted input."""
        rows: list[dict[str, Any]] = []
        for name, limit in self.pasted.restricted().items():
            full = self.pasted.full[name]
            if isinstance(limit, frozenset):
                rows.append(
                    {
                        "parameter": name,
                        "lower": "",
                        "upper": "",
                        "values": ";".join(sorted(map(str, limit))),
                        "range": ";".join(sorted(map(str, full))),
                    }
                )
            else:
                assert not isinstance(full, frozenset)
                rows.append(
                    {
                        "parameter": name,
                        "lower": limit[0],
                        "upper": limit[1],
                        "values": "",
                        "range": f"{full[0]:g} .. {full[1]:g}",
                    }
                )
        return pd.DataFrame(rows, columns=["parameter", "lower", "upper", "values", "range"])


def discover(
    path: str | Path,
    *,
    outcome: str,
    threshold: float,
    above: bool = True,
    alpha: float = 0.05,
    mass_min: float = 0.05,
    min_coverage: float = 0.5,
) -> Discovery:
    """PRIM on a stored sweep: where do runs have ``outcome`` above (or below) ``threshold``?

    Every run is a row; the inputs are the varied parameters.
    """
    store = ResultStore.open(path)
    spec = load_store_spec(store)
    results = store.results()
    names = [c for c in store.outcomes().columns if c != "run"]
    if outcome not in names:
        raise ExperimentSpecError(
            f"no outcome {outcome!r} in this sweep",
            file=store.path,
            place="--outcome",
            fix=closest(outcome, names),
        )
    if results.empty:
        raise ExperimentSpecError(
            "the sweep has no stored runs", file=store.path, fix="run the sweep first"
        )
    inputs = list(spec.names)
    values = results[outcome].to_numpy(dtype=float)
    keep = np.isfinite(values)
    x = results.loc[keep, inputs].reset_index(drop=True)
    y = values[keep] > threshold if above else values[keep] < threshold
    result = prim(x, y, alpha=alpha, mass_min=mass_min)
    box = select_box(result, min_coverage=min_coverage)
    pasted = paste(x, y, box, alpha=alpha)
    return Discovery(
        outcome=outcome,
        threshold=threshold,
        above=above,
        result=result,
        box=box,
        pasted=pasted,
        inputs=tuple(inputs),
    )


def _discovery_figures(d: Discovery) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    traj = d.trajectory_frame()
    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    sc = ax.scatter(
        traj["coverage"],
        traj["density"],
        c=traj["restricted"].str.count(";") + (traj["restricted"] != ""),
        cmap="viridis",
    )
    fig.colorbar(sc, ax=ax, label="restricted inputs")
    ax.scatter(
        [d.pasted.coverage],
        [d.pasted.density],
        marker="*",
        s=160,
        color="red",
        label="chosen (pasted)",
    )
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title("peeling trajectory")
    ax.legend(frameon=False)
    figs = [_png(fig)]
    restricted = d.pasted.restricted()
    if restricted:
        fig, ax = plt.subplots(figsize=(6.0, 0.6 * len(restricted) + 1.2))
        for i, (name, limit) in enumerate(restricted.items()):
            full = d.pasted.full[name]
            if isinstance(limit, frozenset):
                assert isinstance(full, frozenset)
                allowed = len(limit) / len(full)
                ax.barh(i, 1.0, color="#ddd")
                ax.barh(i, allowed, color="tab:blue")
                ax.text(
                    1.01, i, "{" + ", ".join(sorted(map(str, limit))) + "}", va="center", fontsize=8
                )
            else:
                assert not isinstance(full, frozenset)
                span = full[1] - full[0] or 1.0
                ax.barh(i, 1.0, color="#ddd")
                ax.barh(
                    i,
                    (limit[1] - limit[0]) / span,
                    left=(limit[0] - full[0]) / span,
                    color="tab:blue",
                )
                ax.text(1.01, i, f"[{limit[0]:.3g}, {limit[1]:.3g}]", va="center", fontsize=8)
        ax.set_yticks(range(len(restricted)), list(restricted))
        ax.set_xlim(0, 1.35)
        ax.set_xlabel("share of the input's range")
        ax.set_title("chosen box")
        figs.append(_png(fig))
    return figs


def write_discovery(d: Discovery, out: Path, *, title: str, force: bool = False) -> Path:
    """Write ``trajectory.csv``, ``box.csv`` and ``report.html`` into ``out``."""

    def fill(tmp: Path) -> None:
        write_csv(d.trajectory_frame(), tmp / "trajectory.csv")
        write_csv(d.box_frame(), tmp / "box.csv")
        cond = f"{d.outcome} {'>' if d.above else '<'} {d.threshold:g}"
        parts = [
            f"<p>Cases of interest: runs with <b>{html.escape(cond)}</b> "
            f"({d.result.n_interesting} of {d.result.n_points}).</p>",
            f"<p>Chosen box (densest with coverage ≥ the minimum, then pasted): coverage "
            f"{d.pasted.coverage:.3f}, density {d.pasted.density:.3f}, mass {d.pasted.mass:.3f}.</p>",
            *_discovery_figures(d),
            "<h2>Box</h2>",
            _table(d.box_frame()),
            "<h2>Peeling trajectory</h2>",
            _table(d.trajectory_frame()),
        ]
        (tmp / "report.html").write_text(_page(title, parts), encoding="utf-8")

    return write_output_dir(out, force, fill)
