"""Running the workbench: on a socket bound to 127.0.0.1, in this thread or a background one.

:func:`running` serves a case folder in a background thread for as long as a ``with``
block lasts (the browser tests and the benchmark use it); ``resdep serve`` calls
:func:`bind` and :func:`serve`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from resdep.errors import CaseFormatError
from resdep.web.app import WebConfig, create_app

__all__ = ["bind", "running", "serve"]


def bind(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (never another interface); port 0 takes a free one."""
    if not 0 <= port <= 65535:
        raise CaseFormatError(
            f"--port {port} is not a port", place="command line", fix="give 1024–65535, or 0"
        )
    # IPPROTO_TCP named explicitly: asyncio turns Nagle's algorithm off (TCP_NODELAY) only
    # on connections whose socket says it is TCP. With proto 0 every response whose body
    # is written after its headers waited for the client's delayed ACK (about 40 ms).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise CaseFormatError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror})",
            place="--port",
            fix="choose another port, or leave --port out to take a free one",
        ) from None
    sock.listen(128)  # connections wait in the backlog until the server is up
    return sock


def _server(config: WebConfig) -> object:
    import uvicorn

    return uvicorn.Server(
        uvicorn.Config(create_app(config), log_level="warning", access_log=False, lifespan="off")
    )


def serve(config: WebConfig, sock: socket.socket) -> None:
    """Serve until interrupted (Ctrl+C)."""
    server = _server(config)
    server.run(sockets=[sock])  # type: ignore[attr-defined]


@contextmanager
def running(
    root: Path, *, coder: str | None = None, lang: str | None = None
) -> Iterator[tuple[str, WebConfig]]:
    """Serve ``root`` in a background thread; yields the base URL and the config (its token)."""
    sock = bind(0)
    port = sock.getsockname()[1]
    config = WebConfig(root=Path(root), coder=coder, lang=lang)
    server = _server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)  # type: ignore[attr-defined]
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise RuntimeError("the workbench did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", config
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(timeout=10)
        sock.close()
