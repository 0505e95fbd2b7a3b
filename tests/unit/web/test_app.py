"""The workbench's HTTP surface through Starlette's TestClient: access, CSRF, paths, conflicts, text."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from starlette.testclient import TestClient

from resdep.case import load_case
from resdep.cli import main
from resdep.data import founding_case_path
from resdep.web.app import WebConfig, create_app
from resdep.web.store import HISTORY_DIR

MIXED = "一😀二\r\n三🇨🇳四：街道依赖社工。\r\n"
PHRASE = "街道依赖社工"


def _case(tmp_path: Path) -> Path:
    root = tmp_path / "case"
    shutil.copytree(founding_case_path(), root)
    (root / "sources" / "E1.txt").write_bytes(MIXED.encode("utf-8"))
    with (root / "case.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[source]]\nid = "E1"\npath = "sources/E1.txt"\ninformant = "I07"\n')
    return root


def _client(root: Path, **kw: object) -> tuple[TestClient, str, WebConfig]:
    config = WebConfig(root=root, hosts=("testserver",), **kw)  # type: ignore[arg-type]
    client = TestClient(create_app(config))
    assert client.get(f"/?token={config.token}", follow_redirects=False).status_code == 303
    page = client.get("/")
    boot = json.loads(re.search(r'id="boot">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    return client, boot["csrf"], config


def _coding(start: int, end: int, **kw: str) -> dict[str, object]:
    base: dict[str, object] = {
        "source": "E1", "start": start, "end": end, "kind": "dependence", "stage": "closing",
        "dependent": "street", "provider": "agency", "resource": "professional",
        "dimension": "importance", "intensity": "3",
    }  # fmt: skip
    return base | kw


@pytest.fixture
def app(tmp_path: Path) -> tuple[TestClient, str, WebConfig, Path]:
    root = _case(tmp_path)
    client, csrf, config = _client(root)
    return client, csrf, config, root


def test_token_is_required_and_kept_in_a_cookie(tmp_path: Path) -> None:
    root = _case(tmp_path)
    config = WebConfig(root=root, hosts=("testserver",))
    client = TestClient(create_app(config))
    assert client.get("/").status_code == 403
    assert client.get("/api/state").status_code == 403
    assert client.get("/static/workbench.js").status_code == 403
    assert client.get("/?token=nope").status_code == 403
    r = client.get(f"/?token={config.token}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"  # the token leaves the address bar
    assert "httponly" in r.headers["set-cookie"].lower()
    assert client.get("/api/state").status_code == 200


def test_unknown_host_is_refused(app: tuple[TestClient, str, WebConfig, Path]) -> None:
    client, _, _, _ = app
    assert client.get("/api/state", headers={"Host": "evil.example:80"}).status_code == 403


def test_state_changes_need_the_csrf_header(app: tuple[TestClient, str, WebConfig, Path]) -> None:
    client, csrf, _, root = app
    before = (root / "codings.csv").read_bytes()
    rev = client.get("/api/codings").json()["revision"]
    start = MIXED.index(PHRASE)
    body = {"revision": rev, "coding": _coding(start, start + len(PHRASE))}
    assert client.post("/api/codings", json=body).status_code == 403
    assert (
        client.post("/api/codings", json=body, headers={"X-CSRF-Token": "0" * 64}).status_code
        == 403
    )
    cross = {"X-CSRF-Token": csrf, "Origin": "http://evil.example"}
    assert client.post("/api/codings", json=body, headers=cross).status_code == 403
    assert client.post("/api/lang", json={"lang": "en"}).status_code == 403
    assert (root / "codings.csv").read_bytes() == before
    assert client.post("/api/codings", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201


def test_offsets_are_code_points_with_emoji_and_crlf(
    app: tuple[TestClient, str, WebConfig, Path],
) -> None:
    client, csrf, _, root = app
    h = {"X-CSRF-Token": csrf}
    rev = client.get("/api/codings").json()["revision"]
    start = MIXED.index(PHRASE)  # Python counts code points: 😀 and each flag letter count 1
    utf16 = len(MIXED[:start].encode("utf-16-le")) // 2
    assert utf16 == start + 3  # 😀 and the two regional indicators are surrogate pairs
    wrong = client.post(
        "/api/codings",
        json={"revision": rev, "coding": _coding(utf16, utf16 + len(PHRASE), quote=PHRASE)},
        headers=h,
    )
    assert wrong.status_code == 422
    assert "does not match" in wrong.json()["error"]
    ok = client.post(
        "/api/codings",
        json={"revision": rev, "coding": _coding(start, start + len(PHRASE), quote=PHRASE)},
        headers=h,
    )
    assert ok.status_code == 201
    rows = list(csv.DictReader(io.StringIO((root / "codings.csv").read_text(encoding="utf-8"))))
    mine = [r for r in rows if r["source"] == "E1"]
    assert (mine[0]["start"], mine[0]["end"], mine[0]["quote"]) == (
        str(start),
        str(start + len(PHRASE)),
        PHRASE,
    )
    # the folder is still a valid case, and the text keeps its CRLF line ends
    case = load_case(root)
    assert case.source("E1").text == MIXED
    assert next(c for c in case.codings if c.source == "E1").quote == PHRASE
    text = client.get("/api/source/E1").json()["text"]
    assert text == MIXED


def test_stale_save_is_refused_with_409(app: tuple[TestClient, str, WebConfig, Path]) -> None:
    client, csrf, _, root = app
    h = {"X-CSRF-Token": csrf}
    stale = client.get("/api/codings").json()["revision"]
    start = MIXED.index(PHRASE)
    body = {"revision": stale, "coding": _coding(start, start + 2)}
    assert client.post("/api/codings", json=body, headers=h).status_code == 201
    saved = (root / "codings.csv").read_bytes()
    second = {"revision": stale, "coding": _coding(start + 2, start + 4)}
    r = client.post("/api/codings", json=second, headers=h)
    assert r.status_code == 409
    assert "changed since this page loaded it" in r.json()["error"]
    r = client.request("DELETE", "/api/codings/1", json={"revision": stale}, headers=h)
    assert r.status_code == 409
    assert (root / "codings.csv").read_bytes() == saved


def test_invalid_coding_is_refused_and_nothing_written(
    app: tuple[TestClient, str, WebConfig, Path],
) -> None:
    client, csrf, _, root = app
    before = (root / "codings.csv").read_bytes()
    rev = client.get("/api/codings").json()["revision"]
    r = client.post(
        "/api/codings",
        json={"revision": rev, "coding": _coding(0, 1, provider="nobody")},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 422
    assert "unknown actor 'nobody'" in r.json()["error"]
    assert "codings.csv" in r.json()["error"]
    r = client.post(
        "/api/codings",
        json={"revision": rev, "coding": _coding(0, 10_000)},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 422
    assert (root / "codings.csv").read_bytes() == before
    assert not (root / HISTORY_DIR).exists()


def test_edit_delete_and_restore_from_history(app: tuple[TestClient, str, WebConfig, Path]) -> None:
    client, csrf, _, root = app
    h = {"X-CSRF-Token": csrf}
    original = (root / "codings.csv").read_bytes()
    n = len(client.get("/api/codings").json()["rows"])
    rev = client.get("/api/codings").json()["revision"]
    first = client.get("/api/codings").json()["rows"][0]
    edited = {k: first[k] for k in first if k != "row"} | {"intensity": "1", "note": "再看"}
    rev = client.put("/api/codings/1", json={"revision": rev, "coding": edited}, headers=h).json()[
        "revision"
    ]
    rows = client.get("/api/codings").json()["rows"]
    assert (rows[0]["intensity"], rows[0]["note"]) == ("1", "再看")
    # a column the page does not send (here the memo) keeps its value
    partial = {k: v for k, v in edited.items() if k != "note"} | {"intensity": "2"}
    rev = client.put("/api/codings/1", json={"revision": rev, "coding": partial}, headers=h).json()[
        "revision"
    ]
    rows = client.get("/api/codings").json()["rows"]
    assert (rows[0]["intensity"], rows[0]["note"]) == ("2", "再看")
    rev = client.request("DELETE", "/api/codings/1", json={"revision": rev}, headers=h).json()[
        "revision"
    ]
    assert len(client.get("/api/codings").json()["rows"]) == n - 1
    versions = client.get("/api/history").json()["versions"]
    assert [v["rows"] for v in versions] == [n, n, n]  # newest first
    r = client.post(
        "/api/history/restore",
        json={"name": versions[-1]["name"], "revision": rev},
        headers=h,
    )
    assert r.status_code == 200
    assert (root / "codings.csv").read_bytes() == original  # written the same way it was read
    assert len(client.get("/api/history").json()["versions"]) == 4  # the undo is undoable


def test_paths_outside_the_case_are_never_served(
    app: tuple[TestClient, str, WebConfig, Path],
) -> None:
    client, csrf, _, root = app
    (root.parent / "secret.txt").write_text("secret", encoding="utf-8")
    for path in (
        "/static/../case.toml",
        "/static/..%2f..%2fsecret.txt",
        "/static/%2e%2e/app.py",
        "/api/source/..%2F..%2Fsecret.txt",
        "/api/source/..%2Fcase.toml",
        "/case.toml",
        "/codings.csv",
        "/sources/S01.txt",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "secret" not in r.text
    rev = client.get("/api/codings").json()["revision"]
    before = (root / "codings.csv").read_bytes()
    for name in ("../../secret.txt", "../codings.csv", "/etc/passwd"):
        r = client.post(
            "/api/history/restore",
            json={"name": name, "revision": rev},
            headers={"X-CSRF-Token": csrf},
        )
        assert r.status_code == 422
    assert (root / "codings.csv").read_bytes() == before


def test_case_text_is_escaped_in_the_page(tmp_path: Path) -> None:
    root = _case(tmp_path)
    toml = (root / "case.toml").read_text(encoding="utf-8")
    toml = re.sub(
        r'title_zh = ".*"', 'title_zh = "<script>alert(1)</script></script><img src=x>"', toml
    )
    (root / "case.toml").write_text(toml, encoding="utf-8")
    client, _, _ = _client(root)
    page = client.get("/")
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x>" not in page.text
    assert page.headers["content-security-policy"].startswith(
        "default-src 'none'; script-src 'self'"
    )
    # the page's own script reads text with textContent only, never innerHTML
    js = (Path(__file__).parents[3] / "src/resdep/web/static/workbench.js").read_text(
        encoding="utf-8"
    )
    assert "innerHTML" not in js.replace("(never innerHTML)", "")
    assert "insertAdjacentHTML" not in js
    assert "eval(" not in js


def test_each_coder_keeps_a_file_and_agreement_compares_them(
    app: tuple[TestClient, str, WebConfig, Path],
) -> None:
    client, csrf, _, root = app
    h = {"X-CSRF-Token": csrf}
    main_before = (root / "codings.csv").read_bytes()
    assert client.post("/api/coder", json={"coder": "../x"}, headers=h).status_code == 422
    assert client.post("/api/coder", json={"coder": "li"}, headers=h).status_code == 200
    state = client.get("/api/state").json()
    assert state["file"] == "codings-li.csv"
    assert state["revision"] == "none"
    # li codes the same segments as the main coder, but one with another stage
    rows = list(csv.DictReader(io.StringIO(main_before.decode("utf-8"))))
    rev = "none"
    for row in rows[:6]:
        coding = dict(row) | {"stage": "closing" if row["source"] == "S01" else row["stage"]}
        coding = {k: v for k, v in coding.items() if k != "quote"}
        r = client.post("/api/codings", json={"revision": rev, "coding": coding}, headers=h)
        assert r.status_code == 201, r.text
        rev = r.json()["revision"]
    assert (root / "codings.csv").read_bytes() == main_before
    assert len(list(csv.DictReader(io.StringIO((root / "codings-li.csv").read_text("utf-8"))))) == 6
    agreement = client.get("/api/agreement").json()
    assert agreement["coders"] == ["", "li"]
    assert {r["measure"] for r in agreement["table"]} >= {"krippendorff_alpha", "cohen_kappa"}
    stage = [
        r
        for r in agreement["table"]
        if r["measure"] == "krippendorff_alpha" and r["family"] == "Stage"
    ]
    assert stage
    assert stage[0]["value"] < 1  # li disagrees on S01's stage
    assert any(p["a"]["stage"] != p["b"]["stage"] for p in agreement["pairs"])
    assert load_case(root).codings  # resdep analyze still reads codings.csv


def test_upload_a_gb18030_crlf_transcript(app: tuple[TestClient, str, WebConfig, Path]) -> None:
    client, csrf, _, root = app
    data = "问：街道依赖你们吗？\r\n答：很依赖。\r\n".encode("gb18030")
    r = client.post(
        "/api/sources",
        files={"file": ("../../访谈 11.txt", data, "text/plain")},
        data={"informant": "I07"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201, r.text
    assert r.json()["path"] == "sources/访谈_11.txt"
    assert "gb18030" in r.json()["described"]
    text = (root / "sources" / "访谈_11.txt").read_text(encoding="utf-8")
    assert text == "问：街道依赖你们吗？\n答：很依赖。\n"  # CRLF → LF, as `sources add` does
    assert not (root.parent / "访谈 11.txt").exists()
    assert load_case(root).source("访谈_11").informant == "I07"
    bad = client.post(
        "/api/sources",
        files={"file": ("x.pdf", b"%PDF", "application/pdf")},
        headers={"X-CSRF-Token": csrf},
    )
    assert bad.status_code == 422
    assert ".pdf" in bad.json()["error"]
    again = client.post(
        "/api/sources",
        files={"file": ("访谈 11.txt", data, "text/plain")},
        headers={"X-CSRF-Token": csrf},
    )
    assert again.status_code == 409


def test_init_serve_code_then_analyze_gives_the_same_tables(tmp_path: Path) -> None:
    root = tmp_path / "new"
    assert main(["init", str(root), "--lang", "en"]) == 0
    client, csrf, _ = _client(root)
    h = {"X-CSRF-Token": csrf}
    text = "The street office pays us; without its money the project stops.\n"
    r = client.post(
        "/api/sources",
        files={"file": ("contract.txt", text.encode(), "text/plain")},
        headers=h,
    )
    assert r.status_code == 201
    assert client.get("/api/analysis").json()["empty"] is True
    rev = client.get("/api/codings").json()["revision"]
    quote = "without its money the project stops"
    s = text.index(quote)
    for dim, value in (("importance", "3"), ("alternatives", "0")):
        coding = {
            "source": "contract", "start": s, "end": s + len(quote), "kind": "dependence",
            "stage": "contracting", "dependent": "agency", "provider": "street",
            "resource": "economic", "dimension": dim, "intensity": value,
        }  # fmt: skip
        r = client.post("/api/codings", json={"revision": rev, "coding": coding}, headers=h)
        assert r.status_code == 201, r.text
        rev = r.json()["revision"]
    shown = client.get("/api/analysis").json()
    out = tmp_path / "out"
    assert main(["analyze", str(root), "--out", str(out), "--no-report"]) == 0
    for table in ("stages", "relationships"):  # the inputs are not sent: the page shows none
        written = pd.read_csv(out / f"{table}.csv", keep_default_na=False)
        app_table = pd.DataFrame(shown[table])
        assert list(app_table.columns) == list(written.columns)
        for col in written.columns:
            if pd.api.types.is_numeric_dtype(written[col]):
                assert app_table[col].astype(float).tolist() == pytest.approx(
                    written[col].astype(float).tolist(), nan_ok=True, abs=1e-6
                ), (table, col)
            else:
                assert [_cell(v) for v in app_table[col]] == [_cell(v) for v in written[col]], (
                    table,
                    col,
                )


def _cell(value: object) -> str:
    """A table cell as text: JSON null and NaN as the CSV's empty cell, booleans lower-case."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).lower()


def test_fast_saves_give_the_codings_a_full_load_gives(
    app: tuple[TestClient, str, WebConfig, Path],
) -> None:
    client, csrf, _config, root = app
    h = {"X-CSRF-Token": csrf}
    store = client.app.state.workbench.store(None)  # type: ignore[attr-defined]
    rev = client.get("/api/codings").json()["revision"]
    start = MIXED.index(PHRASE)
    steps = [
        ("POST", "/api/codings", _coding(start, start + 2)),
        ("POST", "/api/codings", _coding(0, 1, kind="problem", value="formalization", stage="")),
        ("PUT", "/api/codings/3", None),
        ("DELETE", "/api/codings/1", None),
        ("PUT", "/api/codings/5", _coding(start + 1, start + 3, intensity="0")),
    ]
    for method, url, coding in steps:
        if method == "PUT" and coding is None:
            row = client.get("/api/codings").json()["rows"][2]
            coding = {k: v for k, v in row.items() if k != "row"} | {"note": "edited"}
        r = client.request(method, url, json={"revision": rev, "coding": coding}, headers=h)
        assert r.status_code in (200, 201), r.text
        rev = r.json()["revision"]
        assert store.load().codings == load_case(root).codings  # the cache is what the disk says


def test_quotes_behind_an_edge_and_a_philosophy_coding(
    app: tuple[TestClient, str, WebConfig, Path],
) -> None:
    client, csrf, _, root = app
    rev = client.get("/api/codings").json()["revision"]
    start = MIXED.index(PHRASE)
    r = client.post(
        "/api/codings",
        json={
            "revision": rev,
            "coding": {
                "source": "E1",
                "start": start,
                "end": start + 2,
                "kind": "philosophy",
                "actor": "street",
                "value": "cooperative",
                "intensity": "2",
            },
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201, r.text
    case = load_case(root)
    assert case.codings[-1].kind.value == "philosophy"
    quotes = client.get(
        "/api/quotes", params={"stage": "closing", "dependent": "agency", "provider": "street"}
    ).json()["quotes"]
    expected = [
        c
        for c in case.codings
        if c.kind.value == "dependence"
        and c.stage is not None
        and c.stage.value == "closing"
        and (c.dependent, c.provider) == ("agency", "street")
    ]
    assert len(quotes) == len(expected) > 0
    for q in quotes:
        assert case.source(q["source"]).text[q["start"] : q["end"]] == q["quote"]
    dyad = client.get("/api/quotes", params={"agency": "agency", "government": "street"}).json()
    assert any(q["kind"] == "philosophy" and q["actor"] == "street" for q in dyad["quotes"])


def test_started_as_a_coder_the_page_can_switch_back_to_the_main_file(tmp_path: Path) -> None:
    root = _case(tmp_path)
    client, csrf, _ = _client(root, coder="wang")
    assert client.get("/api/state").json()["file"] == "codings-wang.csv"
    assert (
        client.post("/api/coder", json={"coder": ""}, headers={"X-CSRF-Token": csrf}).status_code
        == 200
    )
    assert client.get("/api/state").json()["file"] == "codings.csv"
    (root / "codings-not a coder.csv").write_text("x", encoding="utf-8")
    assert client.get("/api/state").json()["coders"] == [""]  # a hand-named file is not a coder


def test_nothing_is_fetched_from_the_network(app: tuple[TestClient, str, WebConfig, Path]) -> None:
    client, _, _, _ = app
    page = client.get("/").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert all(a.startswith(("/static/", "data:")) for a in assets), assets
    for asset in ("/static/workbench.js", "/static/workbench.css"):
        text = client.get(asset).text
        urls = set(re.findall(r"https?://[^\s\"'`)]+", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, urls  # a namespace name, never fetched
        assert "@import" not in text
        assert "@font-face" not in text
