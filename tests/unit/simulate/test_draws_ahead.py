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
