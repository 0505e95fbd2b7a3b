"""What runs on a Dask worker during a sweep (imported only where Dask is used).

The sweep registers a :class:`SweepPlugin` with the scheduler. The scheduler hands it to
every worker, including workers that join later or are restarted by their nanny, so the
model travels once per worker (not with every task). On each worker the plugin unpickles
the model and records the worker's identity: resdep version, code hash, Python, host,
process id, and the digest of the model it received. The sweep compares identities with
its own before any run, and every task checks again before it runs (a worker that joins
mid-sweep with other code runs nothing).

Examples
--------
>>> ident = worker_identity()
>>> sorted(ident)
['code_hash', 'host', 'pid', 'python', 'resdep']
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import platform
import socket
from dataclasses import replace
from typing import Any

from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from resdep.experiments.executors import Batch, BatchResult, run_batch
from resdep.experiments.store import code_hash

__all__ = ["SweepPlugin", "run_on_worker", "worker_identity"]


@functools.cache
def _code_hash() -> str:
    return code_hash()


def worker_identity() -> dict[str, Any]:
    """This process's resdep version, code hash, Python version, host and pid."""
    try:
        version = importlib.metadata.version("resdep")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        version = "absent"
    return {
        "resdep": version,
        "code_hash": _code_hash(),
        "python": platform.python_version(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


class SweepPlugin(WorkerPlugin):
    """Holds one sweep's model on a worker (see the module docstring).

    Parameters
    ----------
    name
        A name unique to the sweep session (so that sweeps sharing a cluster do not
        replace each other's model).
    model_bytes
        The pickled model.
    """

    def __init__(self, name: str, model_bytes: bytes) -> None:
        self.name = name
        self.model_bytes = model_bytes
        self.model: Any = None
        self.identity: dict[str, Any] = {}

    def setup(self, worker: Any) -> None:
        self.identity = worker_identity()
        self.identity["model_digest"] = hashlib.sha256(self.model_bytes).hexdigest()
        try:
            self.model = pickle.loads(self.model_bytes)
        except Exception as exc:  # another code version may lack the model's class
            self.identity["model_error"] = f"{type(exc).__name__}: {exc}"


def run_on_worker(name: str, batch: Batch, expected: dict[str, str]) -> BatchResult:
    """On a worker: run ``batch`` with the model of plugin ``name``.

    Runs nothing, and returns a result marked ``refused``, when this worker's code hash
    or received model differ from ``expected`` (keys ``code_hash`` and ``model_digest``).
    """
    worker = get_worker()
    where = str(worker.address)
    plugin: Any = worker.plugins.get(name)
    if plugin is None or plugin.model is None:
        why = "has not received" if plugin is None else "could not load"
        detail = "" if plugin is None else f" ({plugin.identity.get('model_error')})"
        return BatchResult(
            batch=batch,
            error=f"worker {where} {why} the sweep's model{detail}",
            refused=True,
            where=where,
        )
    for key, want in expected.items():
        have = plugin.identity.get(key)
        if have != want:
            return BatchResult(
                batch=batch,
                error=(
                    f"worker {where} (host {plugin.identity.get('host')}) has {key} "
                    f"{str(have)[:12]}, the sweep has {want[:12]}"
                ),
                refused=True,
                where=where,
            )
    return replace(run_batch(plugin.model, batch), where=where)
