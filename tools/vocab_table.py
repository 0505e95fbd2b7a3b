"""Rewrite the vocabulary table of ``docs/case-format.md`` from ``resdep.vocab``.

The table sits between ``<!-- vocabulary:start -->`` and ``<!-- vocabulary:end -->``;
``--check`` exits 1 when the document is out of date (a unit test does the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from resdep.vocab import vocabulary_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "case-format.md"
START, END = "<!-- vocabulary:start -->", "<!-- vocabulary:end -->"


def render(text: str) -> str:
    """The document text with its vocabulary block regenerated."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{vocabulary_markdown()}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the doc is stale")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{DOC}: markers {START} … {END} not found", file=sys.stderr)
        return 2
    new = render(text)
    if args.check:
        return 0 if new == text else 1
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
