// The lineage explorer: find a product, observation, program or association; see its lineage by
// level; click for details; expand; group; table; download list; PROV and GraphQL hand-off.
// Reads only the public GraphQL API (and /prov/). window.mastgraphExplorer exposes the last render's
// timing and the drawn entities (tests and the benchmark read them).
import "./explorer.css";
import "./token.css";
import { ApiError, graphql, pending, serverConfig } from "./api.js";
import { authFetch } from "./token.js";
import {
  ASSOCIATION_PRODUCTS, EXAMPLES, LINEAGE, OBSERVATION_PRODUCTS, PRODUCT_DETAIL,
  PROGRAM_OBSERVATIONS, RESOLVE_PRODUCT, onScreenDocument,
} from "./queries.js";
import { Lineage, buildView } from "./model.js";
import { layout } from "./layout.js";
import { Picture, esc, legendHtml } from "./picture.js";
import { FindBox } from "./search.js";
import { productPanel } from "./panel.js";
import { LineageTable, tableRows } from "./table.js";
import { DownloadPanel, saveFile } from "./download.js";

const $ = (selector) => document.querySelector(selector);
const DIRECTIONS = { up: "UPSTREAM", down: "DOWNSTREAM" };
const SHORT = { UPSTREAM: "up", DOWNSTREAM: "down" };
const LEVEL_ORDER = { "3": 0, "2b": 1, "2a": 2, "1b": 3 };

const state = {
  config: { neo4jBrowser: null },
  lineage: null,
  view: null,
  expanded: new Set(),
  selected: null,
  tab: "picture",
  threshold: 12,
  key: null,
  kind: null,
};

const api = (window.mastgraphExplorer = {
  lastRender: null,
  renders: 0, // lineages drawn since the page loaded
  lastExport: null,
  busy: false,
  idle: () => !api.busy && pending.count === 0,
  drawn: () => (picture.view ? picture.drawn() : []),
  state,
});

function status(message, error = false) {
  const box = $("#status");
  box.textContent = message;
  box.classList.toggle("error", error);
  clearTimeout(status.timer);
  if (message) status.timer = setTimeout(() => { box.textContent = ""; }, error ? 12000 : 4000);
}

function failed(error) {
  status(error instanceof ApiError ? error.message : `error: ${error.message || error}`, true);
}

async function busy(work) {
  api.busy = true;
  document.body.classList.add("busy");
  try {
    return await work();
  } catch (error) {
    failed(error);
    return undefined;
  } finally {
    api.busy = false;
    document.body.classList.remove("busy");
  }
}

// --- choosing what to show -------------------------------------------------------------------

const best = (products) => [...products].filter(Boolean)
  .sort((a, b) => (LEVEL_ORDER[a.level] ?? 9) - (LEVEL_ORDER[b.level] ?? 9) || (b.calibLevel ?? 0) - (a.calibLevel ?? 0))[0];

async function resolve(key, kind) {
  if (kind === "PRODUCT" || (!kind && key.startsWith("mast:"))) return { uri: key };
  if (kind === "OBSERVATION" || (!kind && /^jw\d{5}(-[oc]\d{3}|\d{6}_)/i.test(key)) || (!kind && /^\d{6,}$/.test(key))) {
    const by = /^\d+$/.test(key) ? { obsid: key } : { obsId: key };
    const obs = (await graphql(OBSERVATION_PRODUCTS, by)).observation;
    if (obs) {
      const pick = best(obs.minimumRecommendedProducts) || best(obs.products.nodes);
      if (pick) return { uri: pick.uri, note: `observation ${obs.obsId || obs.obsid}` };
      throw new ApiError(`observation ${key} has no products`);
    }
    if (kind) throw new ApiError(`no observation ${key}`);
  }
  if (kind === "ASSOCIATION" || (!kind && /_asn$|_(image|spec|coron|ami|tso)[23]_/.test(key))) {
    const asn = (await graphql(ASSOCIATION_PRODUCTS, { name: key })).association;
    if (asn) {
      const pick = best([...asn.products, ...asn.perSourceProducts]);
      if (pick) return { uri: pick.uri, note: `association ${asn.name}` };
      throw new ApiError(`association ${key} made no product that is loaded`);
    }
    if (kind) throw new ApiError(`no association ${key}`);
  }
  if (kind === "PROGRAM" || (!kind && /^(jw)?\d{1,5}$/i.test(key))) {
    const program = (await graphql(PROGRAM_OBSERVATIONS, { id: key.replace(/^jw/i, "") })).program;
    if (program) {
      const combined = program.observations.filter((o) => o.level === "COMBINED" || o.calibLevel === 3);
      for (const obs of [...combined, ...program.observations]) {
        const found = (await graphql(OBSERVATION_PRODUCTS, { obsid: obs.obsid })).observation;
        const pick = found && (best(found.minimumRecommendedProducts) || best(found.products.nodes));
        if (pick) return { uri: pick.uri, note: `program ${program.programId}`, program };
      }
      throw new ApiError(`program ${key} has no products`);
    }
    if (kind) throw new ApiError(`no program ${key}`);
  }
  const product = (await graphql(RESOLVE_PRODUCT, { filename: key })).product;
  if (product) return { uri: product.uri };
  throw new ApiError(`nothing called ${key} is loaded (a product file name or URI, an obs_id, a program or an association name)`);
}

async function open(key, kind, { push = true } = {}) {
  await busy(async () => {
    const found = await resolve(key, kind);
    state.key = key;
    state.kind = kind;
    if (push) {
      const params = new URLSearchParams({ id: key, dir: SHORT[direction()] });
      if (kind) params.set("kind", kind.toLowerCase());
      history.pushState(null, "", `/?${params}`);
    }
    await showLineage(found.uri, direction(), found);
  });
}

function direction() {
  return DIRECTIONS[document.querySelector('input[name="dir"]:checked').value];
}

// --- the lineage -----------------------------------------------------------------------------

async function showLineage(uri, dir, found = {}) {
  const t0 = performance.now();
  const data = await graphql(LINEAGE, { uri, direction: dir });
  const t1 = performance.now();
  if (!data.lineage) throw new ApiError(`no product ${uri}`);
  const lineage = new Lineage(uri, dir);
  lineage.merge(data.lineage);
  lineage.reached = data.lineage.nodes.length;
  state.lineage = lineage;
  state.expanded = new Set();
  state.selected = `p:${uri}`;
  const start = lineage.products.get(uri);
  $("#empty").hidden = true;
  $("#view").hidden = false;
  $("#view-title").textContent = start.filename || uri;
  document.title = `${start.filename || uri} — mastgraph`;
  const nodes = render({ focus: state.selected });
  await nextFrame();
  const t2 = performance.now();
  api.lastRender = { fetchMs: t1 - t0, renderMs: t2 - t1, nodes: lineage.products.size, edges: lineage.edges.length, drawn: nodes };
  api.renders += 1;
  summary(found.note);
  downloads.reset(lineage);
  if (state.tab === "table") showTable();
  if (state.tab === "download") downloads.show();
  if (state.tab === "export") showExport();
  select(state.view.entities.get(state.selected));
}

const nextFrame = () => new Promise((resolveFrame) => requestAnimationFrame(() => setTimeout(resolveFrame, 0)));

function render({ fit = false, focus = null } = {}) {
  state.view = layout(buildView(state.lineage, { threshold: state.threshold, expanded: state.expanded }));
  picture.render(state.view, { selected: state.selected, fit, focus });
  return state.view.order.length;
}

function summary(note) {
  const lineage = state.lineage;
  const groups = state.view.order.filter((e) => e.type === "group").length;
  const word = lineage.direction === "UPSTREAM" ? "made from" : "made into";
  $("#view-summary").textContent = `${lineage.direction.toLowerCase()}: ${(lineage.products.size - 1).toLocaleString("en")} products ${word} it, `
    + `${lineage.edges.length.toLocaleString("en")} relationships; ${state.view.order.length} drawn${groups ? ` (${groups} groups)` : ""}`
    + `${lineage.truncated ? " — truncated by the server's limits" : ""}${note ? ` · from ${note}` : ""}`
    + (api.lastRender ? ` · answer ${api.lastRender.fetchMs.toFixed(0)} ms, drawn in ${api.lastRender.renderMs.toFixed(0)} ms` : "");
}

async function expandStep(uri, dir) {
  await busy(async () => {
    const data = await graphql(LINEAGE, { uri, direction: dir, maxDepth: 1 });
    const added = state.lineage.merge(data.lineage);
    state.lineage.expansions.push({ uri, direction: dir, limit: data.lineage.nodes.length });
    // what the step reached is shown, not folded back into a group
    for (const entity of state.view.order) if (entity.type === "group" && entity.members.includes(uri)) state.expanded.add(entity.id);
    render();
    refreshTabs();
    summary();
    status(added ? `${added} more products ${dir === "UPSTREAM" ? "upstream" : "downstream"}` : "nothing more that way");
  });
}

function refreshTabs() {
  downloads.reset(state.lineage);
  if (state.tab === "table") showTable();
  if (state.tab === "download") downloads.show();
  if (state.tab === "export") showExport();
}

function toggleGroup(groupId, expand) {
  const t0 = performance.now();
  if (expand) state.expanded.add(groupId); else state.expanded.delete(groupId);
  const nodes = render();
  api.lastRender = { ...api.lastRender, expandMs: performance.now() - t0, drawn: nodes };
  summary();
  const focusId = expand ? `c:${groupId}` : groupId;
  const node = document.querySelector(`[data-id="${CSS.escape(focusId)}"]`);
  if (node) node.focus({ preventScroll: true });
}

// --- the side panel --------------------------------------------------------------------------

async function select(entity) {
  if (!entity) return;
  const panel = $("#panel");
  if (entity.type === "group") { toggleGroup(entity.id, true); return; }
  if (entity.type === "collapse") { toggleGroup(entity.groupId, false); return; }
  if (entity.type === "contributing-group") { toggleGroup(entity.groupId, true); return; }
  if (entity.contributing) { status(`${entity.type}: ${entity.label}`); return; }
  state.selected = entity.id;
  picture.select(entity.id);
  const product = entity.product;
  panel.hidden = false;
  panel.innerHTML = productPanel(product, state.lineage.details.get(product.uri), { config: state.config, direction: state.lineage.direction });
  let detail = state.lineage.details.get(product.uri);
  if (!detail) {
    detail = await productDetail(product.uri);
    if (!detail || state.selected !== entity.id) return;
    state.lineage.details.set(product.uri, detail);
    panel.innerHTML = productPanel(product, detail, { config: state.config, direction: state.lineage.direction });
    render({ focus: entity.start ? entity.id : null }); // its reference files, CRDS context and engineering beside it
  }
}

async function productDetail(uri) {
  try {
    return (await graphql(PRODUCT_DETAIL, { uri })).product;
  } catch (error) {
    failed(error);
    return null;
  }
}

function panelClick(event) {
  const button = event.target.closest("button");
  if (!button) return;
  const action = button.dataset.action;
  const entity = state.view.entities.get(state.selected);
  if (action === "close") { $("#panel").hidden = true; return; }
  if (button.dataset.openKey) { open(button.dataset.openKey, button.dataset.openKind); return; }
  if (!entity || !entity.product) return;
  if (action === "expand") expandStep(entity.product.uri, button.dataset.direction);
  if (action === "focus") open(entity.product.uri, "PRODUCT");
}

// --- tabs: table, download, export -----------------------------------------------------------

function showTab(name) {
  state.tab = name;
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const on = tab.id === `tab-${name}`;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`#${tab.getAttribute("aria-controls")}`).hidden = !on;
  }
  if (!state.lineage) return;
  if (name === "table") showTable();
  if (name === "download") downloads.show();
  if (name === "export") showExport();
  if (name === "picture") picture.fit();
}

function showTable() {
  table.show(tableRows(state.lineage, state.view));
}

function onScreen() {
  const lineage = state.lineage;
  return onScreenDocument(lineage.start, lineage.direction, lineage.expansions.slice(0, 29), lineage.reached);
}

function showExport() {
  const uri = state.lineage.start;
  const prov = ["json", "provn", "xml", "dot"].map((format) => `<li><button data-prov="${format}">PROV-${format.toUpperCase()}</button>
    <a href="/prov/${encodeURIComponent(uri)}?format=${format}" target="_blank" rel="noopener">open</a></li>`).join("");
  const document_ = onScreen();
  $("#pane-export").innerHTML = `
    <section><h2>W3C PROV of this lineage</h2><ul class="plain prov">${prov}</ul></section>
    <section><h2>Copy as GraphQL</h2><p>The request that fetches what is on screen (the lineage and each expansion).</p>
      <div class="export-tools"><button data-action="copy-graphql">Copy as GraphQL</button>
      <a class="button" href="/graphql#${new URLSearchParams({ query: document_ })}" target="_blank" rel="noopener" id="open-graphiql">Open in GraphiQL</a></div>
      <pre class="graphql" tabindex="0" aria-label="GraphQL request"><code>${esc(document_)}</code></pre></section>`;
}

async function exportClick(event) {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.dataset.action === "copy-graphql") copy(onScreen(), "the GraphQL request");
  if (button.dataset.prov) {
    const format = button.dataset.prov;
    await busy(async () => {
      const response = await authFetch(`/prov/${encodeURIComponent(state.lineage.start)}?format=${format}`);
      if (!response.ok) throw new ApiError(`PROV export answered HTTP ${response.status}`);
      const stem = (state.lineage.products.get(state.lineage.start).filename || "lineage").replace(/\.[a-z]+$/i, "");
      saveFile(`${stem}.prov.${format === "xml" ? "xml" : format}`, await response.text());
    });
  }
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    status(`copied ${what}`);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    status(ok ? `copied ${what}` : `could not copy ${what}`, !ok);
  }
  api.lastCopy = text;
}

// --- the empty page --------------------------------------------------------------------------

async function examples() {
  try {
    const hits = (await graphql(EXAMPLES)).examples;
    $("#examples").innerHTML = hits.length ? hits.map((hit) => `<li><button class="example" data-key="${esc(hit.key)}" data-kind="${hit.kind}">
      <span class="kind kind-${hit.kind}">${hit.kind.toLowerCase()}</span> ${esc(hit.label)}</button>${hit.detail ? ` <span class="muted">${esc(hit.detail)}</span>` : ""}</li>`).join("")
      : `<li class="muted">no data loaded yet (mastgraph ingest, or mastgraph demo)</li>`;
  } catch (error) {
    $("#examples").innerHTML = `<li class="muted">${esc(error.message)}</li>`;
  }
}

function fromUrl() {
  const params = new URLSearchParams(location.search);
  const dir = params.get("dir") === "down" ? "down" : "up";
  document.querySelector(`input[name="dir"][value="${dir}"]`).checked = true;
  const id = params.get("id");
  if (id) {
    $("#find").value = id;
    open(id, params.get("kind") ? params.get("kind").toUpperCase() : null, { push: false });
  } else {
    $("#empty").hidden = false;
    $("#view").hidden = true;
    $("#panel").hidden = true;
  }
}

// --- wiring ----------------------------------------------------------------------------------

const picture = new Picture($("#picture"), { onActivate: (entity) => select(entity) });
const table = new LineageTable($("#pane-table"), { onCopy: copy });
const downloads = new DownloadPanel($("#pane-download"), { onError: failed, onStatus: status });
new FindBox($("#find"), $("#suggestions"), { onChoose: (hit) => open(hit.key, hit.kind), onError: failed });

$("#legend").innerHTML = legendHtml();
$("#panel").addEventListener("click", panelClick);
$("#pane-export").addEventListener("click", exportClick);
$("#examples").addEventListener("click", (event) => {
  const button = event.target.closest("button.example");
  if (button) { $("#find").value = button.textContent.trim(); open(button.dataset.key, button.dataset.kind); }
});
for (const radio of document.querySelectorAll('input[name="dir"]')) {
  radio.addEventListener("change", () => {
    if (state.key) open(state.key, state.kind);
  });
}
for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener("click", () => showTab(tab.id.slice(4)));
  tab.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    const next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    showTab(next.id.slice(4));
  });
}
$("#zoom-in").addEventListener("click", () => picture.zoom(1.25));
$("#zoom-out").addEventListener("click", () => picture.zoom(0.8));
$("#zoom-fit").addEventListener("click", () => picture.fit());
$("#group-threshold").addEventListener("change", (event) => {
  const value = Number(event.target.value);
  if (Number.isInteger(value) && value >= 2) {
    state.threshold = value;
    if (state.lineage) { render({ fit: true }); summary(); }
  }
});
window.addEventListener("popstate", fromUrl);

serverConfig().then((config) => { state.config = config; }).catch(() => {});
examples();
fromUrl();
