"""The big scales run, within the memory guard (a few years only; timing is in benchmarks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from resdep.errors import OutputExistsError
from resdep.simulate import simulate, write_simulation


@pytest.mark.slow
def test_china_scale_runs() -> None:
    res = simulate(scale="china", years=3, seed=0)
    out = res.outcomes
    assert len(out) == 3
    assert np.isfinite(out.to_numpy(dtype=float)).all()
    assert out["n_dyads"].min() > 50_000
    # the founding pattern holds at the national scale too
    assert out["pa_implementation"].iloc[-1] < -0.2 < 0.2 < out["pa_closing"].iloc[-1]


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not a folder"):
        write_simulation(simulate(years=1, seed=0), target, force=True)
