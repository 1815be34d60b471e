// The side panel: a clicked product's properties, MRP (mastgraph's rule and MAST's flag), reference
// files, CRDS context, engineering series, what went into it / what it ended up in (saying when the server's
// page size cut that list), and the buttons to expand one more step either way, to export its PROV and to
// open it in Neo4j Browser.
import { esc, humanSize } from "./picture.js";

const PROPERTIES = [
  ["uri", "URI"], ["level", "Level"], ["suffix", "Suffix"], ["productType", "Product type"], ["subgroup", "Subgroup"],
  ["calibLevel", "calib_level"], ["size", "Size"], ["description", "Description"], ["expType", "EXP_TYPE"],
  ["instrument", "Instrument"], ["opticalElements", "Optical elements"], ["detector", "Detector"],
  ["programId", "Program"], ["observationNumber", "Observation"], ["visit", "Visit"], ["exposure", "Exposure"],
  ["asnId", "Association id"], ["sourceId", "Source id"], ["target", "Target"], ["calVer", "CAL_VER"],
  ["crdsVer", "CRDS_VER"], ["tMin", "Start (MJD)"], ["tMax", "End (MJD)"], ["effexptm", "Exposure time (s)"],
  ["dataRights", "Data rights"],
];

const list = (items, render, empty = "none") =>
  items && items.length ? `<ul class="plain">${items.map((item) => `<li>${render(item)}</li>`).join("")}</ul>` : `<p class="muted">${empty}</p>`;

export function neo4jBrowserLink(config, uri, direction) {
  if (!config || !config.neo4jBrowser || !config.lineageCypher) return null;
  const text = `:param uri => "${uri.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}";\n${config.lineageCypher[direction]}`;
  return `${config.neo4jBrowser}&cmd=edit&arg=${encodeURIComponent(text)}`;
}

export function productPanel(product, detail, { config, direction }) {
  const rows = PROPERTIES.filter(([key]) => product[key] != null || (detail && detail[key] != null)).map(([key, name]) => {
    let value = detail && detail[key] != null ? detail[key] : product[key];
    if (key === "size") value = `${humanSize(value)} (${Number(value).toLocaleString("en")} bytes)`;
    return `<dt>${esc(name)}</dt><dd>${esc(value)}</dd>`;
  });
  const browser = neo4jBrowserLink(config, product.uri, direction);
  const loading = `<p class="muted">loading…</p>`;
  let sections = loading;
  if (detail) {
    const rule = detail.minimumRecommendedFor || [];
    const mast = detail.mastMinimumRecommendedFor || [];
    const inputs = detail.inputs;
    const ends = detail.endProducts;
    // the server lists at most MASTGRAPH_MAX_PAGE_SIZE of them; the connection counts them all
    const endCount = detail.endProductsConnection ? detail.endProductsConnection.totalCount : (ends || []).length;
    sections = `
      <section><h3>Minimum Recommended Products</h3>
        <dl class="props"><dt>mastgraph's rule</dt><dd data-mrp="rule">${rule.length ? `yes, for ${rule.map((o) => esc(o.obsId || o.obsid)).join(", ")}` : "no"}</dd>
        <dt>MAST's flag</dt><dd data-mrp="mast">${detail.mastMrp ? "yes" : detail.mastMrp === false ? "no" : "not listed"}${mast.length ? ` (${mast.map((o) => esc(o.obsId || o.obsid)).join(", ")})` : ""}</dd></dl></section>
      ${detail.observation ? `<section><h3>Observation</h3><p><button class="link" data-open-kind="OBSERVATION" data-open-key="${esc(detail.observation.obsid)}">${esc(detail.observation.obsId || detail.observation.obsid)}</button></p></section>` : ""}
      ${detail.association ? `<section><h3>Made by association</h3><p><button class="link" data-open-kind="ASSOCIATION" data-open-key="${esc(detail.association.name)}">${esc(detail.association.name)}</button> ${esc(detail.association.asnRule || "")}</p></section>` : ""}
      ${inputs ? `<section><h3>What went into it</h3>
        <p>${inputs.exposures.toLocaleString("en")} exposures from ${inputs.observations.length} observations, ${inputs.visits.length} visits, ${inputs.programs.length} programs</p>
        ${list(inputs.observations, (o) => `<button class="link" data-open-kind="OBSERVATION" data-open-key="${esc(o.obsid)}">${esc(o.obsId || o.obsid)}</button>`)}
        <p class="muted">Visits: ${esc(inputs.visits.join(", ") || "none")} · Programs: ${esc(inputs.programs.map((p) => p.programId).join(", ") || "none")}</p></section>` : ""}
      ${ends && ends.length ? `<section><h3>Ended up in (${endCount.toLocaleString("en")} Level-3)</h3>${list(ends, (p) => `<button class="link" data-open-kind="PRODUCT" data-open-key="${esc(p.uri)}">${esc(p.filename || p.uri)}</button>`)}
        ${endCount > ends.length ? `<p class="muted" data-cut="endProducts">the first ${ends.length.toLocaleString("en")} of ${endCount.toLocaleString("en")} listed (the server's page size, MASTGRAPH_MAX_PAGE_SIZE)</p>` : ""}</section>` : ""}
      <section><h3>Reference files (${(detail.referenceFiles || []).length})</h3>${list(detail.referenceFiles, (r) => `${esc(r.name)} <span class="muted">${esc(r.reftype || "")}</span>`)}</section>
      <section><h3>CRDS context</h3><p>${detail.crdsContext ? esc(detail.crdsContext.name) : `<span class="muted">none</span>`}</p></section>
      <section><h3>Engineering series (${(detail.engineering || []).length})</h3>${list(detail.engineering, (e) => `${esc(e.key)} <span class="muted">${e.nSamples ?? ""} samples</span>`)}</section>`;
  }
  return `
    <div class="panel-head"><h2 id="panel-title">${esc(product.filename || product.uri)}</h2>
      <button class="close" data-action="close" aria-label="Close the panel">×</button></div>
    <div class="panel-actions" role="group" aria-label="Expand">
      <button data-action="expand" data-direction="UPSTREAM">Expand upstream one step</button>
      <button data-action="expand" data-direction="DOWNSTREAM">Expand downstream one step</button>
      <button data-action="focus">Show its lineage</button>
      ${browser ? `<a class="button" href="${esc(browser)}" target="_blank" rel="noopener" data-action="neo4j">Open in Neo4j Browser</a>` : ""}
    </div>
    ${browser ? `<p class="muted">Neo4j Browser opens with <code>$uri</code> and the lineage query in its editor: run it once
      (it sets the parameter), then run the query alone to see its rows and graph.</p>` : ""}
    <dl class="props">${rows.join("")}</dl>
    ${sections}`;
}
