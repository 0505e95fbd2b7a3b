"""Sub-commands of the web workbench: ``init`` (a new case folder) and ``serve``.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="resdep")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["serve", "my-case", "--no-browser", "--coder", "li"])
>>> args.no_browser, args.coder, args.port, args.handler.__name__
(True, 'li', 0, '_serve')
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from resdep.errors import CaseFormatError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``init`` and ``serve``."""
    ini = subparsers.add_parser(
        "init",
        help="start a new case folder (commented case.toml, sources/, codings.csv)",
        description="Create a new case folder to code in the workbench (resdep serve) or by hand.",
    )
    ini.add_argument("case", help="the folder to create (must not exist, or be empty)")
    ini.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="language of the comments (default zh)"
    )
    ini.set_defaults(handler=_init)

    srv = subparsers.add_parser(
        "serve",
        help="code a case folder in the local web workbench and watch the networks update",
        description=(
            "Serve a case folder on 127.0.0.1 with a random access token: read transcripts, "
            "code segments as dependence ties, see the stage networks and relationship types "
            "update. Every change is written to the case folder (previous versions in "
            ".resdep-history/)."
        ),
    )
    srv.add_argument("case", help="the case folder")
    srv.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    srv.add_argument("--no-browser", action="store_true", help="do not open a browser")
    srv.add_argument(
        "--coder",
        help="your coder name: your codings go to codings-NAME.csv (default: codings.csv)",
    )
    srv.add_argument(
        "--lang", choices=("zh", "en"), help="interface language (default: the case's)"
    )
    srv.set_defaults(handler=_serve)


def _init(args: argparse.Namespace) -> int:
    from resdep.web.scaffold import init_case

    folder = init_case(args.case, lang=args.lang)
    print(f"new case folder: {folder}")
    print(
        f"  resdep serve {folder}   (organisations, informants, transcripts and codings in the page)"
    )
    print(f"  or edit {folder / 'case.toml'} and use resdep sources add {folder} TRANSCRIPT.txt")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import webbrowser

    from resdep.web.app import WebConfig
    from resdep.web.server import bind, serve
    from resdep.web.store import coder_file

    root = Path(args.case)
    if not (root / "case.toml").is_file():
        raise CaseFormatError(
            "not a case folder (no case.toml)",
            file=root,
            fix=f"create one with: resdep init {root}",
        )
    coder_file(args.coder)  # validates the name before anything starts
    sock = bind(args.port)
    port = sock.getsockname()[1]
    config = WebConfig(root=root.resolve(), coder=args.coder, lang=args.lang)
    url = f"http://127.0.0.1:{port}/?token={config.token}"
    print(f"resdep workbench for {root} — open:\n  {url}\n(Ctrl+C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    serve(config, sock)
    print("resdep workbench stopped", file=sys.stderr)
    return 0
