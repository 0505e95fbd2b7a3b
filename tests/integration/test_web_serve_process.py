"""``resdep serve`` as a process: bound to 127.0.0.1, token in the printed address, and a
saved coding survives the server being killed (SIGKILL, no shutdown)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from resdep.case import load_case
from resdep.data import founding_case_path


def _request(
    port: int, method: str, path: str, *, headers: dict[str, str], body: bytes | None = None
) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    return conn.getresponse()


def test_a_saved_coding_survives_a_killed_server(tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(founding_case_path(), root)
    proc = subprocess.Popen(
        [sys.executable, "-m", "resdep", "serve", str(root), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = ""
        for _ in range(5):
            line = proc.stdout.readline()
            if "?token=" in line:
                break
        m = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", line)
        assert m, line
        port, token = int(m.group(1)), m.group(2)
        assert _request(port, "GET", "/api/state", headers={}).status == 403
        r = _request(port, "GET", f"/?token={token}", headers={})
        assert r.status == 303
        cookies = "; ".join(
            v.split(";", 1)[0] for k, v in r.getheaders() if k.lower() == "set-cookie"
        )
        page = _request(port, "GET", "/", headers={"Cookie": cookies}).read().decode()
        csrf = json.loads(re.search(r'id="boot">(.*?)</script>', page, re.S).group(1))["csrf"]  # type: ignore[union-attr]
        rev = json.loads(_request(port, "GET", "/api/codings", headers={"Cookie": cookies}).read())[
            "revision"
        ]
        text = load_case(root).source("S07").text
        coding = {
            "source": "S07", "start": 0, "end": 4, "kind": "dependence", "stage": "closing",
            "dependent": "street", "provider": "agency", "resource": "performance",
            "dimension": "importance", "intensity": "3",
        }  # fmt: skip
        r = _request(
            port,
            "POST",
            "/api/codings",
            headers={"Cookie": cookies, "X-CSRF-Token": csrf, "Content-Type": "application/json"},
            body=json.dumps({"revision": rev, "coding": coding}).encode(),
        )
        assert r.status == 201
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    case = load_case(root)
    last = case.codings[-1]
    assert (last.source, last.start, last.end, last.quote) == ("S07", 0, 4, text[:4])
    assert not [p for p in root.iterdir() if p.name.startswith(".codings.csv.")]  # no temp files
