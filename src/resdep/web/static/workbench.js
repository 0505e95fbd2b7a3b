// resdep workbench: read transcripts, code segments as ties, watch the analysis.
// Plain JavaScript, no build step, no library. Case text is only ever put into the page
// with textContent (never innerHTML). Offsets sent to the server are Unicode code points;
// JavaScript strings are UTF-16, so every offset is converted (see cpLength).
"use strict";

const boot = JSON.parse(document.getElementById("boot").textContent);
const T = boot.strings;
const LANG = boot.lang;
const STAGE_ORDER = ["contracting", "implementation", "closing"];
const FIELDS = ["kind", "stage", "dependent", "provider", "resource", "dimension", "actor", "value", "intensity", "evidence"];
// key -> field it cycles (Shift cycles backwards)
const KEYS = { k: "kind", s: "stage", d: "dependent", p: "provider", r: "resource", m: "dimension", a: "actor", v: "value", e: "evidence" };
const NEEDS = {
  dependence: ["stage", "dependent", "provider", "resource", "dimension", "intensity", "evidence"],
  philosophy: ["actor", "value", "intensity", "evidence"],
  goal: ["actor", "value", "intensity", "evidence"],
  problem: ["value", "actor", "stage", "intensity", "evidence"],
  strategy: ["actor", "value", "intensity", "evidence"],
};

const S = {
  state: null, source: null, cps: [], rev: null, selection: null, editing: null,
  last: null, analysis: null,
};

// ---------------------------------------------------------------- helpers
const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, String(v));
    else if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

// Code points in a string (a surrogate pair counts once, as Python counts).
function cpLength(str) {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function status(message, kind) {
  const s = $("#status");
  s.textContent = message;
  s.className = kind || "";
}

async function api(method, url, body) {
  const opts = { method, headers: { "X-CSRF-Token": boot.csrf }, credentials: "same-origin" };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(url, opts);
  let data = {};
  try { data = await res.json(); } catch (e) { data = { error: res.statusText }; }
  return { ok: res.ok, status: res.status, data };
}

function term(group, id) {
  if (!id) return "";
  const list = (S.state && S.state.vocab[group]) || [];
  const t = list.find((x) => x.id === id);
  return t ? (LANG === "zh" ? t.zh : t.en) : id;
}

function actorName(id) {
  const a = S.state && S.state.actors.find((x) => x.id === id);
  if (!a) return id || "";
  return (LANG === "zh" ? a.name_zh || a.name : a.name || a.name_zh) || a.id;
}

function fmt(x, digits = 2) {
  if (x === null || x === undefined || x === "") return "–";
  if (typeof x === "number") return Number.isInteger(x) ? String(x) : x.toFixed(digits);
  return String(x);
}

function tieText(r) {
  if (r.kind === "dependence") {
    return `${actorName(r.dependent)} → ${actorName(r.provider)} · ${term("resource", r.resource)} · ${term("dimension", r.dimension)} ${r.intensity} (${term("stage", r.stage)})`;
  }
  return `${term("kind", r.kind)}: ${r.actor ? actorName(r.actor) + " · " : ""}${term(r.kind, r.value)}${r.intensity !== "" ? " " + r.intensity : ""}`;
}

// ---------------------------------------------------------------- state and sources
async function loadState() {
  const res = await api("GET", "/api/state");
  if (!res.ok) { status(res.data.error, "error"); return false; }
  S.state = res.data;
  S.rev = res.data.revision;
  renderSources();
  fillForm();
  renderCodebook();
  renderPeople();
  return true;
}

// ---------------------------------------------------------------- actors and informants
const PERSON_FIELDS = { actor: ["id", "kind", "name", "name_zh"], informant: ["id", "organisation", "role"] };
let editingPerson = null;

function renderPeople() {
  const al = $("#actor-list");
  al.replaceChildren();
  for (const a of S.state.actors) {
    al.append(el("li", { "data-actor": a.id },
      el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); editPerson("actor", a); } }, a.id),
      el("span", { class: "meta" }, ` ${a.kind} · ${actorName(a.id)}`)));
  }
  const il = $("#informant-list");
  il.replaceChildren();
  for (const i of S.state.informants) {
    il.append(el("li", { "data-informant": i.id },
      el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); editPerson("informant", i); } }, i.id),
      el("span", { class: "meta" }, ` ${actorName(i.organisation)}${i.role ? " · " + i.role : ""}`)));
  }
  options($("#p-kind"), S.state.actor_kinds.map((k) => [k, k]));
  options($("#p-organisation"), S.state.actors.map((a) => [a.id, `${actorName(a.id)} (${a.id})`]));
  newPerson();
  loadPeopleHistory();
}

function personFields() {
  const table = $("#p-table").value;
  for (const label of document.querySelectorAll("#person-form label[data-p]")) {
    label.hidden = !PERSON_FIELDS[table].includes(label.dataset.p);
  }
  $("#p-table").disabled = !!editingPerson;
  $("#p-id").disabled = !!editingPerson;  // codings name the id: it stays
  $("#p-kind").disabled = !!editingPerson;
}

function editPerson(table, entry) {
  editingPerson = { table, id: entry.id };
  $("#p-table").value = table;
  for (const f of PERSON_FIELDS[table]) $(`#p-${f}`).value = entry[f] ?? "";
  $("#p-title").textContent = `${T.edit_entry} ${entry.id}`;
  $("#p-save").textContent = T.save;
  personFields();
}

function newPerson() {
  editingPerson = null;
  for (const f of ["id", "name", "name_zh", "role"]) $(`#p-${f}`).value = "";
  $("#p-title").textContent = T.add_entry;
  $("#p-save").textContent = T.upload;
  personFields();
}

async function savePerson(ev) {
  ev.preventDefault();
  const table = $("#p-table").value;
  const values = {};
  for (const f of PERSON_FIELDS[table]) values[f] = $(`#p-${f}`).value;
  const body = { table, values, revision: S.state.case_revision };
  const res = editingPerson
    ? await api("PUT", `/api/people/${table}/${encodeURIComponent(editingPerson.id)}`, body)
    : await api("POST", "/api/people", body);
  const note = $("#p-status");
  if (!res.ok) {
    note.textContent = `${T.conflict} ${res.data.error || res.status}`;
    note.className = "error";
    return refused(res);
  }
  await afterPeople(T.saved);
}

async function afterPeople(message) {
  await loadState();
  $("#p-status").textContent = message;
  $("#p-status").className = "ok";
  status(message, "ok");
  if (S.source) await openSource(S.source.id);
  await loadAnalysis();
}

async function loadPeopleHistory() {
  const res = await api("GET", "/api/people/history");
  const ol = $("#people-history");
  ol.replaceChildren();
  if (!res.ok) return;
  for (const h of res.data.versions.slice(0, 20)) {
    ol.append(el("li", { "data-name": h.name }, `${h.saved} · ${h.entries} `,
      el("button", { type: "button", onclick: () => restorePeople(h.name) }, T.restore)));
  }
}

async function restorePeople(name) {
  const res = await api("POST", "/api/people/restore", { name, revision: S.state.case_revision });
  if (!res.ok) {
    $("#p-status").textContent = `${T.conflict} ${res.data.error || res.status}`;
    $("#p-status").className = "error";
    return refused(res);
  }
  await afterPeople(T.restored);
}

function renderSources() {
  const ul = $("#source-list");
  ul.replaceChildren();
  for (const s of S.state.sources) {
    const li = el("li", {},
      el("a", { href: "#", "data-source": s.id, onclick: (ev) => { ev.preventDefault(); openSource(s.id); } },
        s.id),
      el("span", { class: "meta" }, ` ${s.informant || s.kind} · ${s.codings}`));
    if (S.source && S.source.id === s.id) li.className = "current";
    ul.append(li);
  }
  const inf = $("#upload-informant");
  inf.replaceChildren(el("option", { value: "" }, T.none));
  for (const i of S.state.informants) inf.append(el("option", { value: i.id }, `${i.id} (${actorName(i.organisation)})`));
}

async function openSource(id, focus) {
  const res = await api("GET", `/api/source/${encodeURIComponent(id)}`);
  if (!res.ok) { status(res.data.error, "error"); return; }
  S.source = res.data;
  S.rev = res.data.revision;
  S.cps = Array.from(res.data.text);
  for (const r of S.source.codings) { r.start = Number(r.start); r.end = Number(r.end); }
  $("#reader-title").textContent = `${id}${res.data.informant ? " · " + res.data.informant : ""}`;
  renderText();
  renderSources();
  if (focus) flash(focus.start, focus.end);
}

function renderText() {
  const box = $("#text");
  box.replaceChildren();
  const rows = S.source.codings;
  const cuts = new Set([0, S.cps.length]);
  for (const r of rows) { cuts.add(r.start); cuts.add(r.end); }
  const points = [...cuts].filter((x) => x >= 0 && x <= S.cps.length).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    const span = el("span", { "data-s": a, "data-e": b });
    span.textContent = S.cps.slice(a, b).join("");
    const over = rows.filter((r) => r.start <= a && r.end >= b);
    if (over.length) {
      const first = over[0];
      span.className = `seg ${first.kind === "dependence" ? "stage-" + first.stage : "kind-" + first.kind}${over.length > 1 ? " multi" : ""}`;
      span.title = over.map(tieText).join("\n");
      span.setAttribute("data-rows", over.map((r) => r.row).join(","));
    }
    box.append(span);
  }
  const list = $("#coding-list");
  list.replaceChildren();
  for (const r of rows) {
    list.append(el("li", { "data-row": r.row },
      el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); edit(r); } }, `${r.start}–${r.end} `),
      el("span", { class: "q" }, r.quote), " ", el("span", { class: "meta" }, tieText(r)),
      r.note ? el("span", { class: "memo" }, ` ✎ ${r.note}`) : null));
  }
}

function flash(start, end) {
  const spans = [...document.querySelectorAll("#text span[data-s]")]
    .filter((s) => Number(s.dataset.s) < end && Number(s.dataset.e) > start);
  for (const s of spans) s.classList.add("flash");
  if (spans.length) spans[0].scrollIntoView({ block: "center" });
  setTimeout(() => spans.forEach((s) => s.classList.remove("flash")), 2500);
}

// ---------------------------------------------------------------- selection → offsets
function pointToCp(node, offset) {
  const box = $("#text");
  if (node.nodeType === Node.TEXT_NODE) {
    const span = node.parentElement.closest("[data-s]");
    return Number(span.dataset.s) + cpLength(node.data.slice(0, offset));
  }
  if (node === box) {
    const kids = box.children;
    return offset < kids.length ? Number(kids[offset].dataset.s) : S.cps.length;
  }
  const span = node.closest("[data-s]");
  if (!span) return null;
  return offset === 0 ? Number(span.dataset.s) : Number(span.dataset.e);
}

function readSelection() {
  const sel = window.getSelection();
  if (!S.source || !sel.rangeCount || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const box = $("#text");
  if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return null;
  let start = pointToCp(range.startContainer, range.startOffset);
  let end = pointToCp(range.endContainer, range.endOffset);
  if (start === null || end === null) return null;
  // leave out white space at both ends (line ends, spaces): a segment is its words
  while (start < end && /\s/u.test(S.cps[start])) start++;
  while (end > start && /\s/u.test(S.cps[end - 1])) end--;
  if (end <= start) return null;
  return { start, end, quote: S.cps.slice(start, end).join("") };
}

function onSelect() {
  const found = readSelection();
  if (!found) return;
  S.selection = found;
  S.editing = null;
  showSelection();
  applyDefaults();
}

function showSelection() {
  const p = $("#selection");
  const sel = S.editing || S.selection;
  if (!sel) { p.textContent = T.select_text; $("#panel-mode").textContent = ""; return; }
  p.replaceChildren(el("span", { class: "meta" }, `${S.source.id} ${sel.start}–${sel.end}: `), el("q", {}, sel.quote));
  $("#panel-mode").textContent = S.editing ? `#${S.editing.row}` : "+";
  $("#delete").disabled = !S.editing;
}

// ---------------------------------------------------------------- the coding form
function options(select, list, withEmpty) {
  select.replaceChildren();
  if (withEmpty) select.append(el("option", { value: "" }, withEmpty === true ? "" : withEmpty));
  for (const [value, label] of list) select.append(el("option", { value }, label));
}

function fillForm() {
  const v = S.state.vocab;
  const lab = (t) => [t.id, LANG === "zh" ? `${t.zh} (${t.id})` : t.en];
  options($("#f-kind"), v.kind.map(lab));
  options($("#f-stage"), v.stage.map(lab), true);
  const actors = S.state.actors.map((a) => [a.id, `${actorName(a.id)} (${a.id})`]);
  options($("#f-dependent"), actors, true);
  options($("#f-provider"), actors, true);
  options($("#f-actor"), actors, true);
  options($("#f-resource"), v.resource.map(lab), true);
  options($("#f-dimension"), v.dimension.map(lab), true);
  options($("#f-evidence"), v.evidence.map(lab), T.default);
  valuesFor("dependence");
  showFields();
}

function valuesFor(kind) {
  const list = S.state.vocab[kind] || [];
  const keep = $("#f-value").value;
  options($("#f-value"), list.map((t) => [t.id, LANG === "zh" ? `${t.zh} (${t.id})` : t.en]), true);
  if (list.some((t) => t.id === keep)) $("#f-value").value = keep;
}

function showFields() {
  const kind = $("#f-kind").value || "dependence";
  const need = NEEDS[kind];
  for (const label of document.querySelectorAll("#coding-form label[data-for]")) {
    const f = label.dataset.for;
    label.hidden = !(f === "kind" || f === "note" || need.includes(f));
  }
  $("#swap").hidden = kind !== "dependence";
}

function formValues() {
  const out = {};
  for (const f of FIELDS) out[f] = $(`#f-${f}`).value;
  out.note = $("#f-note").value;
  const need = NEEDS[out.kind];
  for (const f of FIELDS) if (f !== "kind" && !need.includes(f)) out[f] = "";
  return out;
}

function setValues(values) {
  $("#f-kind").value = values.kind || "dependence";
  valuesFor($("#f-kind").value);
  for (const f of FIELDS) if (f !== "kind") $(`#f-${f}`).value = values[f] ?? "";
  $("#f-note").value = values.note || "";
  showFields();
}

function applyDefaults() {
  const informant = S.state.informants.find((i) => i.id === S.source.informant);
  const org = informant ? informant.organisation : "";
  const values = Object.assign({ kind: "dependence", stage: "", resource: "", dimension: "", intensity: "", evidence: "" }, S.last || {});
  values.note = "";
  if (!S.last) {
    values.dependent = org;
    values.actor = org;
    const me = S.state.actors.find((a) => a.id === org);
    const other = S.state.actors.find((a) => a.id !== org && me && (me.government ? a.agency : a.government));
    values.provider = other ? other.id : "";
  }
  setValues(values);
}

function edit(row) {
  S.editing = row;
  S.selection = null;
  setValues(row);
  showSelection();
  flash(row.start, row.end);
}

function cycle(field, step) {
  const sel = $(`#f-${field}`);
  const label = sel.closest("label");
  if (!sel.options.length || (label && label.hidden)) return;
  const n = sel.options.length;
  sel.selectedIndex = ((sel.selectedIndex < 0 ? 0 : sel.selectedIndex) + step + n) % n;
  sel.dispatchEvent(new Event("change"));
}

async function save() {
  const target = S.editing || S.selection;
  if (!target || !S.source) { status(T.select_text, "error"); return; }
  const coding = Object.assign(formValues(), { source: S.source.id, start: target.start, end: target.end, quote: target.quote });
  const body = { revision: S.rev, coding };
  const res = S.editing
    ? await api("PUT", `/api/codings/${S.editing.row}`, body)
    : await api("POST", "/api/codings", body);
  if (!res.ok) return refused(res);
  S.rev = res.data.revision;
  S.last = formValues();
  S.selection = null;
  S.editing = null;
  window.getSelection().removeAllRanges();
  status(T.saved, "ok");
  await afterSave(res.data, target);
}

async function remove() {
  if (!S.editing) return;
  const res = await api("DELETE", `/api/codings/${S.editing.row}`, { revision: S.rev });
  if (!res.ok) return refused(res);
  S.rev = res.data.revision;
  S.editing = null;
  status(T.deleted, "ok");
  await afterSave(res.data);
}

function refused(res) {
  const s = $("#status");
  s.replaceChildren(`${T.conflict} ${res.data.error || res.status} `);
  if (res.status === 409) s.append(el("button", { type: "button", onclick: () => location.reload() }, T.reload));
  s.className = res.status === 409 ? "error conflict" : "error";
}

function cancel() {
  S.selection = null;
  S.editing = null;
  window.getSelection().removeAllRanges();
  showSelection();
}

async function afterSave(saved, focus) {
  // the answer to a save holds the source's codings and the counts: redraw them at once
  // (the server has started the analysis); lists that can wait are asked for after it
  const analysis = loadAnalysis();
  for (const s of S.state.sources) s.codings = saved.counts[s.id] || 0;
  if (S.source && saved.source === S.source.id) {
    S.source.codings = saved.codings;
    for (const r of S.source.codings) { r.start = Number(r.start); r.end = Number(r.end); }
    renderText();
    renderSources();
    if (focus) flash(focus.start, focus.end);
  }
  showSelection();
  await analysis;
  await Promise.all([loadHistory(), loadAgreement()]);
}

async function afterChange(focus) {
  // the analysis runs on the server while the page reloads the source and the lists
  const id = S.source && S.source.id;
  const analysis = loadAnalysis();
  await loadState();
  if (id) await openSource(id, focus);
  showSelection();
  await Promise.all([analysis, loadHistory(), loadAgreement()]);
}

function onKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = ev.target.tagName;
  if (tag === "INPUT" || tag === "TEXTAREA") {
    if (ev.key === "Escape") ev.target.blur();
    return;
  }
  if (!S.selection && !S.editing) return;
  const key = ev.key.toLowerCase();
  let handled = true;
  if (KEYS[key]) cycle(KEYS[key], ev.shiftKey ? -1 : 1);
  else if (["0", "1", "2", "3"].includes(ev.key)) $("#f-intensity").value = ev.key;
  else if (key === "x") swap();
  else if (key === "n") $("#f-note").focus();
  else if (ev.key === "Enter") save();
  else if (ev.key === "Escape") cancel();
  else if (ev.key === "Delete") remove();
  else handled = false;
  if (handled) ev.preventDefault();
}

function swap() {
  const d = $("#f-dependent").value;
  $("#f-dependent").value = $("#f-provider").value;
  $("#f-provider").value = d;
}

function renderCodebook() {
  const dl = $("#codebook-list");
  dl.replaceChildren();
  for (const g of S.state.codebook) {
    dl.append(el("dt", {}, LANG === "zh" ? `${g.zh} (${g.group})` : g.group), el("dd", {}, LANG === "zh" ? g.help_zh : g.help_en));
    const key = g.group.toLowerCase();
    const list = S.state.vocab[key === "evidence" ? "evidence" : key];
    if (list) dl.append(el("dd", { class: "terms" }, list.map((t) => (LANG === "zh" ? `${t.zh}（${t.id}）` : t.id)).join(" · ")));
  }
}

// ---------------------------------------------------------------- results
async function loadAnalysis() {
  const t0 = performance.now();
  $("#analysis-status").textContent = T.analysing;
  const res = await api("GET", "/api/analysis");
  if (!res.ok || res.data.error) { $("#analysis-status").textContent = (res.data && res.data.error) || res.status; return; }
  S.analysis = res.data;
  renderResults();
  const ms = Math.round(performance.now() - t0);
  const note = res.data.empty ? T.no_codings : `${T.analysed} ${ms} ms (${res.data.draws} ${T.draws})`;
  $("#analysis-status").textContent = note;
  document.body.setAttribute("data-analysed", res.data.revision);
}

function renderResults() {
  const A = S.analysis;
  for (const id of ["#networks", "#trajectory", "#cards", "#stages", "#diagnostics"]) $(id).replaceChildren();
  if (A.empty) return;
  for (const stage of STAGE_ORDER) $("#networks").append(network(stage, A.networks[stage] || []));
  $("#trajectory").append(trajectory(A));
  for (const r of A.relationships) $("#cards").append(card(r));
  $("#stages").append(table(A.stages, (row) => ({ stage: row.stage, dyad: [row.agency, row.government] })));
  $("#diagnostics").append(table(A.diagnostics, (row) => ({ scope: row.scope, measure: row.measure })));
}

function network(stage, edges) {
  const actors = S.state.actors;
  const W = 380, H = 330, cx = W / 2, cy = H / 2 - 4, R = 120;
  const pos = {};
  actors.forEach((a, i) => {
    const ang = -Math.PI / 2 + (2 * Math.PI * i) / actors.length;
    pos[a.id] = [cx + R * Math.cos(ang), cy + R * Math.sin(ang)];
  });
  const box = el("figure", { class: "network", "data-stage": stage, "data-edges": edges.length });
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
  const defs = svg("defs");
  const marker = svg("marker", { id: `arrow-${stage}`, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: `arrowhead stage-${stage}` }));
  defs.append(marker);
  g.append(defs);
  for (const e of edges) {
    const [x1, y1] = pos[e.dependent], [x2, y2] = pos[e.provider];
    const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy) || 1;
    const off = 5; // two directions side by side
    const nx = (-dy / len) * off, ny = (dx / len) * off;
    const sx = x1 + (dx / len) * 16 + nx, sy = y1 + (dy / len) * 16 + ny;
    const tx = x2 - (dx / len) * 16 + nx, ty = y2 - (dy / len) * 16 + ny;
    const line = svg("line", {
      x1: sx, y1: sy, x2: tx, y2: ty, class: `edge stage-${stage}`, "stroke-width": 1 + 4 * (e.d || 0),
      "marker-end": `url(#arrow-${stage})`, "data-dependent": e.dependent, "data-provider": e.provider, "data-d": (e.d || 0).toFixed(3),
    });
    const tip = svg("title", {}, `${actorName(e.dependent)} → ${actorName(e.provider)}: D = ${fmt(e.d, 3)}`);
    line.append(tip);
    line.addEventListener("click", () => showQuotes({ stage, dependent: e.dependent, provider: e.provider }, tip.textContent));
    g.append(line);
    const label = svg("text", { x: (sx + tx) / 2 + nx, y: (sy + ty) / 2 + ny, class: "edge-label" }, fmt(e.d, 2));
    label.addEventListener("click", () => showQuotes({ stage, dependent: e.dependent, provider: e.provider }, tip.textContent));
    g.append(label);
  }
  for (const a of actors) {
    const [x, y] = pos[a.id];
    const node = svg("g", { class: `node ${a.government ? "gov" : a.agency ? "agency" : "other"}`, "data-actor": a.id });
    const below = y >= cy;  // labels outside the ring
    node.append(svg("circle", { cx: x, cy: y, r: 14 }), svg("text", { x, y: below ? y + 28 : y - 19, class: "node-label" }, actorName(a.id)));
    g.append(node);
  }
  box.append(g, el("figcaption", {}, term("stage", stage)));
  return box;
}

function trajectory(A) {
  const dyadCount = new Set(A.stages.map((r) => `${r.agency}|${r.government}`)).size;
  const W = 520, H = Math.max(240, 40 + dyadCount * 15), L = 40, B = 30, top = 10;
  const x = (i) => L + (i * (W - L - 190)) / 2;
  const y = (v) => top + ((1 - v) / 2) * (H - top - B);
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
  g.append(svg("line", { x1: L, y1: y(0), x2: W - 10, y2: y(0), class: "axis" }));
  for (const v of [-1, -0.5, 0, 0.5, 1]) g.append(svg("text", { x: L - 6, y: y(v) + 4, class: "tick" }, v));
  STAGE_ORDER.forEach((s, i) => g.append(svg("text", { x: x(i), y: H - 8, class: "tick mid" }, term("stage", s))));
  const ranges = A.stage_intervals || [];
  const dyads = [...new Set(A.stages.map((r) => `${r.agency}|${r.government}`))];
  dyads.forEach((key, k) => {
    const [agency, government] = key.split("|");
    const rows = STAGE_ORDER.map((s) => A.stages.find((r) => r.agency === agency && r.government === government && r.stage === s));
    const cls = `dyad dyad-${k % 6}`;
    g.append(svg("circle", { cx: W - 150, cy: 14 + k * 15, r: 4, class: cls }));
    g.append(svg("text", { x: W - 142, y: 18 + k * 15, class: "legend" }, `${actorName(agency)} – ${actorName(government)}`));
    const pts = rows.map((r, i) => (r ? `${x(i)},${y(r.pa)}` : null)).filter(Boolean);
    g.append(svg("polyline", { points: pts.join(" "), class: cls, fill: "none" }));
    rows.forEach((r, i) => {
      if (!r) return;
      const iv = ranges.find((q) => q.agency === agency && q.government === government && q.stage === r.stage) || {};
      const lo = r.pa_lo ?? iv.pa_lo ?? iv.pa_p05, hi = r.pa_hi ?? iv.pa_hi ?? iv.pa_p95;
      if (lo !== undefined && hi !== undefined && lo !== null && hi !== null) {
        g.append(svg("line", { x1: x(i) + k * 3, x2: x(i) + k * 3, y1: y(lo), y2: y(hi), class: `${cls} range` }));
      }
      const dot = svg("circle", { cx: x(i) + k * 3, cy: y(r.pa), r: 4, class: cls, "data-pa": r.pa });
      const tip = svg("title", {}, `${actorName(agency)} – ${actorName(government)}, ${term("stage", r.stage)}: PA ${fmt(r.pa, 2)}${lo !== undefined ? ` [${fmt(lo, 2)}, ${fmt(hi, 2)}]` : ""}`);
      dot.append(tip);
      dot.addEventListener("click", () => showQuotes({ stage: r.stage, dyad: [agency, government] }, tip.textContent));
      g.append(dot);
    });
  });
  return g;
}

function card(r) {
  const iv = (S.analysis.intervals || []).find((q) => q.agency === r.agency && q.government === r.government) || {};
  const dyad = [r.agency, r.government];
  const title = `${actorName(r.agency)} – ${actorName(r.government)}`;
  const label = el("a", { href: "#", class: `label label-${r.label}`, onclick: (ev) => { ev.preventDefault(); showQuotes({ dyad }, title); } }, term("label", r.label) || r.label);
  const box = el("div", { class: "card", "data-agency": r.agency, "data-government": r.government, "data-label": r.label },
    el("h4", {}, title), label);
  if ("p_label" in r) box.append(el("span", { class: "p" }, ` P = ${fmt(r.p_label, 2)}`));
  if ("settled" in r) box.append(el("span", { class: r.settled ? "settled" : "unsettled" }, ` ${r.settled ? T.settled : T.unsettled}`));
  if ("missing_evidence" in r && r.missing_evidence) box.append(el("p", { class: "missing" }, String(r.missing_evidence)));
  const ul = el("ul", {});
  for (const lab of ["partnership", "buddy", "transactional"]) {
    const p = r[`p_${lab}`];
    if (p === undefined) continue;
    const mu = r[`mu_${lab}`];
    const lo = iv[`mu_${lab}_p05`] ?? iv[`mu_${lab}_lo`], hi = iv[`mu_${lab}_p95`] ?? iv[`mu_${lab}_hi`];
    ul.append(el("li", {}, `${term("label", lab) || lab}: P ${Number(p).toFixed(2)}${mu !== undefined ? ` · μ ${fmt(mu, 2)}` : ""}${lo !== undefined && lo !== null ? ` [${fmt(lo, 2)}, ${fmt(hi, 2)}]` : ""}`));
  }
  box.append(ul);
  const movers = el("ol", { class: "movers" });
  const ask = el("button", { type: "button", class: "what-moves", onclick: () => whatMoves(r, movers, ask) }, T.what_moves);
  if (r.label !== "undetermined") box.append(ask, movers);
  return box;
}

// The leave-one-out of the pipeline (the slow part of `resdep analyze`), asked for on demand.
async function whatMoves(r, list, button) {
  button.disabled = true;
  list.replaceChildren(el("li", { class: "meta" }, T.analysing));
  const params = new URLSearchParams({ agency: r.agency, government: r.government });
  const res = await api("GET", `/api/influence?${params}`);
  button.disabled = false;
  list.replaceChildren();
  if (!res.ok) { list.append(el("li", { class: "error" }, res.data.error || res.status)); return; }
  if (!res.data.influence.length) { list.append(el("li", { class: "meta" }, T.nothing_moves)); return; }
  for (const m of res.data.influence) {
    list.append(el("li", { "data-row": m.row },
      `#${m.row} ${m.what}: P ${fmt(m.p_label_all, 2)} → ${fmt(m.p_label_without, 2)} ${T.without_it}`));
  }
  list.setAttribute("data-loaded", "1");
}

function table(rows, filterOf) {
  if (!rows.length) return el("p", {}, "–");
  const cols = Object.keys(rows[0]);
  const t = el("table", {});
  t.append(el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", {}, c)))));
  const body = el("tbody", {});
  for (const row of rows) {
    const tr = el("tr", {});
    for (const c of cols) {
      const v = row[c];
      if (typeof v === "number") {
        tr.append(el("td", { class: "num" }, el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); showQuotes(filterOf(row), `${c} = ${fmt(v, 3)}`); } }, fmt(v, 3))));
      } else tr.append(el("td", {}, v === null ? "–" : String(v)));
    }
    body.append(tr);
  }
  t.append(body);
  return t;
}

async function showQuotes(filter, heading) {
  const params = new URLSearchParams();
  if (filter.stage) params.set("stage", filter.stage);
  if (filter.dependent) { params.set("dependent", filter.dependent); params.set("provider", filter.provider); }
  if (filter.dyad) { params.set("agency", filter.dyad[0]); params.set("government", filter.dyad[1]); }
  if (filter.measure) { params.set("scope", filter.scope); params.set("measure", filter.measure); }
  const res = await api("GET", `/api/quotes?${params}`);
  if (!res.ok) { status(res.data.error, "error"); return; }
  const hit = res.data.quotes;
  const ol = $("#quote-list");
  ol.replaceChildren(el("li", { class: "heading" }, `${heading} (${hit.length})`));
  for (const q of hit) {
    ol.append(el("li", { "data-row": q.row },
      el("a", { href: "#", onclick: (e) => { e.preventDefault(); openSource(q.source, { start: q.start, end: q.end }); } }, `“${q.quote}”`),
      el("span", { class: "meta" }, ` ${q.source} ${q.start}–${q.end} · ${q.informant || q.evidence} · ${tieText(Object.assign({}, q, { intensity: q.intensity ?? "" }))}`)));
  }
  ol.scrollIntoView({ block: "nearest" });
}

// ---------------------------------------------------------------- history, agreement, uploads
async function loadHistory() {
  const res = await api("GET", "/api/history");
  const ol = $("#history-list");
  ol.replaceChildren();
  if (!res.ok) return;
  for (const h of res.data.versions.slice(0, 30)) {
    ol.append(el("li", { "data-name": h.name }, `${h.saved} · ${h.rows} ${T.rows} `,
      el("button", { type: "button", onclick: () => restore(h.name) }, T.restore)));
  }
}

async function restore(name) {
  const res = await api("POST", "/api/history/restore", { name, revision: S.rev });
  if (!res.ok) return refused(res);
  S.rev = res.data.revision;
  status(T.restored, "ok");
  await afterChange();
}

async function loadAgreement() {
  const box = $("#agreement");
  const res = await api("GET", "/api/agreement");
  box.replaceChildren();
  if (!res.ok) { box.append(el("p", { class: "error" }, res.data.error)); return; }
  if (res.data.coders.length < 2) { box.append(el("p", {}, T.one_coder)); return; }
  box.append(el("p", {}, res.data.coders.map((c) => c || "main").join(" · ")));
  const rows = res.data.table.map((r) => ({ measure: r.measure, family: r.family, n: r.n, value: r.value }));
  box.append(table(rows, () => ({})));
  for (const f of res.data.flags) box.append(el("p", { class: "flag" }, f.message));
  box.append(el("h3", {}, T.disagreements));
  for (const p of res.data.pairs) {
    box.append(el("div", { class: "pair" },
      ...[p.a, p.b].map((c) => el("div", {}, el("strong", {}, c.coder), " ",
        el("a", { href: "#", onclick: (e) => { e.preventDefault(); openSource(p.source, c); } }, `“${c.quote}”`),
        el("div", { class: "meta" }, tieText(c))))));
  }
}

async function upload(ev) {
  ev.preventDefault();
  const form = new FormData($("#upload-form"));
  const res = await api("POST", "/api/sources", form);
  if (!res.ok) return refused(res);
  status(`${res.data.id}: ${res.data.described}`, "ok");
  await loadState();
  await openSource(res.data.id);
}

async function setLang(lang) {
  await api("POST", "/api/lang", { lang });
  location.reload();
}

async function setCoder(ev) {
  ev.preventDefault();
  const res = await api("POST", "/api/coder", { coder: $("#coder-name").value.trim() });
  if (!res.ok) return refused(res);
  location.reload();
}

// ---------------------------------------------------------------- start
document.addEventListener("keydown", onKey);
$("#text").addEventListener("mouseup", onSelect);
$("#text").addEventListener("keyup", onSelect);
$("#text").addEventListener("click", (ev) => {
  const span = ev.target.closest && ev.target.closest("span[data-rows]");
  if (!span || !window.getSelection().isCollapsed) return;
  const row = Number(span.dataset.rows.split(",")[0]);
  const r = S.source.codings.find((c) => c.row === row);
  if (r) edit(r);
});
$("#coding-form").addEventListener("submit", (ev) => { ev.preventDefault(); save(); });
$("#f-kind").addEventListener("change", () => { valuesFor($("#f-kind").value); showFields(); });
$("#delete").addEventListener("click", remove);
$("#cancel").addEventListener("click", cancel);
$("#swap").addEventListener("click", swap);
$("#upload-form").addEventListener("submit", upload);
$("#coder-form").addEventListener("submit", setCoder);
$("#person-form").addEventListener("submit", savePerson);
$("#p-table").addEventListener("change", personFields);
$("#p-new").addEventListener("click", newPerson);
for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => setLang(b.dataset.lang));

(async () => {
  if (!(await loadState())) return;
  const rest = Promise.all([loadAnalysis(), loadHistory(), loadAgreement()]);
  if (S.state.sources.length) await openSource(S.state.sources[0].id);
  await rest;
  document.body.setAttribute("data-ready", "1");
})();
