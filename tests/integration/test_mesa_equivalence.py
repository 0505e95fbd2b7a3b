"""The vectorised model and the object-per-agent Mesa version give the same outcomes.

The two draw their randomness in different orders, so they agree in distribution, not
run for run. Over many seeds at the ``case`` scale, the mean of each outcome (over the
last half of the run) must agree within 3.5 standard errors of the difference plus
0.02, and a two-sample Kolmogorov-Smirnov test must not reject equality at the 0.001
level, for each outcome.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from resdep.simulate import simulate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from mesa_model import run_mesa

SEEDS = 60
YEARS = 16
OUTCOMES = ["pa_contracting", "pa_implementation", "pa_closing", "md_min_contracting",
            "md_min_closing", "share_buddy", "welfare", "welfare_ratio", "task_completion",
            "survival", "staff", "hhi", "relational_share", "formalization", "autonomy"]


def _tail_means(rows: pd.DataFrame) -> pd.Series:
    return rows.iloc[YEARS // 2 :][OUTCOMES].mean()


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["baseline", "competitive"])
def test_mesa_and_vectorised_outcome_distributions_agree(scenario: str) -> None:
    vec = pd.DataFrame([_tail_means(simulate(scenario, years=YEARS, seed=s).outcomes) for s in range(SEEDS)])
    mesa = pd.DataFrame([_tail_means(pd.DataFrame(run_mesa(scenario, years=YEARS, seed=1000 + s)[0]))
                         for s in range(SEEDS)])
    for col in OUTCOMES:
        a, b = vec[col].to_numpy(), mesa[col].to_numpy()
        se = float(np.sqrt(a.var(ddof=1) / SEEDS + b.var(ddof=1) / SEEDS))
        assert abs(a.mean() - b.mean()) <= 3.5 * se + 0.02, (col, a.mean(), b.mean(), se)
        if a.std() > 0 or b.std() > 0:
            assert ks_2samp(a, b, method="asymp").pvalue > 0.001, col
