"""Models and executors used only by the experiment tests.

They live in a module of their own (not in a test file) so that worker processes started
with ``spawn`` can import them by name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resdep.experiments.executors import Batch, BatchResult
from resdep.experiments.models import NoisyModel, ParamValue


@dataclass(frozen=True, slots=True, kw_only=True)
class DyingModel:
    """The noisy toy model, except that its worker process dies (``os._exit``) the first
    ``deaths`` times it meets a point with ``a > threshold``; a marker file counts deaths.
    With ``deaths`` large it always dies there."""

    marker: str
    threshold: float = 0.9
    deaths: int = 1
    inner: NoisyModel = field(default_factory=lambda: NoisyModel(noise_sd=0.5))

    name = "dying"
    stochastic = True

    @property
    def outcomes(self) -> tuple[str, ...]:
        return self.inner.outcomes

    def parameter_space(self) -> Mapping[str, Any]:
        return self.inner.parameter_space()

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        self.inner.validate(params)

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        if float(params["a"]) > self.threshold:
            path = Path(self.marker)
            died = len(path.read_text()) if path.exists() else 0
            if died < self.deaths:
                with path.open("a") as fh:
                    fh.write("x")
                os._exit(13)
        return self.inner.evaluate(params, seed)


@dataclass(frozen=True, slots=True, kw_only=True)
class FailingModel:
    """The noisy toy model, raising ValueError for points with ``a > threshold``."""

    threshold: float = 0.9
    inner: NoisyModel = field(default_factory=lambda: NoisyModel(noise_sd=0.5))

    name = "failing"
    stochastic = True

    @property
    def outcomes(self) -> tuple[str, ...]:
        return self.inner.outcomes

    def parameter_space(self) -> Mapping[str, Any]:
        return self.inner.parameter_space()

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        self.inner.validate(params)

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        if float(params["a"]) > self.threshold:
            raise ValueError(f"a = {params['a']} is too large for this model")
        return self.inner.evaluate(params, seed)


class InterruptingExecutor:
    """Wraps an executor and raises KeyboardInterrupt after ``after`` batches (a crash)."""

    def __init__(self, inner: Any, after: int) -> None:
        self.inner = inner
        self.after = after
        self.name = inner.name

    @property
    def workers(self) -> int:
        return int(self.inner.workers)

    def __enter__(self) -> InterruptingExecutor:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(*exc)

    def run(self, model: Any, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        for k, result in enumerate(self.inner.run(model, batches)):
            if k == self.after:
                raise KeyboardInterrupt
            yield result
