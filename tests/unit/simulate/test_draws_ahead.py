"""Draws made ahead in a background thread are those of drawing in place (issue 9, item 7)."""

from __future__ import annotations

import numpy as np
import pytest

import resdep.simulate.model as model
from resdep.simulate.model import Model, run, stream
from resdep.simulate.params import SCALES, resolve_params


def test_each_year_gets_the_numbers_its_streams_give_in_order() -> None:
    params = resolve_params()
    scale = SCALES["case"]
    m = Model(params, scale, seed=7)
    years = [m._next_draws() for _ in range(3)]  # the third starts a fourth in the thread
    m.close()
    nc, k = scale.committees, int(params["candidates"])
    pr, cl = stream(7, "projects"), stream(7, "closing")
    aw, co = stream(7, "award"), stream(7, "coding")
    for d in years:  # drawn here one after another, as the submodels once did in place
        np.testing.assert_array_equal(
            d.kappa, pr.normal(float(params["cost_mean"]), float(params["cost_sd"]), nc)
        )
        np.testing.assert_array_equal(d.u_mode, pr.random(nc))
        np.testing.assert_array_equal(d.prio_z, pr.standard_normal(nc))
        np.testing.assert_array_equal(d.u_renew, cl.random(nc))
        np.testing.assert_array_equal(d.u_award, aw.random((nc, k), dtype=np.float32))
        np.testing.assert_array_equal(d.noise_award, aw.standard_normal((nc, k), dtype=np.float32))
        np.testing.assert_array_equal(d.z_coding, co.standard_normal(nc))


def test_runs_are_the_same_with_or_without_the_background_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params, scale = resolve_params(), SCALES["shanghai"]
    threaded = run(Model(params, scale, seed=3), 3)
    monkeypatch.setattr(model, "BACKGROUND_THREAD", False)
    m = Model(params, scale, seed=3)
    in_place = run(m, 3)
    assert m._pool is None  # no thread was started
    assert in_place == threaded


def _everything(m: Model, rows: list[dict[str, float]]) -> tuple[object, ...]:
    """The outcome rows, the district breakdown and the last year's dyad tables."""
    last = m.last
    assert last is not None
    tables = {f: np.asarray(getattr(last, f)).tolist() for f in last.__dataclass_fields__}
    return rows, m.districts_frame().to_dict("list"), tables


@pytest.mark.parametrize("scenario", ["baseline", "co_governance"])
def test_dependence_overlapping_the_next_year_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    """run() takes in a year's dependence after the next year started; step() at once.

    The dependence reads a snapshot of the state after the year's finances, so exits,
    entry and the next year's market, which change history, reputation, staff and the
    roster in place, do not reach it. Exits and entry happen in these runs.
    """
    params, scale = resolve_params(scenario), SCALES["shanghai"]
    m = Model(params, scale, seed=11)
    overlapped = _everything(m, run(m, 6))
    monkeypatch.setattr(model, "BACKGROUND_THREAD", False)
    m = Model(params, scale, seed=11)
    stepped = _everything(m, [m.step() for _ in range(6)])
    assert m._pool is None
    assert overlapped == stepped
    assert min(r["survival"] for r in overlapped[0]) < 1.0  # agencies left the market


def test_a_years_dependence_reads_the_state_after_its_finances(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Changing the state in place after a year's finances leaves that year's row as it was.

    The year's dependence is made to run as late as it can: when its row is asked for.
    """
    monkeypatch.setattr(Model, "_in_background", lambda self, job: job)
    params, scale = resolve_params(), SCALES["shanghai"]
    a, b = Model(params, scale, seed=5), Model(params, scale, seed=5)
    a.step()
    b.step()
    finish = b._advance()
    a_row = a.step()
    # what the next year's market does in place, before the year is taken in
    b.history *= 0.0
    b.reputation[:] = 0.0
    b.w_gov[:] = 0.0
    b.alive[:] = False
    assert finish() == a_row
    a.close()
    b.close()
