"""The simulation's files and report: new outcome columns, districts, figures, GraphML."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from resdep.simulate import simulate, write_simulation
from resdep.simulate.api import SimulationResult
from resdep.simulate.output import (
    DISTRICT_ROWS,
    PA_QUANTILES,
    district_summary,
    dyad_frames,
    networks,
    render_report,
    report_figures,
    write_graphml,
)

STAGES = ("contracting", "implementation", "closing")
STATES = ("interdependent", "government_dominant", "agency_dominant", "weak")
MID = {"n_districts": 2, "n_streets": 8, "n_committees": 40, "n_agencies": 24}


def _with_new_columns(res: SimulationResult) -> SimulationResult:
    """The run with the per-stage state shares and PA quantiles the model is to add."""
    o = res.outcomes.copy()
    n = len(o)
    for s in STAGES:
        for k, state in enumerate(STATES):
            o[f"share_{state}_{s}"] = np.full(n, [0.1, 0.6, 0.2, 0.1][k])
        for j, q in enumerate(PA_QUANTILES):
            o[f"pa_{s}_{q}"] = o[f"pa_{s}"] + (j - 2) * 0.1
    return replace(res, outcomes=o)


def _districts(n_districts: int, years: int) -> pd.DataFrame:
    rows = [
        {
            "year": y,
            "district": d,
            "n_dyads": 5 + d,
            "pa_contracting": 0.0,
            "pa_implementation": -0.3,
            # closing PA rises with the district id, so the order is known
            "pa_closing": round(-0.5 + d / n_districts, 6),
            "share_partnership": 0.2,
            "share_buddy": 0.7,
            "share_transactional": 0.1,
            "share_undetermined": 0.0,
        }
        for y in range(1, years + 1)
        for d in range(n_districts)
    ]
    return pd.DataFrame(rows)


def test_every_outcome_column_is_written_and_drawn(tmp_path: Path) -> None:
    res = _with_new_columns(simulate(years=3, seed=1))
    write_simulation(res, tmp_path / "r")
    written = pd.read_csv(tmp_path / "r" / "outcomes.csv")
    assert list(written.columns) == list(res.outcomes.columns)
    pd.testing.assert_frame_equal(written, res.outcomes, check_dtype=False)
    names = {p.name for p in (tmp_path / "r" / "figures").iterdir()}
    for fig in ("outcomes", "stage_pa", "stage_dependence", "stage_states", "pa_quantiles"):
        assert {f"{fig}.svg", f"{fig}.png"} <= names
        assert (tmp_path / "r" / "figures" / f"{fig}.png").read_bytes()[:4] == b"\x89PNG"
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Stage states over time" in page
    assert "Power advantage across dyads" in page
    assert page.count("<svg") == 5
    assert "share_government_dominant_closing" in page  # in the table of means


def _without_new_columns(res: SimulationResult) -> SimulationResult:
    new = re.compile(r"^(share_[a-z_]+_(contracting|implementation|closing)|pa_[a-z]+_q\d\d)$")
    keep = [c for c in res.outcomes.columns if not new.match(c)]
    return replace(res, outcomes=res.outcomes[keep])


def test_stage_state_and_fan_figures_only_when_their_columns_exist() -> None:
    plain = _without_new_columns(simulate(years=2, seed=0))
    assert "stage_states" not in report_figures(plain)
    assert "pa_quantiles" not in report_figures(plain)
    figs = report_figures(_with_new_columns(plain))
    ax = figs["stage_states"].axes[2]  # closing
    # the stack of the four state shares reaches their sum, 1.0
    top = max(float(np.max(c.get_paths()[0].vertices[:, 1])) for c in ax.collections)
    assert top == pytest.approx(1.0)
    fan = figs["pa_quantiles"].axes[0]
    median = fan.get_lines()[0].get_ydata()
    np.testing.assert_allclose(median, plain.outcomes["pa_contracting"])


def test_districts_written_and_summarised(tmp_path: Path) -> None:
    n = 2 * DISTRICT_ROWS + 4
    res = replace(simulate(years=2, seed=0), districts=_districts(n, 2))
    write_simulation(res, tmp_path / "r")
    back = pd.read_csv(tmp_path / "r" / "districts.csv")
    pd.testing.assert_frame_equal(back, res.districts, check_dtype=False)
    table, text = district_summary(res.districts)  # type: ignore[arg-type]
    # top DISTRICT_ROWS by closing PA are the highest ids, bottom ones the lowest
    assert table["district"].tolist() == [
        *range(n - 1, n - 1 - DISTRICT_ROWS, -1),
        *range(DISTRICT_ROWS - 1, -1, -1),
    ]
    assert text.startswith(f"Year 2: {n} districts")
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "<h2 id=districts>Districts</h2>" in page
    assert f"The {DISTRICT_ROWS} districts with the highest" in page
    few = replace(res, districts=_districts(3, 2))
    assert "Every district, by closing PA" in render_report(few)


def test_no_districts_no_table(tmp_path: Path) -> None:
    res = replace(simulate(years=2, seed=0), districts=None)
    write_simulation(res, tmp_path / "r")
    assert not (tmp_path / "r" / "districts.csv").exists()
    assert "<h2 id=districts>Districts</h2>" not in (tmp_path / "r" / "report.html").read_text(
        encoding="utf-8"
    )


def _as_plain(g: nx.DiGraph) -> tuple[dict[str, object], dict[str, object], dict[object, object]]:
    # read_graphml adds empty node_default/edge_default to the graph attributes
    graph = {k: v for k, v in g.graph.items() if k not in ("node_default", "edge_default")}
    return graph, dict(g.nodes(data=True)), {(u, v): d for u, v, d in g.edges(data=True)}


def test_graphml_writer_matches_networkx(tmp_path: Path) -> None:
    res = simulate(years=3, seed=2, overrides=MID)
    for stage, g in networks(res, dyad_frames(res)[2]).items():
        ours, theirs = tmp_path / f"{stage}_ours.graphml", tmp_path / f"{stage}_nx.graphml"
        write_graphml(g, ours)
        nx.write_graphml(g, theirs)
        a, b = nx.read_graphml(ours), nx.read_graphml(theirs)
        assert isinstance(a, nx.DiGraph)
        assert _as_plain(a) == _as_plain(b)
        assert g.number_of_edges() > 0


def test_graphml_writer_escapes_hostile_names(tmp_path: Path) -> None:
    g = nx.DiGraph(case='sim:"<x>" & y')
    g.add_node('a"b<c>&', kind="</data><evil/>", government=True, district="区 1")
    g.add_edge('a"b<c>&', "s", d=1 / 3)
    write_graphml(g, tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert _as_plain(back) == _as_plain(g)


def test_written_networks_are_the_networks_function_s_graphs(tmp_path: Path) -> None:
    res = simulate(years=3, seed=5, overrides=MID)
    write_simulation(res, tmp_path / "r")
    graphs = networks(res, dyad_frames(res)[2])
    for stage, g in graphs.items():
        nx.write_graphml(g, tmp_path / f"{stage}_nx.graphml")
        back = nx.read_graphml(tmp_path / "r" / "networks" / f"{stage}.graphml")
        assert _as_plain(back) == _as_plain(nx.read_graphml(tmp_path / f"{stage}_nx.graphml"))
