"""Running a sweep: design → batches → executor → result store; resume and replay.

Examples
--------
>>> import tempfile
>>> from resdep.experiments.spec import parse_spec
>>> spec = parse_spec({"experiment": {"model": "ishigami", "seed": 1},
...                    "design": {"method": "lhs", "n": 20},
...                    "parameters": {"x1": {}, "x2": {}, "x3": {}}})
>>> out = Path(tempfile.mkdtemp()) / "sweep"
>>> summary = run_sweep(spec, out)
>>> summary.n_runs, summary.n_done, summary.failed
(20, 20, ())
>>> replay(out, sample=3).ok
True
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from resdep.errors import ExecutorError, ExperimentSpecError
from resdep.experiments.design import build_design, run_seed
from resdep.experiments.executors import Batch, BatchResult, Executor, SequentialExecutor
from resdep.experiments.models import Model, ResdepModel
from resdep.experiments.spec import ExperimentSpec, load_spec
from resdep.experiments.store import ResultStore, code_hash, package_versions

__all__ = [
    "MIN_TASK_SECONDS",
    "ReplayReport",
    "SweepSummary",
    "choose_batch_size",
    "load_store_spec",
    "replay",
    "run_sweep",
]

#: Each batch should keep a worker busy at least this long (Dask costs ~2 ms a task).
MIN_TASK_SECONDS = 0.2
#: ... and at most this long, so that a crash loses little and the load stays balanced.
MAX_TASK_SECONDS = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepSummary:
    """What a sweep did."""

    path: Path
    n_runs: int
    n_done: int
    n_skipped: int
    batch_size: int
    seconds: float
    cpu_seconds: float
    executor: str
    workers: int
    failed: tuple[int, ...] = ()
    errors: tuple[str, ...] = ()


def choose_batch_size(seconds_per_run: float, n_runs: int, workers: int) -> int:
    """Runs per batch so that a batch takes 0.2–5 s and all workers get work.

    Examples
    --------
    >>> choose_batch_size(0.001, 100_000, 2)  # ≈ 4 batches per worker, each ≤ 5 s
    5000
    >>> choose_batch_size(0.001, 1_000, 2)    # at least 0.2 s of work per batch
    200
    >>> choose_batch_size(2.0, 100, 2)        # slow runs: at most 5 s per batch
    2
    """
    t = max(seconds_per_run, 1e-6)
    smallest = math.ceil(MIN_TASK_SECONDS / t)
    largest = max(1, math.floor(MAX_TASK_SECONDS / t))
    balanced = math.ceil(n_runs / (4 * max(workers, 1)))  # ≈ 4 batches per worker
    return max(1, min(max(smallest, min(balanced, largest)), max(n_runs, 1)))


def _manifest(
    spec: ExperimentSpec,
    model: Model,
    n_runs: int,
    spec_text: str,
    scenario: dict[str, Any] | None,
) -> dict[str, Any]:
    seeds = [run_seed(spec.seed, r) for r in range(n_runs)]
    return {
        "format": "resdep-sweep/1",
        "name": spec.name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "spec": spec.to_dict(),
        "spec_digest": spec.digest(),
        "model": {"name": model.name, "stochastic": model.stochastic},
        "versions": package_versions(),
        "code_hash": code_hash(),
        "scenario": scenario,
        "n_runs": n_runs,
        "seed_entropy": spec.seed,
        "seed_rule": "SeedSequence(seed_entropy).spawn(n_runs)[run].generate_state(1, uint64)[0]",
        "runs": [{"run": r, "spawn_key": [r], "seed": s} for r, s in enumerate(seeds)],
        "status": "running",
        "failures": [],
    }


def load_store_spec(store: ResultStore) -> ExperimentSpec:
    """The specification a stored sweep was run with (from the manifest's canonical form)."""
    manifest = store.manifest()
    try:
        spec = ExperimentSpec.from_dict(manifest["spec"], file=str(store.path / "manifest.json"))
    except (KeyError, TypeError) as exc:
        raise ExperimentSpecError(
            f"the manifest lacks a usable spec ({exc})",
            file=store.path / "manifest.json",
            fix="rerun the sweep with --force",
        ) from exc
    if spec.digest() != manifest.get("spec_digest"):
        raise ExperimentSpecError(
            "the manifest's spec does not match its digest",
            file=store.path / "manifest.json",
            fix="the folder was edited by hand; rerun the sweep with --force",
        )
    return spec


def _batches(
    runs: Sequence[int], size: int | Callable[[int], int], spec: ExperimentSpec, params: Any
) -> Iterator[Batch]:
    """Batches of consecutive runs; ``size`` may be a function of the runs left, called
    as each batch is made (so that sizes follow the workers present)."""
    start, k = 0, 0
    while start < len(runs):
        n = size(len(runs) - start) if callable(size) else size
        chunk = tuple(runs[start : start + max(1, n)])
        yield Batch(
            index=k,
            runs=chunk,
            params=tuple(params(r) for r in chunk),
            seeds=tuple(run_seed(spec.seed, r) for r in chunk),
            keep=spec.outcomes,
        )
        start += len(chunk)
        k += 1


def _scenario_file(model: Model) -> Path | None:
    """The scenario file a resdep model reads, when it is a file rather than a name."""
    if not isinstance(model, ResdepModel) or model.scenario_text:
        return None
    path = Path(model.scenario)
    return path if path.suffix == ".toml" or path.is_file() else None


def _ship_scenario(model: Model, out: Path) -> tuple[Model, dict[str, Any] | None]:
    """Put a scenario file's text into the model (so that workers need not have the
    file), and describe it for the manifest: its digest and where the sweep keeps it."""
    path = _scenario_file(model)
    if path is None:
        return model, None
    assert isinstance(model, ResdepModel)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExperimentSpecError(
            f"cannot read the scenario file: {exc}",
            file=path,
            place="[experiment] scenario",
            fix="give the path of a readable UTF-8 scenario .toml, or a bundled scenario name",
        ) from exc
    digest = hashlib.sha256(data).hexdigest()
    info = {
        "given": str(path),
        "digest": digest,
        "stored": f"scenarios/{digest}.toml",
    }
    return dataclasses.replace(model, scenario_text=text), info


def _stored_scenario_model(model: Model, store: ResultStore) -> Model:
    """The model with the scenario text the sweep stored (for replay)."""
    info = store.manifest().get("scenario")
    if not info or not isinstance(model, ResdepModel):
        return model
    path = store.path / str(info["stored"])
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExperimentSpecError(
            f"the sweep's stored scenario is missing: {exc.strerror or exc}",
            file=path,
            fix="rerun the sweep with --force",
        ) from exc
    return dataclasses.replace(model, scenario_text=text)


def _check_resume(
    store: ResultStore,
    spec: ExperimentSpec,
    scenario: dict[str, Any] | None,
    allow_code_change: bool,
) -> None:
    manifest = store.manifest()
    out = store.path
    if manifest.get("spec_digest") != spec.digest():
        raise ExperimentSpecError(
            "the sweep stored here was run with a different specification",
            file=out,
            place="manifest.json spec_digest",
            fix="resume with the same spec, pass --force to start over, or choose another --out",
        )
    if allow_code_change:
        return
    if manifest.get("code_hash") != code_hash():
        raise ExperimentSpecError(
            "the resdep source differs from the one this sweep was started with (code hash "
            f"{str(manifest.get('code_hash'))[:12]} then, {code_hash()[:12]} now); one "
            "store would mix the outcomes of two codes",
            file=out,
            place="manifest.json code_hash",
            fix="resume with the code the sweep began with, start over with --force, or "
            "pass --allow-code-change if the change cannot alter outcomes",
        )
    was = (manifest.get("scenario") or {}).get("digest")
    now = (scenario or {}).get("digest")
    if was != now:
        raise ExperimentSpecError(
            "the scenario file differs from the one this sweep was started with "
            f"(digest {str(was)[:12]} then, {str(now)[:12]} now)",
            file=(scenario or {}).get("given", out),
            place="[experiment] scenario",
            fix="restore the scenario (the sweep keeps its copy under scenarios/), start "
            "over with --force, or pass --allow-code-change",
        )


def run_sweep(
    spec: ExperimentSpec | str | Path,
    out: str | Path,
    *,
    executor: Executor | None = None,
    model: Model | None = None,
    resume: bool = False,
    force: bool = False,
    batch_size: int | None = None,
    progress: bool | None = False,
    allow_code_change: bool = False,
) -> SweepSummary:
    """Run (or resume) the sweep of ``spec``, storing outcomes under ``out``.

    Parameters
    ----------
    spec
        A checked :class:`ExperimentSpec` or the path of its TOML file.
    out
        The sweep folder (see :mod:`resdep.experiments.store`).
    executor
        An executor *not yet entered*; default :class:`SequentialExecutor`.
    model
        A model object to run instead of the one the spec names (any picklable object
        following the :class:`~resdep.experiments.models.Model` protocol).
    resume
        Continue the sweep stored in ``out`` (its spec, code hash and scenario file must
        match): runs already stored are skipped.
    force
        Replace ``out`` if it holds anything.
    batch_size
        Runs per task; default from the spec, else chosen from a timed first run.
    progress
        Show progress on standard error: a bar on a terminal, else a plain line every
        10 % (and at least every 30 s while runs arrive). ``True``: the bar; ``None``:
        the bar on a terminal, else the lines; ``False``: nothing.
    allow_code_change
        With ``resume``: accept a resdep source or scenario file that differs from the
        one the sweep began with (the manifest records the change).

    Raises
    ------
    OutputExistsError
        ``out`` is not empty and neither ``resume`` nor ``force`` was given.
    ExperimentSpecError
        Resuming with a different spec, code or scenario, or invalid parameter points.
    ClusterError
        A Dask cluster unreachable, lost, without workers, or running other code.
    ExecutorError
        Some runs failed; all other runs are stored, and ``resume`` retries the failed.
    """
    spec_text = ""
    if not isinstance(spec, ExperimentSpec):
        spec_text = Path(spec).read_text(encoding="utf-8") if Path(spec).is_file() else ""
        spec = load_spec(spec)
    elif spec.file and Path(spec.file).is_file():
        spec_text = Path(spec.file).read_text(encoding="utf-8")
    if not spec_text:
        spec_text = _spec_as_toml(spec)
    out = Path(out)
    model = model if model is not None else spec.make_model()
    design = build_design(spec)
    n_runs = design.n_runs
    if design.points:  # every point has the same keys; ranges were checked with the spec
        model.validate(design.points[0])

    model, scenario = _ship_scenario(model, out)
    store: ResultStore | None = None
    done: set[int] = set()
    if resume and (out / "manifest.json").is_file():
        store = ResultStore.open(out)
        _check_resume(store, spec, scenario, allow_code_change)
        store.clean_temporary()
        done = store.done_runs()
    elif resume and out.is_dir() and any(out.iterdir()) and not force:
        raise ExperimentSpecError(
            "there is no sweep to resume here (no manifest.json)",
            file=out,
            fix="drop --resume to start a new sweep in an empty folder, or pass --force to replace it",
        )
    else:
        ResultStore.check_target(out, force=force)  # refuse early, before any cluster starts
    todo = [r for r in range(n_runs) if r not in done]

    executor = executor or SequentialExecutor()
    started = time.perf_counter()
    failures: list[dict[str, Any]] = []
    ran_on: Counter[str] = Counter()
    n_new = 0
    cpu = [0.0]
    size = batch_size or spec.design.batch_size or 0
    with contextlib.ExitStack() as stack:
        # connect first: an unreachable scheduler must not leave an empty sweep folder
        ex = stack.enter_context(executor) if todo else executor
        if store is None:
            table = design.table(spec.seed)
            manifest = _manifest(spec, model, n_runs, spec_text, scenario)
            store = ResultStore.create(out, manifest, table, spec_text, force=force)
        if scenario is not None and isinstance(model, ResdepModel):
            store.keep_file(str(scenario["stored"]), model.scenario_text.encode("utf-8"))
        store.update_manifest(status="running")
        bar = _progress(n_runs, len(done), progress)
        try:
            sizes: int | Callable[[int], int] = size
            if todo and not size:
                # time the first run where runs execute (a worker, on a cluster), keep its
                # result, and size the batches from it and the workers present
                # result, and size the batches from it and the workers present; two runs,
                # timing the second: the first in a fresh worker also imports the model
                first_batch = next(_batches(todo[:2], 2, spec, design.run_params))
                first = next(iter(ex.run(model, [first_batch])))
                n_new += _record(store, first, failures, bar, cpu, ran_on)
                per_run = first.run_seconds[-1] if first.run_seconds else first.seconds
                n_todo = len(todo)
                # sized from all the runs to do (not those left, which would shrink the
                # batches towards the end) and the workers present as each batch is made
                sizes = lambda _left: choose_batch_size(per_run, n_todo, ex.workers)  # noqa: E731
                size = choose_batch_size(per_run, n_todo, ex.workers)
                todo = todo[len(first_batch.runs) :]
            if todo:
                for result in ex.run(model, _batches(todo, sizes or 1, spec, design.run_params)):
                    n_new += _record(store, result, failures, bar, cpu, ran_on)
        finally:
            bar.close()
            elapsed = time.perf_counter() - started
            remaining = n_runs - len(store.done_runs())
            session: dict[str, Any] = {
                "executor": executor.name,
                "workers": ex.workers,
                "batch_size": size,
                "seconds": round(elapsed, 3),
                "cpu_seconds_in_runs": round(cpu[0], 3),
                "runs": n_new,
                "code_hash": code_hash(),
            }
            identities = getattr(ex, "identities", None)
            if identities:
                session["worker_identities"] = identities
            if ran_on:
                session["runs_by_worker"] = dict(sorted(ran_on.items()))
            sessions = list(store.manifest().get("sessions", []))
            sessions.append(session)
            store.update_manifest(
                status="complete" if remaining == 0 else "incomplete",
                failures=failures,
                last_session=session,
                sessions=sessions,
            )
        workers = ex.workers
    failed = tuple(sorted(r for f in failures for r in f["runs"]))
    summary = SweepSummary(
        path=out,
        n_runs=n_runs,
        n_done=n_runs - remaining,
        n_skipped=len(done),
        batch_size=size,
        seconds=elapsed,
        cpu_seconds=cpu[0],
        executor=executor.name,
        workers=workers,
        failed=failed,
        errors=tuple(f["error"] for f in failures),
    )
    if failed:
        raise ExecutorError(
            f"{len(failed)} of {n_runs} runs failed (first: {failures[0]['error']}); the other "
            f"runs are stored in {out}; fix the cause and rerun with --resume to retry them"
        )
    return summary


def _record(
    store: ResultStore,
    result: BatchResult,
    failures: list[dict[str, Any]],
    bar: Any,
    cpu: list[float],
    ran_on: Counter[str],
) -> int:
    cpu[0] += result.cpu_seconds
    if result.error is not None:
        failures.append({"runs": list(result.batch.runs), "error": result.error})
        return 0
    store.write_part(result.batch.runs, result.rows)
    if result.where:
        ran_on[result.where] += len(result.rows)
    bar.update(len(result.rows))
    return len(result.rows)


class _NoBar:
    def update(self, n: int) -> None:
        return None

    def close(self) -> None:
        return None


class _TextProgress:
    """Plain progress lines for logs (no terminal): one every 10 % of the runs, and at
    least every 30 s while runs arrive."""

    def __init__(self, total: int, initial: int, stream: Any) -> None:
        self.total, self.done, self.stream = total, initial, stream
        self.start = self.last = time.monotonic()
        self.initial = initial
        self.next_mark = self._mark(initial)

    def _mark(self, done: int) -> int:
        step = max(1, math.ceil(self.total / 10))
        return (done // step + 1) * step

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.done >= self.next_mark or now - self.last >= 30 or self.done >= self.total:
            self.next_mark = self._mark(self.done)
            self.last = now
            new, elapsed = self.done - self.initial, now - self.start
            rate = new / elapsed if elapsed > 0 else 0.0
            left = (self.total - self.done) / rate if rate > 0 else float("nan")
            print(
                f"sweep: {self.done}/{self.total} runs ({100 * self.done / max(self.total, 1):.0f} %), "
                f"{rate:.1f} runs/s, about {left:.0f} s left",
                file=self.stream,
                flush=True,
            )

    def close(self) -> None:
        return None


def _progress(total: int, initial: int, show: bool | None) -> Any:
    if show is False:
        return _NoBar()
    if show is None and not sys.stderr.isatty():
        return _TextProgress(total, initial, sys.stderr)
    from tqdm import tqdm

    return tqdm(
        total=total, initial=initial, unit="run", desc="sweep", smoothing=0.1, dynamic_ncols=True
    )


def _spec_as_toml(spec: ExperimentSpec) -> str:
    """A TOML rendering of a spec built in Python (for ``spec.toml``)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)

    d = spec.to_dict()
    lines = ["[experiment]"]
    exp = d["experiment"]
    lines += [f"{k} = {value(exp[k])}" for k in ("name", "model", "seed", "replicates")]
    if exp["options"]:
        lines.append("[experiment.options]")
        lines += [f"{k} = {value(v)}" for k, v in exp["options"].items()]
    lines.append("\n[design]")
    lines += [f"{k} = {value(v)}" for k, v in d["design"].items() if v is not None]
    for name, p in d["parameters"].items():
        lines.append(f"\n[parameters.{name}]")
        lines += [f"{k} = {value(v)}" for k, v in p.items() if v is not None]
    if d["fixed"]:
        lines.append("\n[fixed]")
        lines += [f"{k} = {value(v)}" for k, v in d["fixed"].items()]
    if d["outcomes"]["keep"]:
        lines += ["\n[outcomes]", f"keep = {value(d['outcomes']['keep'])}"]
    lines.append("\n[analysis]")
    lines += [f"{k} = {value(v)}" for k, v in d["analysis"].items() if v is not None]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayReport:
    """The result of re-running recorded runs."""

    runs: tuple[int, ...]
    mismatches: tuple[str, ...]
    code_changed: bool

    @property
    def ok(self) -> bool:
        """True when every replayed run reproduced its stored outcomes exactly."""
        return not self.mismatches


def replay(
    path: str | Path, *, sample: int = 5, seed: int = 0, model: Model | None = None
) -> ReplayReport:
    """Re-run ``sample`` recorded runs (chosen with ``seed``) and compare outcomes exactly.

    Each run's seed is rebuilt from the manifest (seed entropy and spawn key) and checked
    against the recorded one before the run. ``model`` replaces the spec's model, as in
    :func:`run_sweep`.
    """
    store = ResultStore.open(path)
    manifest = store.manifest()
    spec = load_store_spec(store)
    model = model if model is not None else _stored_scenario_model(spec.make_model(), store)
    results = store.results()
    if results.empty:
        raise ExperimentSpecError(
            "the sweep has no stored runs to replay", file=path, fix="run the sweep first"
        )
    rng = np.random.default_rng(seed)
    k = min(sample, len(results))
    chosen = sorted(int(r) for r in rng.choice(results["run"].to_numpy(), size=k, replace=False))
    param_names = [
        c
        for c in store.design().columns
        if c not in ("run", "point", "replicate", "policy", "row", "seed")
        and not c.startswith("x.")
    ]
    outcome_names = [c for c in store.outcomes().columns if c != "run"]
    recorded = {int(e["run"]): e for e in manifest.get("runs", [])}
    mismatches: list[str] = []
    by_run = results.set_index("run")
    seeds: dict[int, int] = {
        int(r): int(v) for r, v in zip(results["run"], results["seed"], strict=True)
    }
    columns: dict[str, dict[int, float]] = {
        name: dict(zip(results["run"].tolist(), results[name].astype(float).tolist(), strict=True))
        for name in outcome_names
    }
    for run in chosen:
        entry = recorded.get(run)
        rebuilt = int(
            np.random.SeedSequence(
                manifest["seed_entropy"], spawn_key=tuple(entry["spawn_key"]) if entry else (run,)
            ).generate_state(1, dtype=np.uint64)[0]
        )
        if entry is None or rebuilt != int(entry["seed"]) or rebuilt != int(seeds[run]):
            mismatches.append(f"run {run}: the recorded seed does not match the seed rule")
            continue
        params = {name: _plain(by_run.at[run, name]) for name in param_names}
        got = model.evaluate(params, rebuilt)
        for name in outcome_names:
            want = float(columns[name][run])
            have = float(got.get(name, float("nan")))
            if not (want == have or (math.isnan(want) and math.isnan(have))):
                mismatches.append(f"run {run}, {name}: stored {want!r}, replayed {have!r}")
    return ReplayReport(
        runs=tuple(chosen),
        mismatches=tuple(mismatches),
        code_changed=manifest.get("code_hash") != code_hash(),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value
