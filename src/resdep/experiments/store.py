"""The result store of a sweep: a folder of Parquet parts plus a manifest.

Layout of a sweep folder::

    DIR/
      manifest.json        spec (canonical form and digest), versions, code hash, seed
                           entropy, every run's spawn key and seed, status, failures
      spec.toml            the specification file as given
      design.parquet       one row per run: run, point, replicate, policy, row, seed,
                           parameter values, and the raw design matrix as x.NAME
      outcomes/
        part-FIRST-LAST.parquet   one part per finished batch: run + outcome columns

Each part is written to a hidden temporary file in ``outcomes/`` and moved into place
with :func:`os.replace`, so a part is either complete or absent; a crash loses at most
the batches in flight. A resumed sweep reads which runs the parts hold and runs the
rest. The folder itself is created atomically (built next to the target and renamed).

Examples
--------
>>> import tempfile, pandas as pd
>>> d = Path(tempfile.mkdtemp()) / "sweep"
>>> store = ResultStore.create(d, {"spec_digest": "x"}, pd.DataFrame({"run": [0, 1]}), "")
>>> store.write_part([1], [{"y": 2.0}])
>>> store.done_runs(), store.outcomes()["y"].tolist()
({1}, [2.0])
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from resdep.errors import ExperimentSpecError, OutputExistsError
from resdep.textio import atomic_dir, make_readable

__all__ = ["ResultStore", "code_hash", "package_versions", "write_json_atomic"]

_PACKAGES = ("resdep", "numpy", "pandas", "scipy", "SALib", "pyarrow", "dask", "distributed")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a sweep's results depend on."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def code_hash() -> str:
    """SHA-256 over the source of the ``resdep`` package (paths and contents, sorted)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _readable(path: str | Path, *, folder: bool = False) -> None:
    """Give ``path`` the mode a plain ``open`` (or ``mkdir``) would: 0666 (0777) less the
    umask. Temporary files are created 0600, which would hide results from colleagues."""
    make_readable(path, folder=folder)


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` via a temporary file and :func:`os.replace`
    (readable as the umask allows)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=False)
        fh.write("\n")
    _readable(tmp)
    os.replace(tmp, path)


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


_PART_FIX = (
    "delete this part (its runs are then missing) and rerun the sweep with --resume, "
    "which runs them again"
)


def _read_parquet(path: Path, columns: list[str] | None, fix: str) -> pa.Table:
    """Read a Parquet file of the store; an empty, truncated or foreign file becomes an
    :class:`ExperimentSpecError` that names it."""
    try:
        table = pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException) as exc:
        size = path.stat().st_size if path.is_file() else 0
        what = "empty" if size == 0 else "damaged or not Parquet"
        raise ExperimentSpecError(
            f"the file is {what} ({size} bytes; {type(exc).__name__}: {exc})",
            file=path,
            fix=fix,
        ) from None
    if "run" not in table.column_names:
        raise ExperimentSpecError(
            "the file has no 'run' column (not written by resdep sweep)", file=path, fix=fix
        )
    return table


class ResultStore:
    """A sweep folder (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def parts_dir(self) -> Path:
        """The folder of outcome parts."""
        return self.path / "outcomes"

    # -- creation -----------------------------------------------------------------------
    @staticmethod
    def check_target(path: str | Path, *, force: bool = False) -> None:
        """Raise :class:`OutputExistsError` unless ``path`` is absent, empty, or ``force``."""
        path = Path(path)
        if path.exists() and not _is_empty_dir(path) and not force:
            raise OutputExistsError(
                f"{path} already exists and is not empty; pass --resume to continue the "
                "sweep stored there, --force to replace it, or choose another --out"
            )

    @classmethod
    def create(
        cls,
        path: str | Path,
        manifest: Mapping[str, Any],
        design: pd.DataFrame,
        spec_text: str,
        *,
        force: bool = False,
    ) -> ResultStore:
        """Create a new store at ``path`` with its manifest, design and spec.

        Raises
        ------
        OutputExistsError
            If ``path`` exists and is not empty, unless ``force`` (then it is replaced).
        """
        path = Path(path)
        cls.check_target(path, force=force)
        with atomic_dir(path, force=True) as tmp:
            (tmp / "outcomes").mkdir()
            (tmp / "spec.toml").write_text(spec_text, encoding="utf-8")
            pq.write_table(
                pa.Table.from_pandas(design, preserve_index=False), tmp / "design.parquet"
            )
            write_json_atomic(tmp / "manifest.json", manifest)
            for item in (tmp, tmp / "outcomes"):
                _readable(item, folder=True)
        return cls(path)

    @classmethod
    def open(cls, path: str | Path) -> ResultStore:
        """Open an existing store, checking that it looks like one."""
        path = Path(path)
        if not (path / "manifest.json").is_file() or not (path / "design.parquet").is_file():
            raise ExperimentSpecError(
                "not a sweep folder (no manifest.json or design.parquet)",
                file=path,
                fix="give the --out folder of a `resdep sweep`",
            )
        return cls(path)

    # -- reading ------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        """The manifest."""
        try:
            data: dict[str, Any] = json.loads((self.path / "manifest.json").read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ExperimentSpecError(
                f"unreadable manifest: {exc}",
                file=self.path / "manifest.json",
                fix="rerun the sweep with --force",
            ) from exc
        return data

    def update_manifest(self, **changes: Any) -> None:
        """Rewrite the manifest with ``changes`` applied (atomically)."""
        data = self.manifest()
        data.update(changes)
        write_json_atomic(self.path / "manifest.json", data)

    def spec_text(self) -> str:
        """The specification file as it was given."""
        return (self.path / "spec.toml").read_text(encoding="utf-8")

    def design(self) -> pd.DataFrame:
        """The design table (one row per run)."""
        table = _read_parquet(self.path / "design.parquet", None, "rerun the sweep with --force")
        frame: pd.DataFrame = table.to_pandas()
        return frame

    def _parts(self) -> list[Path]:
        if not self.parts_dir.is_dir():
            return []
        return sorted(p for p in self.parts_dir.glob("part-*.parquet"))

    def done_runs(self) -> set[int]:
        """Indices of the runs whose outcomes are stored."""
        done: set[int] = set()
        for part in self._parts():
            done.update(
                int(r) for r in _read_parquet(part, ["run"], _PART_FIX).column("run").to_pylist()
            )
        return done

    def outcomes(self) -> pd.DataFrame:
        """All stored outcomes, one row per run, sorted by run."""
        parts = self._parts()
        if not parts:
            return pd.DataFrame({"run": pd.Series([], dtype="int64")})
        table = pa.concat_tables(
            [_read_parquet(p, None, _PART_FIX) for p in parts], promote_options="default"
        )
        frame: pd.DataFrame = table.to_pandas()
        return frame.sort_values("run", kind="stable").reset_index(drop=True)

    def results(self) -> pd.DataFrame:
        """Design and outcomes joined on ``run`` (runs without outcomes left out)."""
        return self.design().merge(self.outcomes(), on="run", how="inner", validate="one_to_one")

    # -- writing ------------------------------------------------------------------------
    def write_part(self, runs: Sequence[int], rows: Sequence[Mapping[str, float]]) -> None:
        """Store the outcomes of one finished batch atomically."""
        if not runs:
            return
        columns: dict[str, list[Any]] = {"run": list(runs)}
        names = list(rows[0]) if rows else []
        for name in names:
            columns[name] = [float(r.get(name, float("nan"))) for r in rows]
        schema = pa.schema([("run", pa.int64())] + [(n, pa.float64()) for n in names])
        table = pa.table(columns, schema=schema)
        final = self.parts_dir / f"part-{min(runs):09d}-{max(runs):09d}.parquet"
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=self.parts_dir)
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            _readable(tmp)
            os.replace(tmp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def keep_file(self, name: str, data: bytes) -> None:
        """Store ``data`` at ``name`` inside the sweep folder (once: the name holds the
        content's digest), e.g. ``scenarios/DIGEST.toml``."""
        path = self.path / name
        if path.is_file() and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        _readable(path.parent, folder=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        _readable(tmp)
        os.replace(tmp, path)

    def clean_temporary(self) -> None:
        """Remove half-written parts left by a crash."""
        for tmp in self.parts_dir.glob(".tmp-*"):
            with contextlib.suppress(OSError):
                tmp.unlink()
