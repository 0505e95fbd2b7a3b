"""The one exception tree of resdep.

Domain code raises these; the command line turns every :class:`InputError` into a
message and exit status 2, and anything else into exit status 1. Nothing here knows
about the command line.

::

    ResdepError(Exception)
    ├── InputError(ResdepError, ValueError)        bad input: exit 2
    │   ├── CaseFormatError                        case.toml / codings.csv / case folder
    │   ├── VocabularyError                        unknown stage, resource, label, ...
    │   ├── SourceTextError                        missing file, undecodable text, bad offsets
    │   ├── QdaFormatError                         REFI-QDA projects and codebooks
    │   ├── RecordsFormatError                     OCDS, 360Giving and CSV award records
    │   ├── ScenarioError                          simulation scenarios and parameters
    │   ├── ExperimentSpecError                    sweep specifications and result stores
    │   ├── OutputPathError                        an output cannot be written where asked
    │   └── UnsafeInputError                       not a regular file, too large, outside the case
    ├── OutputExistsError(ResdepError, FileExistsError)
    └── ExecutorError(ResdepError, RuntimeError)   a sweep executor or cluster failed

    resdep.experiments.executors.ClusterError(InputError, ExecutorError)
                                                   the Dask cluster cannot be used (exit 2)

Every :class:`InputError` carries the file, the place in it and the fix, so that a
message can say all three.

Examples
--------
>>> err = CaseFormatError("unknown actor 'stret'", file="case.toml", place="[[informant]] I05", fix="use one of: street, bureau")
>>> print(err)
case.toml, [[informant]] I05: unknown actor 'stret'. Fix: use one of: street, bureau
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "CaseFormatError",
    "ExecutorError",
    "ExperimentSpecError",
    "InputError",
    "OutputExistsError",
    "OutputPathError",
    "QdaFormatError",
    "RecordsFormatError",
    "ResdepError",
    "ScenarioError",
    "SourceTextError",
    "UnsafeInputError",
    "VocabularyError",
    "closest",
]


class ResdepError(Exception):
    """Root of every error resdep raises on purpose."""


class InputError(ResdepError, ValueError):
    """Bad input: names the file, the place in it, and the fix.

    Parameters
    ----------
    message
        What is wrong.
    file
        The file (or folder) the problem is in.
    place
        Where in the file: a row, a key, an XML path, a JSON pointer.
    fix
        What the user should do.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        place: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.place = place
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.file, self.place) if p)
        text = f"{where}: {self.message}" if where else self.message
        if self.fix:
            text = f"{text}. Fix: {self.fix}"
        return text


class CaseFormatError(InputError):
    """A case folder, ``case.toml`` or ``codings.csv`` is malformed."""


class VocabularyError(InputError):
    """A value is not in resdep's vocabulary (stage, resource, label, ...)."""


class SourceTextError(InputError):
    """A source text is missing, undecodable, or an offset does not fit it."""


class QdaFormatError(InputError):
    """A REFI-QDA project (.qdpx/.qde) or codebook (.qdc) is malformed or unsafe."""


class RecordsFormatError(InputError):
    """OCDS, 360Giving or CSV award records are malformed."""


class ScenarioError(InputError):
    """A simulation scenario, scale or parameter is unknown or out of range."""


class ExperimentSpecError(InputError):
    """An experiment specification or result store is malformed."""


class OutputPathError(InputError):
    """An output cannot be written where asked (bad path, read-only, full disk)."""


class UnsafeInputError(InputError):
    """An input is not a regular file, is larger than its cap, or lies outside the case."""


class OutputExistsError(ResdepError, FileExistsError):
    """An output folder already holds results of another run."""


class ExecutorError(ResdepError, RuntimeError):
    """A sweep executor failed (unreachable scheduler, lost workers)."""


def closest(value: str, choices: Iterable[str]) -> str:
    """Return a hint naming the closest valid choice, or listing them.

    Examples
    --------
    >>> closest("implemention", ["contracting", "implementation", "closing"])
    "did you mean 'implementation'?"
    >>> closest("zzz", ["a", "b"])
    'expected one of: a, b'
    """
    options = sorted(set(choices))
    match = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if match:
        return f"did you mean {match[0]!r}?"
    return "expected one of: " + ", ".join(options)
