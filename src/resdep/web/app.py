"""The workbench's Starlette application: access token, CSRF, routes.

Security (design section 12): the server binds to 127.0.0.1 only; every request needs the
random access token, given once in the URL (``/?token=...``, as Jupyter does) and then
kept in an HttpOnly, SameSite=Strict cookie; requests must name this server as their
``Host`` (no DNS rebinding); every state-changing request carries the session's CSRF
token in the ``X-CSRF-Token`` header; pages are sent with a content security policy that
runs only the package's own script; every asset comes from the package (no CDN, no web
fonts). Case text reaches the page only as JSON and is put in with ``textContent``.

Routes are thin: parse the request, call the store or the pipeline, answer JSON.
Bad input gets HTTP 400/422 with the loader's message (file, place, fix); a stale save
gets 409.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import tempfile
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from resdep.errors import InputError
from resdep.web.casefile import CaseFile
from resdep.web.store import CaseStore, Conflict, coder_file

__all__ = ["CSP", "WebConfig", "create_app"]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_STATIC = Path(__file__).parent / "static"
_UNSAFE = {"POST", "PUT", "DELETE", "PATCH"}
_MAX_UPLOAD = 20 * 1024 * 1024


@dataclass(kw_only=True)
class WebConfig:
    """What a running workbench serves, and to whom."""

    root: Path
    coder: str | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    lang: str | None = None


def _err(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _input_error(exc: InputError) -> JSONResponse:
    return _err(409 if isinstance(exc, Conflict) else 422, str(exc))


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, numpy scalars plain numbers."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _clean(value.item())
    return value


def _records(frame: Any) -> list[dict[str, Any]]:
    if frame is None or len(frame) == 0:
        return []
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


class Workbench:
    """Holds the store(s) and the latest analysis of one case."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._analysis: tuple[tuple[Any, ...], str] | None = None
        self._evidence: tuple[tuple[Any, ...], Any] | None = None
        #: the latest pipeline result (without evidence and influence, see ``analysis``)
        self._result: tuple[tuple[Any, ...], Any] | None = None
        self._influence: dict[tuple[Any, ...], str] = {}
        self._compute = threading.Lock()
        #: the last agreement view, keyed by every coder file's revision
        self.agreement: tuple[Any, dict[str, Any]] | None = None
        self.stores: dict[str | None, CaseStore] = {}

    def store(self, coder: str | None) -> CaseStore:
        with self._lock:
            if coder not in self.stores:
                self.stores[coder] = CaseStore(self.config.root, coder)
            return self.stores[coder]

    def analysis(self, store: CaseStore) -> str:
        """The pipeline's tables for the store's current codings, as JSON (cached per revision).

        Tables go out whole, with whatever columns :func:`resdep.pipeline.analyze` gives
        (the page shows optional columns such as ``p_label`` or ``settled`` when present).
        The two parts the page does not draw after every save are left to when they are
        asked for, with the same numbers: the evidence table behind the quotes
        (:meth:`evidence`, :func:`resdep.pipeline.evidence_table`) and the leave-one-out
        "what moves it" of a relationship (:meth:`influence`,
        :func:`resdep.pipeline.influence_table`).
        """
        from resdep.pipeline import analyze

        with self._compute:  # one analysis at a time; a second caller gets the cached one
            return self._analysis_of(store, analyze)

    def _analysis_of(self, store: CaseStore, analyze: Any) -> str:
        case = store.load()
        key = (store.file, store.revision(), store._stamp())
        with self._lock:
            if self._analysis is not None and self._analysis[0] == key:
                return self._analysis[1]
        if not case.codings:
            out = json.dumps({"empty": True, "revision": key[1]})
        else:
            try:
                result = analyze(case, influence=False, evidence=False)
            except InputError as exc:
                return json.dumps({"error": str(exc), "revision": key[1]})
            tables = {  # what the page draws (not the inputs: a long table it does not show)
                "stages": result.stages,
                "stage_intervals": result.stage_intervals,
                "relationships": result.relationships,
                "intervals": result.intervals,
                "diagnostics": result.diagnostics,
            }
            networks = {
                str(stage): [
                    {"dependent": u, "provider": v, **{k: _clean(x) for k, x in d.items()}}
                    for u, v, d in g.edges(data=True)
                ]
                for stage, g in result.networks.items()
            }
            parts = [
                f'"empty": false, "revision": {json.dumps(key[1])}, "draws": {int(result.params.draws)}',
                f'"networks": {json.dumps(networks, allow_nan=False)}',
            ]
            for name, frame in tables.items():
                body = frame.to_json(orient="records", force_ascii=False) if len(frame) else "[]"
                parts.append(f"{json.dumps(name)}: {body}")  # to_json writes NaN as null
            out = "{" + ", ".join(parts) + "}"
            with self._lock:
                self._result = (key, result)
        with self._lock:
            self._analysis = (key, out)
        return out

    def prepare(self, store: CaseStore) -> None:
        """Compute the analysis ahead of its request (errors are reported by that request)."""
        try:
            self.analysis(store)
        except Exception:
            return

    def _current(self, store: CaseStore) -> tuple[tuple[Any, ...], Any]:
        """The key of the store's current revision and its pipeline result (None if empty)."""
        self.analysis(store)
        key = (store.file, store.revision(), store._stamp())
        with self._lock:
            if self._result is not None and self._result[0] == key:
                return key, self._result[1]
        return key, None

    def evidence(self, store: CaseStore) -> Any:
        """The evidence table (one row per record, with its quote) of the current analysis."""
        from resdep.pipeline import evidence_table

        key, result = self._current(store)
        if result is None:
            return None
        with self._compute:
            if self._evidence is None or self._evidence[0] != key:
                self._evidence = (key, evidence_table(result.case))
            return self._evidence[1]

    def influence(self, store: CaseStore, agency: str, government: str) -> str:
        """The codings that move a relationship's P(label) most, as JSON (cached)."""
        from resdep.pipeline import influence_table

        key, result = self._current(store)
        if result is None:
            return '{"influence": []}'
        with self._compute:
            got = self._influence.get((*key, agency, government))
            if got is None:
                frame = influence_table(result, agency=agency, government=government)
                body = frame.to_json(orient="records", force_ascii=False) if len(frame) else "[]"
                got = '{"influence": ' + body + "}"
                self._influence = {k: v for k, v in self._influence.items() if k[:3] == key}
                self._influence[(*key, agency, government)] = got
            return got

    def source_codings(self, store: CaseStore, sid: str) -> list[dict[str, Any]]:
        """The rows of one source in the store's codings file, numbered as the file is."""
        return [{"row": n, **r} for n, r in store._numbered() if r.get("source") == sid]

    def saved(self, store: CaseStore, rev: str, sid: str | None) -> JSONResponse:
        """The answer to a save: what the page redraws at once; the analysis starts now."""
        threading.Thread(target=self.prepare, args=(store,), daemon=True).start()
        counts = Counter(c.source for c in store.load().codings)
        body: dict[str, Any] = {"revision": rev, "counts": dict(counts)}
        if sid is not None:
            body["source"] = sid
            body["codings"] = self.source_codings(store, sid)
        return JSONResponse(body)


def _case_lang(case: Any) -> str:
    langs = [s.language for s in case.sources if s.language]
    if langs:
        return "zh" if langs.count("zh") * 2 >= len(langs) else "en"
    if case.title_zh or any("\u4e00" <= ch <= "\u9fff" for ch in case.title):
        return "zh"
    if any(a.name_zh for a in case.actors) and not any(a.name for a in case.actors):
        return "zh"
    return "en"


def create_app(config: WebConfig) -> Starlette:
    """The workbench for one case folder."""
    bench = Workbench(config)

    def csrf_for(session: str) -> str:
        return hmac.new(config.secret, session.encode(), hashlib.sha256).hexdigest()

    def host_ok(request: Request) -> bool:
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        return name in config.hosts

    def coder_of(request: Request) -> str | None:
        name = request.cookies.get(_cookie(request, "coder"))
        if name is None:  # not chosen in the page: the --coder of the command line
            name = config.coder
        return name or None

    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not host_ok(request):
            return Response("unknown host", status_code=403, media_type="text/plain")
        given = request.query_params.get("token")
        if given is not None:
            if not hmac.compare_digest(given.encode(), config.token.encode()):
                return _forbidden()
            target = request.url.remove_query_params("token")
            resp = RedirectResponse(str(target.path) or "/", status_code=303)
            resp.set_cookie(
                _cookie(request, "token"), config.token, httponly=True, samesite="strict"
            )
            resp.set_cookie(
                _cookie(request, "session"),
                secrets.token_urlsafe(18),
                httponly=True,
                samesite="strict",
            )
            return resp
        cookie = request.cookies.get(_cookie(request, "token"), "")
        if not hmac.compare_digest(cookie.encode(), config.token.encode()):
            return _forbidden()
        if request.method in _UNSAFE:
            session = request.cookies.get(_cookie(request, "session"), "")
            sent = request.headers.get("x-csrf-token", "")
            origin = request.headers.get("origin")
            if (
                origin is not None
                and origin.split("://", 1)[-1].rsplit(":", 1)[0] not in config.hosts
            ):
                return _err(403, "request from another site refused")
            if not session or not hmac.compare_digest(sent.encode(), csrf_for(session).encode()):
                return _err(403, "missing or wrong CSRF token: reload the page")
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def index(request: Request) -> Response:
        from resdep.templating import environment

        session = request.cookies.get(_cookie(request, "session"), "")
        store = bench.store(coder_of(request))
        try:
            case = store.load()
            titles, default = (case.title_zh, case.title, case.id), _case_lang(case)
            # start the analysis now: the page asks for it once its script has run
            threading.Thread(target=bench.prepare, args=(store,), daemon=True).start()
        except InputError as exc:
            titles, default = ("", "", config.root.name), config.lang or "zh"
            problem = str(exc)
        else:
            problem = ""
        lang = request.cookies.get(_cookie(request, "lang")) or config.lang or default
        lang = lang if lang in ("zh", "en") else "en"
        zh, en, ident = titles
        title = (zh or en or ident) if lang == "zh" else (en or zh or ident)
        from resdep.web.i18n import strings

        page = environment("resdep.web:templates").get_template("workbench.html")
        words = strings(lang)
        html = page.render(
            lang=lang,
            csp=CSP.replace("; frame-ancestors 'none'", ""),  # a <meta> policy cannot hold it
            title=title,
            coder=store.coder or "",
            problem=problem,
            strings=words,
            boot={"csrf": csrf_for(session), "lang": lang, "strings": words},
        )
        return HTMLResponse(html)

    def state(request: Request) -> Response:
        from resdep.qda.codebook import group_help
        from resdep.vocab import (
            ActorKind,
            Dimension,
            EvidenceType,
            Goal,
            Label,
            Philosophy,
            Problem,
            RecordKind,
            Resource,
            Stage,
            StageState,
            Strategy,
        )  # fmt: skip

        store = bench.store(coder_of(request))
        try:
            case = store.load()
        except InputError as exc:
            return _err(422, str(exc))

        per_source = Counter(c.source for c in case.codings)

        def terms(kind: Any) -> list[dict[str, str]]:
            return [{"id": t.value, "en": t.en, "zh": t.zh} for t in kind]

        return JSONResponse(
            {
                "case": {"id": case.id, "title": case.title, "title_zh": case.title_zh},
                "lang": _case_lang(case),
                "coder": store.coder or "",
                "file": store.file,
                "revision": store.revision(),
                "actors": [
                    {
                        "id": a.id,
                        "kind": a.kind.value,
                        "name": a.name,
                        "name_zh": a.name_zh,
                        "government": a.is_government,
                        "agency": a.kind.value == "social_work_agency",
                    }
                    for a in case.actors
                ],
                "informants": [
                    {"id": i.id, "organisation": i.organisation, "role": i.role}
                    for i in case.informants
                ],
                "sources": [
                    {
                        "id": s.id,
                        "kind": s.kind.value,
                        "informant": s.informant or "",
                        "length": len(s.text),
                        "codings": per_source[s.id],
                    }
                    for s in case.sources
                ],
                "vocab": {
                    "kind": terms(RecordKind),
                    "label": terms(Label),
                    "state": terms(StageState),
                    "stage": terms(Stage),
                    "resource": terms(Resource),
                    "dimension": terms(Dimension),
                    "evidence": terms(EvidenceType),
                    "philosophy": terms(Philosophy),
                    "goal": terms(Goal),
                    "problem": terms(Problem),
                    "strategy": terms(Strategy),
                },
                "codebook": [
                    {"group": g, "zh": zh, "help_en": en_help, "help_zh": zh_help}
                    for g, zh, en_help, zh_help in group_help()
                ],
                "coders": _coder_names(config.root),
                "case_revision": CaseFile(config.root).revision(),
                "actor_kinds": [k.value for k in ActorKind],
            }
        )

    def source(request: Request) -> Response:
        store = bench.store(coder_of(request))
        sid = request.path_params["sid"]
        try:
            case = store.load()
        except InputError as exc:
            return _err(422, str(exc))
        found = next((s for s in case.sources if s.id == sid), None)
        if found is None:  # ids only: a path is never looked up
            return _err(404, f"no source {sid!r} in this case")
        return JSONResponse(
            {
                "id": found.id,
                "text": found.text,
                "informant": found.informant or "",
                "kind": found.kind.value,
                "revision": store.revision(),
                "codings": bench.source_codings(store, found.id),
            }
        )

    def codings(request: Request) -> Response:
        store = bench.store(coder_of(request))
        return JSONResponse(
            {
                "revision": store.revision(),
                "rows": [{"row": n, **r} for n, r in store.rows()],
            }
        )

    async def _body(request: Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            raise InputError("the request body is not JSON", fix="send JSON") from None
        if not isinstance(data, dict):
            raise InputError("the request body is not a JSON object", fix="send an object")
        return data

    def _row(store: CaseStore, data: Any, base: dict[str, str] | None = None) -> dict[str, str]:
        """A coding from the page: offsets in code points; the quote is checked and set here.

        Columns the page does not send keep their value in ``base`` (the row being edited).
        """
        from resdep.case.load import CODING_COLUMNS

        if not isinstance(data, dict):
            raise InputError("coding must be an object", fix="send {source, start, end, ...}")
        case = store.load()
        sid = str(data.get("source", ""))
        found = next((s for s in case.sources if s.id == sid), None)
        if found is None:
            raise InputError(f"no source {sid!r}", fix="choose a source of the case")
        try:
            start, end = int(data["start"]), int(data["end"])
        except (KeyError, TypeError, ValueError):
            raise InputError(
                "start and end must be whole numbers", fix="select text again"
            ) from None
        if not 0 <= start < end <= len(found.text):
            raise InputError(
                f"offsets {start}–{end} are outside the text of {sid} (0–{len(found.text)})",
                fix="select text again",
            )
        quote = found.text[start:end]
        sent = data.get("quote")
        if sent is not None and sent != quote:
            raise InputError(
                f"the selected text does not match {sid}[{start}:{end}]",
                fix="reload the page (the source may have changed) and select again",
            )
        row = dict.fromkeys(CODING_COLUMNS, "") | (base or {})
        for c in CODING_COLUMNS:
            v = data.get(c)
            if v is not None and c not in ("start", "end", "quote", "source"):
                row[c] = str(v).strip() if c != "note" else str(v)
        row.update(source=sid, start=str(start), end=str(end), quote=quote)
        return row

    async def add_coding(request: Request) -> Response:
        store = bench.store(coder_of(request))
        try:
            data = await _body(request)
            row = _row(store, data.get("coding"))
            rows = [*store.row_list(), row]
            rev = store.write(rows, expected=str(data.get("revision", "")), changed=len(rows) - 1)
        except InputError as exc:
            return _input_error(exc)
        answer = bench.saved(store, rev, row["source"])
        answer.status_code = 201
        return answer

    async def edit_coding(request: Request) -> Response:
        store = bench.store(coder_of(request))
        n = request.path_params["n"]
        try:
            data = await _body(request)
            numbered = store.rows()
            idx = next((i for i, (k, _) in enumerate(numbered) if k == n), None)
            if idx is None:
                raise Conflict(f"row {n} no longer exists", fix="reload the page")
            rows = store.row_list()
            expected = str(data.get("revision", ""))
            sid = rows[idx].get("source")
            if request.method == "DELETE":
                del rows[idx]
                rev = store.write(rows, expected=expected, deleted=idx)
            else:
                rows[idx] = _row(store, data.get("coding"), base=rows[idx])
                rev = store.write(rows, expected=expected, changed=idx)
        except InputError as exc:
            return _input_error(exc)
        return bench.saved(store, rev, sid)

    def analysis(request: Request) -> Response:
        store = bench.store(coder_of(request))
        try:
            return Response(bench.analysis(store), media_type="application/json")
        except InputError as exc:
            return _input_error(exc)

    def quotes(request: Request) -> Response:
        """The records behind a number on the page, with their quotes.

        Query: ``stage``, ``dependent`` and ``provider`` (an edge); ``agency`` and
        ``government`` (a dyad, optionally with ``stage``); ``scope`` and ``measure`` (a
        diagnostic: the records ``resdep.pipeline`` computes it from).
        """
        store = bench.store(coder_of(request))
        try:
            ev = bench.evidence(store)
        except InputError as exc:
            return _input_error(exc)
        if ev is None or len(ev) == 0:
            return JSONResponse({"quotes": []})
        q = request.query_params
        dep = ev["kind"] == "dependence"
        keep = ev["kind"].notna()
        if q.get("stage"):
            keep &= ~dep | (ev["stage"] == q["stage"])
        if q.get("dependent"):
            keep &= (
                dep & (ev["dependent"] == q["dependent"]) & (ev["provider"] == q.get("provider"))
            )
        if q.get("agency"):
            a, g = q["agency"], q.get("government", "")
            pair = ((ev["dependent"] == a) & (ev["provider"] == g)) | (
                (ev["dependent"] == g) & (ev["provider"] == a)
            )
            other = ~dep & ev["actor"].isin([a, g]) if not q.get("stage") else False
            keep &= (dep & pair) | other
        if q.get("measure"):
            what, _, value = q["measure"].partition(":")
            scope = q.get("scope", "")
            actor_ok = (
                (ev["actor"] == "") if scope == "case" else ev["actor"].isin(scope.split("/"))
            )
            kind = what if value else "goal"
            keep &= (ev["kind"] == kind) & actor_ok
            if value:
                keep &= ev["value"] == value
        hit = ev[keep]
        body = hit.to_json(orient="records", force_ascii=False) if len(hit) else "[]"
        return Response('{"quotes": ' + body + "}", media_type="application/json")

    def influence(request: Request) -> Response:
        """The codings whose leave-one-out moves a relationship's P(label) most.

        Query: ``agency`` and ``government``. Computed when asked for (it is the slow part
        of ``resdep analyze``), from the same result the page shows, with the same numbers
        as ``resdep analyze``'s influence table.
        """
        store = bench.store(coder_of(request))
        q = request.query_params
        try:
            body = bench.influence(store, q.get("agency", ""), q.get("government", ""))
        except InputError as exc:
            return _input_error(exc)
        return Response(body, media_type="application/json")

    def history(request: Request) -> Response:
        store = bench.store(coder_of(request))
        try:
            revision = store.revision()
        except InputError as exc:
            return _input_error(exc)
        return JSONResponse(
            {
                "revision": revision,
                "versions": [
                    {"name": h.name, "saved": h.saved, "rows": h.rows} for h in store.history()
                ],
            }
        )

    async def restore(request: Request) -> Response:
        store = bench.store(coder_of(request))
        try:
            data = await _body(request)
            rev = store.restore(str(data.get("name", "")), expected=str(data.get("revision", "")))
        except InputError as exc:
            return _input_error(exc)
        return JSONResponse({"revision": rev})

    async def add_source(request: Request) -> Response:
        from resdep.qda.transcripts import add_sources

        try:
            form = await request.form(max_files=1, max_fields=10)
        except Exception as exc:  # multipart parser errors: bad request, not a bug of ours
            return _err(400, f"could not read the upload: {exc}")
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _err(422, "no file in the upload: choose a .txt, .md or .docx file")
        name = Path(str(upload.filename or "")).name  # never a path from the browser
        data = await upload.read(_MAX_UPLOAD + 1)
        if len(data) > _MAX_UPLOAD:
            return _err(422, f"{name} is larger than 20 MB: split it")
        informant = str(form.get("informant") or "") or None
        kind = str(form.get("kind") or "") or None
        language = str(form.get("language") or "") or None
        with tempfile.TemporaryDirectory(prefix="resdep-upload-") as tmp:
            path = Path(tmp) / (name or "upload.txt")
            path.write_bytes(data)
            try:
                with CaseFile.lock:  # case.toml is rewritten: not during an actor's edit
                    added = add_sources(
                        config.root, [path], informant=informant, kind=kind, language=language
                    )
            except InputError as exc:
                return _input_error(exc)
            except Exception as exc:
                from resdep.errors import OutputExistsError

                if isinstance(exc, OutputExistsError):
                    return _err(409, str(exc))
                raise
        a = added[0]
        return JSONResponse(
            {"id": a.id, "path": a.path, "described": a.transcript.describe()}, status_code=201
        )

    async def add_person(request: Request) -> Response:
        """Add an ``[[actor]]`` or ``[[informant]]`` to case.toml (validated as analyze does)."""
        try:
            data = await _body(request)
            rev = CaseFile(config.root).add(
                str(data.get("table", "")),
                data.get("values") or {},
                expected=str(data.get("revision", "")),
            )
        except InputError as exc:
            return _input_error(exc)
        return JSONResponse({"case_revision": rev}, status_code=201)

    async def edit_person(request: Request) -> Response:
        """Change an actor's names, or an informant's organisation and role."""
        try:
            data = await _body(request)
            rev = CaseFile(config.root).edit(
                request.path_params["table"],
                request.path_params["ident"],
                data.get("values") or {},
                expected=str(data.get("revision", "")),
            )
        except InputError as exc:
            return _input_error(exc)
        return JSONResponse({"case_revision": rev})

    def people_history(request: Request) -> Response:
        people = CaseFile(config.root)
        return JSONResponse(
            {
                "case_revision": people.revision(),
                "versions": [
                    {"name": h.name, "saved": h.saved, "entries": h.rows} for h in people.history()
                ],
            }
        )

    async def people_restore(request: Request) -> Response:
        try:
            data = await _body(request)
            rev = CaseFile(config.root).restore(
                str(data.get("name", "")), expected=str(data.get("revision", ""))
            )
        except InputError as exc:
            return _input_error(exc)
        return JSONResponse({"case_revision": rev})

    def agreement_view(request: Request) -> Response:
        from resdep.qda.agreement import agreement, agreement_flags, coder_data_from_case

        names = _coder_names(config.root)
        if len(names) < 2:
            return JSONResponse({"coders": names, "table": [], "flags": [], "pairs": []})
        try:
            key = tuple(
                (n, bench.store(n or None).revision(), bench.store(n or None)._stamp())
                for n in names
            )
        except InputError as exc:  # a coder's file that cannot be read (not a regular file)
            return _input_error(exc)
        cached = bench.agreement
        if cached is not None and cached[0] == key:
            return JSONResponse(cached[1])
        datas, cases = [], {}
        for name in names:
            try:
                case = bench.store(name or None).load()
            except InputError as exc:
                return _input_error(exc)
            cases[name] = case
            datas.append(coder_data_from_case(case, name or "main"))
        try:
            result = agreement(datas)
            flags = agreement_flags(result)
        except InputError as exc:
            return _input_error(exc)
        body = {
            "coders": names,
            "table": _records(result.table),
            "flags": _records(flags),
            "pairs": _disagreements(cases),
        }
        bench.agreement = (key, body)
        return JSONResponse(body)

    async def set_coder(request: Request) -> Response:
        try:
            data = await _body(request)
            name = str(data.get("coder", "")).strip()
            coder_file(name or None)  # validates
        except InputError as exc:
            return _input_error(exc)
        resp = JSONResponse({"coder": name})
        resp.set_cookie(_cookie(request, "coder"), name, httponly=True, samesite="strict")
        return resp

    async def set_lang(request: Request) -> Response:
        try:
            data = await _body(request)
        except InputError as exc:
            return _input_error(exc)
        lang = str(data.get("lang", ""))
        if lang not in ("zh", "en"):
            return _err(422, "language must be zh or en")
        resp = JSONResponse({"lang": lang})
        resp.set_cookie(_cookie(request, "lang"), lang, samesite="strict")
        return resp

    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware

    routes = [
        Route("/", index),
        Route("/api/state", state),
        Route("/api/source/{sid}", source),
        Route("/api/codings", codings),
        Route("/api/codings", add_coding, methods=["POST"]),
        Route("/api/codings/{n:int}", edit_coding, methods=["PUT", "DELETE"]),
        Route("/api/analysis", analysis),
        Route("/api/quotes", quotes),
        Route("/api/influence", influence),
        Route("/api/history", history),
        Route("/api/history/restore", restore, methods=["POST"]),
        Route("/api/sources", add_source, methods=["POST"]),
        Route("/api/people", add_person, methods=["POST"]),
        Route("/api/people/history", people_history),
        Route("/api/people/restore", people_restore, methods=["POST"]),
        Route("/api/people/{table}/{ident}", edit_person, methods=["PUT"]),
        Route("/api/agreement", agreement_view),
        Route("/api/coder", set_coder, methods=["POST"]),
        Route("/api/lang", set_lang, methods=["POST"]),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)])
    app.state.workbench = bench
    return app


def _cookie(request: Request, name: str) -> str:
    """A cookie name for this server: browsers share cookies between ports of one host,
    so two workbenches open at once (on two ports) must not overwrite each other's token."""
    return f"resdep_{name}_{request.url.port or 0}"


def _forbidden() -> Response:
    return HTMLResponse(
        "<!DOCTYPE html><meta charset=utf-8><title>resdep: token required</title>"
        "<p>This workbench needs its access token. Open the address that <code>resdep serve</code> "
        "printed (it ends in <code>?token=…</code>).</p>"
        "<p>需要访问令牌：请打开 <code>resdep serve</code> 打印的地址（以 <code>?token=…</code> 结尾）。</p>",
        status_code=403,
        headers={"Content-Security-Policy": CSP},
    )


def _coder_names(root: Path) -> list[str]:
    """The coders with a codings file: ``""`` for ``codings.csv``, then named coders."""
    names = [""] if (root / "codings.csv").is_file() else []
    for p in sorted(root.glob("codings-*.csv")):
        name = p.stem.removeprefix("codings-")
        try:
            coder_file(name)
        except InputError:  # a file someone named by hand; not a coder's file
            continue
        names.append(name)
    return names


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _disagreements(cases: dict[str, Any]) -> list[dict[str, Any]]:
    """Codings one coder made that no other coder made on an overlapping segment, each
    beside the other coder's most-overlapping coding there (segments only one coder coded
    are left out: the agreement table counts them)."""
    keys = ("kind", "stage", "dependent", "provider", "resource", "dimension", "actor", "value", "intensity")  # fmt: skip

    def tie(c: Any) -> tuple[str, ...]:
        return tuple(_text(getattr(c, k)) for k in keys)

    def side(name: str, c: Any) -> dict[str, Any]:
        return {"coder": name or "main", "start": c.start, "end": c.end, "quote": c.quote} | dict(
            zip(keys, tie(c), strict=True)
        )

    by_source: dict[str, dict[str, list[Any]]] = {}
    for name, case in cases.items():
        for c in case.codings:
            by_source.setdefault(name, {}).setdefault(c.source, []).append(c)
    names = list(cases)
    out: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for a in names:
        for b in names:
            if a == b:
                continue
            for source, mine in sorted(by_source.get(a, {}).items()):
                theirs = by_source.get(b, {}).get(source, [])
                for ca in mine:
                    over = [cb for cb in theirs if cb.start < ca.end and ca.start < cb.end]
                    if not over or any(tie(cb) == tie(ca) for cb in over):
                        continue
                    cb = max(over, key=lambda x: min(ca.end, x.end) - max(ca.start, x.start))
                    pair = (id(ca), id(cb)) if names.index(a) < names.index(b) else (id(cb), id(ca))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    first, second = (side(a, ca), side(b, cb))
                    if names.index(a) > names.index(b):
                        first, second = second, first
                    out.append({"source": source, "a": first, "b": second})
                    if len(out) >= 200:
                        return out
    return out
