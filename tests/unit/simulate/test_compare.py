"""Scenarios side by side: the table by hand, the files, the command."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resdep.cli import build_parser, main
from resdep.simulate.compare import compare_figure, compare_frame, folder_names
from resdep.simulate.seeds import simulate_seeds

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from figure_layout import layout_problems


@pytest.fixture(scope="module")
def two() -> dict[str, object]:
    kw = {"scale": "case", "years": 6, "seeds": 3, "seed": 1, "workers": 1}
    return {
        "baseline": simulate_seeds("baseline", **kw),  # type: ignore[arg-type]
        "co_governance": simulate_seeds("co_governance", **kw),  # type: ignore[arg-type]
    }


def test_table_and_paired_differences_by_hand(two: dict[str, object]) -> None:
    table = compare_frame(two)  # type: ignore[arg-type]
    a = two["baseline"].by_seed  # type: ignore[attr-defined]
    b = two["co_governance"].by_seed  # type: ignore[attr-defined]
    # last half of 6 years: 4, 5, 6; per seed the mean; seeds 1, 2, 3 in both
    ma = np.array([a[(a.seed == s) & (a.year >= 4)]["pa_closing"].mean() for s in (1, 2, 3)])
    mb = np.array([b[(b.seed == s) & (b.year >= 4)]["pa_closing"].mean() for s in (1, 2, 3)])
    rows = table[(table.measure == "pa") & (table.stage == "closing")].set_index("scenario")
    assert rows.at["baseline", "mean"] == pytest.approx(ma.mean(), abs=1e-12)
    assert rows.at["co_governance", "mean"] == pytest.approx(mb.mean(), abs=1e-12)
    lo, hi = np.percentile(mb, [5, 95])
    assert (rows.at["co_governance", "lo"], rows.at["co_governance", "hi"]) == pytest.approx(
        (lo, hi), abs=1e-12
    )
    d = mb - ma
    dlo, dhi = np.percentile(d, [5, 95])
    assert rows.at["co_governance", "diff"] == pytest.approx(d.mean(), abs=1e-12)
    assert (rows.at["co_governance", "diff_lo"], rows.at["co_governance", "diff_hi"]) == (
        pytest.approx((dlo, dhi), abs=1e-12)
    )
    assert np.isnan(rows.at["baseline", "diff"])
    assert set(table["n_seeds"]) == {3}
    # every stage of every per-stage measure, and the system-wide ones
    assert set(table.loc[table.measure == "share_government_dominant", "stage"]) == {
        "contracting", "implementation", "closing",
    }  # fmt: skip
    assert (table.loc[table.measure == "share_buddy", "stage"] == "").all()


def test_figure_has_legend_beside_the_charts_and_no_overlaps(two: dict[str, object]) -> None:
    table = compare_frame(two)  # type: ignore[arg-type]
    for lang in ("zh", "en"):
        fig = compare_figure(table, lang)
        assert layout_problems(fig) == [], lang
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.transforms import Bbox

        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        r = canvas.get_renderer()
        leg = fig.axes[1].get_legend()
        assert leg is not None
        for ax in fig.axes:
            assert Bbox.intersection(leg.get_window_extent(r), ax.get_window_extent(r)) is None


def test_folder_names_are_safe_and_unique() -> None:
    assert folder_names(["a", "dir/b.toml", "a", "..", "c d"]) == [
        "a", "b", "a_2", "scenario", "c_d",
    ]  # fmt: skip


def test_command_writes_each_scenario_and_the_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp"
    argv = [
        "simulate", "--scenario", "baseline", "--scenario", "competitive", "--years", "4",
        "--seeds", "2", "--workers", "1", "--lang", "en", "--out", str(out),
    ]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "Scenarios side by side: baseline · competitive" in printed
    assert re.search(r"PA at closing\s+[+-]\d\.\d{3}\s+[+-]\d\.\d{3}\s+[+-]\d\.\d{3}", printed)
    for name in ("baseline", "competitive"):
        sub = out / name
        assert (sub / "report.html").is_file()
        assert (sub / "figures" / "outcomes.png").is_file()
        assert json.loads((sub / "run.json").read_text(encoding="utf-8"))["scenario"] == name
    table = pd.read_csv(out / "compare.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(table.columns) == [
        "measure", "stage", "scenario", "mean", "lo", "hi", "n_seeds", "diff", "diff_lo",
        "diff_hi",
    ]  # fmt: skip
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'href="baseline/report.html"' in page
    assert 'href="competitive/report.html"' in page
    assert "difference" in page
    assert 'href="figures/compare.png"' in page
    assert (out / "figures" / "compare.svg").is_file()
    assert (out / "ODD.html").is_file()
    # the comparison's numbers are those of the scenario folders' own outcomes
    closing = table[(table.measure == "pa") & (table.stage == "closing")].set_index("scenario")
    for name in ("baseline", "competitive"):
        long = pd.read_csv(out / name / "outcomes_by_seed.csv", encoding="utf-8-sig")
        per_seed = long[long.year >= 3].groupby("seed")["pa_closing"].mean()
        assert float(closing.at[name, "mean"]) == pytest.approx(per_seed.mean(), abs=1e-6)


def test_bad_second_scenario_is_refused_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp"
    code = main(["simulate", "--scenario", "baseline", "--scenario", "no_such", "--out", str(out)])
    assert code == 2
    assert "no_such" in capsys.readouterr().err
    assert not out.exists()


def test_scenario_help_explains_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser("simulate").parse_args(["simulate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "side by side" in text
    assert "--lang" in text


def test_comparison_folder_has_the_odd_in_both_languages_and_links_the_reports(
    two: dict[str, object], tmp_path: Path
) -> None:
    from resdep.simulate.compare import write_comparison

    zh = write_comparison(two, tmp_path / "zh", lang="zh")  # type: ignore[arg-type]
    for name in ("ODD.md", "ODD.html", "ODD.zh.md", "ODD.zh.html"):
        assert (zh / name).is_file(), name
    assert '<html lang="zh-CN">' in (zh / "ODD.zh.html").read_text(encoding="utf-8")
    page = (zh / "report.html").read_text(encoding="utf-8")
    assert 'href="ODD.zh.html"' in page
    assert 'href="ODD.html"' not in page
    en = write_comparison(two, tmp_path / "en", lang="en")  # type: ignore[arg-type]
    assert 'href="ODD.html"' in (en / "report.html").read_text(encoding="utf-8")
