"""Write the methods outputs of the bundled founding case into ``docs/methods/``.

The files are what ``resdep analyze`` writes into ``<out>/methods/`` for that case:
``methods_zh.md`` and ``methods_en.md`` (the methods paragraph, the interviewee table,
the code-frequency table and the references). ``tests/unit/report/test_methods.py``
fails when they differ from what the code generates; run this script to refresh them.

Usage::

    python tools/build_methods_docs.py            # write docs/methods/*.md
    python tools/build_methods_docs.py --check    # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from resdep import founding_case_path, load_case
from resdep.report.methods import LANGUAGES, methods_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "methods"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    case = load_case(founding_case_path())
    stale = []
    for lang in LANGUAGES:
        path = DOCS / f"methods_{lang}.md"
        text = methods_markdown(case, lang=lang)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            DOCS.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    for path in stale:
        print(f"stale: {path} (run python tools/build_methods_docs.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
