"""Memory of importing a REFI-QDA project with about 100 MB of text (issue 11).

Builds a ``.qdpx`` holding 96 MB of transcript text (four 24 MB sources with CRLF line
ends, Chinese and astral characters, so the offset conventions differ; two of them coded)
and reads it in a fresh process with ``read_qdpx``, reporting the peak resident memory
(``ru_maxrss`` of the child). Target: within 2 GB. Writes ``docs/benchmarks/qda_large.md``.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _common import write_section

TARGET_GB = 2.0
SOURCE_MB = 24
N_SOURCES = 4

_CHILD = """
import sys, time
t0 = time.perf_counter()
from resdep.qda.project import read_qdpx
p = read_qdpx(sys.argv[1])
print(time.perf_counter() - t0, sum(len(s.text) for s in p.sources), p.n_selections)
"""


def _g(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def build(path: Path) -> int:
    """Write the project; returns the bytes of text in it."""
    # random words (seeded) so that the archive compresses like real text (about 3:1)
    rng = random.Random(0)
    vocab = [
        "街道",
        "社工",
        "机构",
        "依赖",
        "资源",
        "the",
        "agency",
        "staff",
        "report",
        "office",
        "funding",
        "😀",
        "project",
        "合同",
        "评估",
        "\r\n",
    ]
    vocab += [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        for _ in range(3000)
    ]
    vocab += [chr(rng.randint(0x4E00, 0x9FA5)) * rng.randint(1, 3) for _ in range(3000)]
    target = SOURCE_MB * 1024 * 1024
    pieces: list[str] = []
    size = 0
    while size < target:
        chunk = " ".join(rng.choices(vocab, k=20_000))
        pieces.append(chunk)
        size += len(chunk.encode("utf-8"))
    text = "".join(pieces).encode("utf-8")[:target].decode("utf-8", "ignore").encode("utf-8")
    chars = len(text.decode("utf-8"))
    sources = []
    for k in range(N_SOURCES):
        sels = ""
        if k < 2:  # two coded sources, two without selections
            for j in range(200):
                start = j * (chars // 200)
                sels += (
                    f'<PlainTextSelection guid="{_g(10_000 + k * 1000 + j)}" '
                    f'startPosition="{start}" endPosition="{start + 10}">'
                    f'<Coding guid="{_g(50_000 + k * 1000 + j)}"><CodeRef targetGUID="{_g(101)}"/>'
                    "</Coding></PlainTextSelection>"
                )
        sources.append(
            f'<TextSource guid="{_g(10 + k)}" name="s{k}" plainTextPath="internal://s{k}.txt">'
            f"{sels}</TextSource>"
        )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="large" origin="QualCoder 3.5">'
        f'<CodeBook><Codes><Code guid="{_g(101)}" name="Contracting" isCodable="true"/>'
        f"</Codes></CodeBook><Sources>{''.join(sources)}</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        for k in range(N_SOURCES):
            z.writestr(f"sources/s{k}.txt", text)
    return len(text) * N_SOURCES


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "large.qdpx"
        total = build(project)
        size = project.stat().st_size
        t0 = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-c", _CHILD, str(project)], capture_output=True, text=True
        )
        wall = time.perf_counter() - t0
    if run.returncode != 0:
        print(run.stderr)
        return 1
    seconds, chars, n_sel = run.stdout.split()
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    ok = peak_gb <= TARGET_GB
    body = f"""
## A REFI-QDA project with 96 MB of text (`bench_qda_large.py`)

A `.qdpx` of {size / 1024**2:.1f} MB holding {total / 1024**2:.0f} MB of text ({int(chars):,}
characters in {N_SOURCES} sources with CRLF, Chinese and emoji; {n_sel} selections in two
of them) read by `read_qdpx` in a fresh process: safe unzip, decoding, offset tables for
the two coded sources only, convention detection.

| measure | value | target |
|---|---|---|
| peak resident memory of the process | {peak_gb:.2f} GB | ≤ {TARGET_GB:.0f} GB: {"met" if ok else "MISSED"} |
| time (including `import resdep`) | {float(seconds):.1f} s ({wall:.1f} s wall) | |
"""
    path = write_section("qda_large", body)
    print(body.strip())
    print(f"\nwritten to {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
