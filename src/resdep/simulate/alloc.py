"""Keep freed memory in the process for reuse, for the simulation's array-heavy years.

A year of the model at ``china`` scale allocates and frees a few hundred arrays of
1–40 MB. With glibc's default settings each of them is mapped fresh from the kernel and
its pages are faulted in again on first write; raising the allocator's mmap and trim
thresholds keeps the freed blocks in the heap, where the next array of the year reuses
them. The results do not change, only where the memory comes from: on the 2-core
benchmark machine ``simulate --scale china --years 20`` spends about 0.5 s less in
``simulate()`` and holds about 70 MB more at its peak (docs/BENCHMARKS.md).

``resdep simulate`` calls :func:`retain_freed_memory` once before the first year; a
library user may call it, or not. On other C libraries (macOS, Windows, musl) it does
nothing.
"""

from __future__ import annotations

import ctypes
import platform
import sys

__all__ = ["retain_freed_memory"]

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

_MIB = 1024 * 1024


def retain_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process; whether it took effect.

    Blocks below 64 MiB come from the heap, and up to 512 MiB of free heap is kept
    instead of being given back to the kernel after every free.

    Examples
    --------
    >>> retain_freed_memory() in (True, False)
    True
    """
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - glibc always has it
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = [
        mallopt(_M_MMAP_THRESHOLD, 64 * _MIB),
        mallopt(_M_TRIM_THRESHOLD, 512 * _MIB),
        mallopt(_M_TOP_PAD, 64 * _MIB),
    ]
    return all(r == 1 for r in done)
