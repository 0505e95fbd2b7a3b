"""Hard-data inputs at the edges of [0, 1]: D_sb = 1 (sole buyer) and D_sb = 0 (issue 12, item 1)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from records_builders import EXAMPLE_CASE

import resdep
from resdep.pipeline import HARD_CONCENTRATION, HARD_EPSILON, hard_beta


def _sole_buyer_case(tmp_path: Path) -> Path:
    """The example case with the agency's awards from other buyers removed: D_sb(street) = 1."""
    case = tmp_path / "case"
    shutil.copytree(EXAMPLE_CASE, case)
    path = case / "records" / "purchases.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    buyer, supplier = header.index("buyer/name"), header.index("awards/suppliers/name")
    agency = [r[supplier].replace(" ", "") == "新桥社会工作服务社" for r in body]
    kept = [
        r for r, a in zip(body, agency, strict=True) if not (a and r[buyer] != "青石街道办事处")
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *kept])
    return case


def test_sole_buyer_case_analyses_without_crash(tmp_path: Path) -> None:
    """Before the fix: ``ValueError: a <= 0`` from the Beta (D·1e6, (1 − D)·1e6) at D = 1."""
    case = resdep.load_case(_sole_buyer_case(tmp_path))
    hard = {(h.provider, h.dimension): h.value for h in case.hard_inputs}
    assert hard[("street", "importance")] == 1.0
    assert hard[("street", "alternatives")] == 0.0
    result = resdep.analyze(case, draws=50, seed=1)
    row = result.inputs[
        (result.inputs.provider == "street") & (result.inputs.resource == "economic")
    ].iloc[0]
    # the point value shown is the measured one, not the Beta's mean
    assert row.importance == 1.0
    assert row.alternatives == 0.0


@pytest.mark.parametrize("d", [0.0, 1.0, 0.25, 0.7084, 1e-9, 1 - 1e-9])
def test_hard_beta_is_valid_on_the_closed_interval(d: float) -> None:
    a, b = hard_beta(d)
    # by hand: a = ε + D·κ, b = ε + (1 − D)·κ
    assert a == pytest.approx(HARD_EPSILON + d * HARD_CONCENTRATION)
    assert b == pytest.approx(HARD_EPSILON + (1 - d) * HARD_CONCENTRATION)
    assert a > 0
    assert b > 0
    draws = np.random.default_rng(0).beta(a, b, size=2000)
    assert np.all((draws >= 0) & (draws <= 1))
    # tight: the draws stay within 0.005 of D (sd ≤ 1/(2·sqrt(κ)) = 0.0005 for κ = 1e6)
    assert abs(float(draws.mean()) - d) < 0.005


def test_hard_beta_refuses_values_outside_the_interval() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        hard_beta(1.2)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        hard_beta(float("nan"))
