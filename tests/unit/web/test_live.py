"""The live path after a save: what the save answers, the deferred parts of the analysis
(evidence behind the quotes, the leave-one-out "what moves it"), and the append-only write."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from starlette.testclient import TestClient

from resdep.case import load_case
from resdep.data import founding_case_path
from resdep.pipeline import analyze
from resdep.web.app import WebConfig, create_app
from resdep.web.store import CaseStore, csv_text, rows_of

TEXT = "一😀二\r\n三🇨🇳四：街道依赖社工。\r\n"
PHRASE = "街道依赖社工"


def _case(tmp_path: Path) -> Path:
    root = tmp_path / "case"
    shutil.copytree(founding_case_path(), root)
    (root / "sources" / "E1.txt").write_bytes(TEXT.encode("utf-8"))
    with (root / "case.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[source]]\nid = "E1"\npath = "sources/E1.txt"\ninformant = "I07"\n')
    return root


def _client(root: Path) -> tuple[TestClient, dict[str, str]]:
    config = WebConfig(root=root, hosts=("testserver",))
    client = TestClient(create_app(config))
    client.get(f"/?token={config.token}", follow_redirects=False)
    page = client.get("/").text
    boot = json.loads(re.search(r'id="boot">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    return client, {"X-CSRF-Token": boot["csrf"]}


def _coding(start: int, end: int, **kw: str) -> dict[str, object]:
    base: dict[str, object] = {
        "source": "E1", "start": start, "end": end, "kind": "dependence", "stage": "closing",
        "dependent": "street", "provider": "agency", "resource": "professional",
        "dimension": "importance", "intensity": "3",
    }  # fmt: skip
    return base | kw


def test_a_save_answers_with_the_source_codings_and_counts(tmp_path: Path) -> None:
    root = _case(tmp_path)
    client, h = _client(root)
    rev = client.get("/api/codings").json()["revision"]
    start = TEXT.index(PHRASE)
    r = client.post(
        "/api/codings",
        json={"revision": rev, "coding": _coding(start, start + len(PHRASE))},
        headers=h,
    )
    assert r.status_code == 201, r.text
    saved = r.json()
    shown = client.get("/api/source/E1").json()
    assert saved["revision"] == shown["revision"]
    assert saved["source"] == "E1"
    assert saved["codings"] == shown["codings"]  # what a reload of the source would show
    assert [c["quote"] for c in saved["codings"]] == [PHRASE]
    case = load_case(root)
    for sid in {c.source for c in case.codings}:
        assert saved["counts"][sid] == sum(c.source == sid for c in case.codings)
    # a delete answers the same way, with the source of the deleted row
    row = saved["codings"][0]["row"]
    r = client.request(
        "DELETE", f"/api/codings/{row}", json={"revision": saved["revision"]}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "E1"
    assert r.json()["codings"] == []
    assert "E1" not in r.json()["counts"]


def test_what_moves_it_on_demand_equals_resdep_analyze(tmp_path: Path) -> None:
    root = _case(tmp_path)
    client, _ = _client(root)
    shown = client.get("/api/analysis").json()
    full = analyze(load_case(root))  # what `resdep analyze` computes, leave-one-out included
    rels = [r for r in shown["relationships"] if r["label"] != "undetermined"]
    assert rels, "the founding case has determined relationships"
    compared = 0
    for rel in rels:
        got = client.get(
            "/api/influence", params={"agency": rel["agency"], "government": rel["government"]}
        ).json()["influence"]
        want = full.influence[
            (full.influence.agency == rel["agency"])
            & (full.influence.government == rel["government"])
        ]
        assert [g["row"] for g in got] == want["row"].tolist()
        assert [g["what"] for g in got] == want["what"].tolist()
        for col in ("p_label_all", "p_label_without", "change"):
            assert [g[col] for g in got] == pytest.approx(want[col].tolist(), abs=1e-6)
        compared += len(got)
    assert compared == len(full.influence) > 0  # every row of the full table was compared
    # an unknown dyad has nothing, and is not an error
    none = client.get("/api/influence", params={"agency": "x", "government": "y"})
    assert none.status_code == 200
    assert none.json()["influence"] == []


def test_quotes_come_from_the_deferred_evidence_table(tmp_path: Path) -> None:
    root = _case(tmp_path)
    client, _ = _client(root)
    client.get("/api/analysis")
    evidence = analyze(load_case(root), draws=10, influence=False).evidence
    got = client.get("/api/quotes", params={"agency": "agency", "government": "street"}).json()
    want = evidence[
        (evidence.kind == "dependence")
        & (
            ((evidence.dependent == "agency") & (evidence.provider == "street"))
            | ((evidence.dependent == "street") & (evidence.provider == "agency"))
        )
        | ((evidence.kind != "dependence") & evidence.actor.isin(["agency", "street"]))
    ]
    assert sorted(q["row"] for q in got["quotes"]) == sorted(want["row"].tolist())
    assert len(want) > 0


def test_an_appended_coding_writes_what_a_full_rewrite_writes(tmp_path: Path) -> None:
    root = _case(tmp_path)
    store = CaseStore(root)
    rows = store.row_list()
    rev = store.write(rows, expected=store.revision())  # the file as csv_text writes it
    start = TEXT.index(PHRASE)
    new = dict(rows[0]) | {
        "source": "E1", "start": str(start), "end": str(start + 2), "quote": PHRASE[:2],
        "note": 'a "memo", with a comma and =1+1',
    }  # fmt: skip
    rev = store.write([*store.row_list(), new], expected=rev, changed=len(rows))
    data = (root / "codings.csv").read_bytes()
    assert data.decode("utf-8") == csv_text([*rows, new])  # byte for byte
    # a memo with a bare CR is quoted differently (csvout quotes every text cell of a
    # frame holding one); appended, the file reads back the same rows
    other = new | {"note": "line one\r\nline two\rthree"}
    store.write([*store.row_list(), other], expected=rev, changed=len(rows) + 1)
    data = (root / "codings.csv").read_bytes()
    assert [r for _, r in rows_of(data, file="codings.csv")] == [*rows, new, other]
    assert [c.note for c in load_case(root).codings[-2:]] == [new["note"], other["note"]]


def test_a_hand_written_file_is_written_whole_on_append(tmp_path: Path) -> None:
    """A file whose header or line ends differ from resdep's is not appended to: it is
    written again whole (and stays valid)."""
    root = _case(tmp_path)
    text = (root / "codings.csv").read_text(encoding="utf-8")
    (root / "codings.csv").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    store = CaseStore(root)
    rows = store.row_list()
    start = TEXT.index(PHRASE)
    new = dict(rows[0]) | {"source": "E1", "start": str(start), "end": str(start + 2), "quote": PHRASE[:2]}  # fmt: skip
    store.write([*rows, new], expected=store.revision(), changed=len(rows))
    data = (root / "codings.csv").read_bytes()
    assert b"\r\n" not in data.split(b"\n", 1)[0] + b"\n"  # rewritten with resdep's line ends
    assert data.decode("utf-8") == csv_text([*rows, new])
    assert len(load_case(root).codings) == len(rows) + 1


def test_the_workbench_analysis_equals_the_full_one(tmp_path: Path) -> None:
    """Deferring the evidence table and the leave-one-out changes no number the page shows."""
    root = _case(tmp_path)
    client, _ = _client(root)
    shown = client.get("/api/analysis").json()
    full = analyze(load_case(root))
    for name in ("stages", "relationships", "diagnostics", "intervals", "stage_intervals"):
        table: pd.DataFrame = getattr(full, name)
        app_table = pd.DataFrame(shown[name])
        assert list(app_table.columns) == list(table.columns), name
        assert len(app_table) == len(table) > 0, name
        for col in table.columns:
            if pd.api.types.is_numeric_dtype(table[col]) and table[col].dtype != bool:
                assert app_table[col].astype(float).tolist() == pytest.approx(
                    table[col].astype(float).tolist(), nan_ok=True, abs=1e-6
                ), (name, col)
            else:
                assert app_table[col].tolist() == table[col].tolist(), (name, col)


def test_the_codebook_beside_the_panel_is_the_canonical_one(tmp_path: Path) -> None:
    from resdep.qda.codebook import GROUPS, group_help

    client, _ = _client(_case(tmp_path))
    shown = client.get("/api/state").json()["codebook"]
    assert [g["group"] for g in shown] == list(GROUPS)
    assert [(g["group"], g["zh"], g["help_en"], g["help_zh"]) for g in shown] == group_help()
    assert all(g["help_en"] and g["help_zh"] for g in shown)


def test_the_server_socket_turns_nagle_off() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose ``proto`` is TCP; with Nagle on,
    every response whose body follows its headers waited ~40 ms for a delayed ACK."""
    import socket

    from resdep.web.server import bind

    sock = bind(0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        client = socket.create_connection(sock.getsockname())
        conn, _ = sock.accept()
        try:
            assert conn.proto == socket.IPPROTO_TCP  # what asyncio's transport checks
        finally:
            conn.close()
            client.close()
    finally:
        sock.close()


def test_a_fifo_named_like_a_coders_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    root = _case(tmp_path)
    os.mkfifo(root / "codings-li.csv")
    client, _ = _client(root)
    r = client.get("/api/agreement")  # would block forever on open() without the check
    assert r.status_code == 422
    assert "codings-li.csv" in r.json()["error"]
    assert client.get("/api/state").status_code == 200  # the main coder works on
    from resdep.errors import InputError
    from resdep.web.casefile import CaseFile

    people = CaseFile(root)
    with pytest.raises(InputError) as info:
        people.edit("actor", "street", {"name": "x"}, expected=people.revision())
    assert "codings-li.csv" in str(info.value)
