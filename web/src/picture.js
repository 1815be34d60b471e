// The lineage picture: one SVG, built as text in one pass (fast for thousands of entities), with
// pan and zoom; every entity is a focusable button (Enter or Space does what a click does).
import { NODE_W, NODE_H } from "./layout.js";
import { LEVEL_NAMES } from "./model.js";

// Each relationship kind in its own style, named in the words of MAST's "Data Product Linkages".
export const RELATIONSHIPS = [
  ["COMPOSITION", "Composition", "an L3 product composed of L2b exposures, by dither, detector, mosaic tile, segment or orientation"],
  ["ANTECEDENT", "Antecedent", "the inputs of a pipeline stage: L1b → L2a → L2b, and the association file"],
  ["MULTIPLICITY", "Multiplicity", "a derived product per source, from its Level-3 association"],
  ["CONTEMPORANEOUS_CALIBRATION", "Contemporaneous calibration", "background, PSF, imprint, lamp or flat exposures taken with the science (its kind)"],
  ["PREREQUISITE", "Prerequisite", "pre-image, confirmation image, target acquisition"],
  ["AGGREGATION", "Aggregation", "ancillary products of the observation (listed in the side panel)"],
  ["LINKED", "Linked", "guide-star products, MSA catalog, previews and cut-outs"],
  ["USED_REFERENCE", "Contributing: reference file", "CRDS calibration reference files used"],
  ["CALIBRATED_UNDER", "Contributing: CRDS context", "the CRDS context the product was calibrated under"],
  ["HAS_ENGINEERING", "Contributing: engineering", "engineering (EDB) series recorded during the exposure"],
];
const RELATIONSHIP_NAMES = Object.fromEntries(RELATIONSHIPS.map(([type, name]) => [type, name]));

const escapeMap = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => escapeMap[c]);

export function shorten(text, max = 30) {
  if (!text || text.length <= max) return text || "";
  const keep = max - 1;
  return `${text.slice(0, Math.ceil(keep * 0.55))}…${text.slice(text.length - Math.floor(keep * 0.45))}`;
}

export function humanSize(bytes) {
  if (bytes == null) return "";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function legendHtml() {
  const items = RELATIONSHIPS.map(([type, name, words]) => `<li><svg width="46" height="12" aria-hidden="true">
    <line x1="2" y1="6" x2="44" y2="6" class="edge e-${type}"/></svg><span><strong>${esc(name)}</strong> — ${esc(words)}</span></li>`);
  const levels = LEVEL_NAMES.map((name) => `<li><span class="swatch node-${name}" aria-hidden="true"></span><span>${name}</span></li>`);
  return `<ul class="legend-edges">${items.join("")}</ul>
    <ul class="legend-nodes">${levels.join("")}
      <li><span class="swatch node-ancillary" aria-hidden="true"></span><span>association file, guide star, MSA, preview</span></li>
      <li><span class="swatch node-group" aria-hidden="true"></span><span>group of siblings (click to expand)</span></li>
      <li><span class="swatch node-contributing" aria-hidden="true"></span><span>reference file, CRDS context, engineering</span></li>
      <li><span class="mrp-tag">MRP</span><span>MAST's Minimum Recommended Products flag</span></li></ul>
    <p class="muted">Arrows run from an input to the product made from it.</p>`;
}

function nodeClass(entity) {
  if (entity.type === "group" || entity.type === "contributing-group") return `node group${entity.contributing ? ` contributing c-${entity.kind}` : ""}`;
  if (entity.type === "collapse") return "node collapse";
  if (entity.contributing) return `node contributing c-${entity.type}`;
  const p = entity.product;
  const level = { "3": "L3", "2b": "L2b", "2a": "L2a", "1b": "L1b" }[p.level];
  return `node ${entity.row == null ? "node-ancillary" : `node-${level || "other"}`}${entity.start ? " start" : ""}`;
}

function entityText(entity) {
  if (entity.type === "group") return [entity.label, `${RELATIONSHIP_NAMES[entity.relationship] || entity.relationship} · click to expand`];
  if (entity.type === "contributing-group") return [entity.label, "contributing · click to expand"];
  if (entity.type === "collapse") return [`▴ collapse ${entity.label}`];
  if (entity.contributing) {
    const what = { reference: "reference file", references: "reference files", crds: "CRDS context",
      engineering: "engineering", multiplicity: "multiplicity of", aggregation: "aggregated by" }[entity.type];
    return [shorten(entity.label, 30), [what, entity.detail].filter(Boolean).join(" · ")];
  }
  const p = entity.product;
  const level = p.level ? `L${p.level}` : (p.productType || "").toLowerCase();
  return [shorten(p.filename || p.uri, 30), [level, p.suffix, humanSize(p.size)].filter(Boolean).join(" · ")];
}

function ariaLabel(entity) {
  if (entity.type === "group" || entity.type === "contributing-group") return `Group of ${entity.label}; expand`;
  if (entity.type === "collapse") return `Collapse the group ${entity.label}`;
  if (entity.contributing) return `${entityText(entity)[1]}: ${entity.label}`;
  const p = entity.product;
  return `${p.filename || p.uri}, level ${p.level || "none"}${p.mastMrp ? ", minimum recommended product" : ""}`;
}

function nodeSvg(entity, selected) {
  const h = entity.type === "collapse" ? 26 : NODE_H;
  const [line1, line2] = entityText(entity);
  const stack = entity.type === "group" || entity.type === "contributing-group"
    ? `<rect x="8" y="-8" width="${NODE_W}" height="${h}" rx="6" class="stack"/><rect x="4" y="-4" width="${NODE_W}" height="${h}" rx="6" class="stack"/>` : "";
  const mrp = entity.product && entity.product.mastMrp ? `<rect x="${NODE_W - 34}" y="${h - 17}" width="28" height="12" rx="2" class="mrp-box"/><text x="${NODE_W - 20}" y="${h - 8}" class="mrp-text" text-anchor="middle">MRP</text>` : "";
  const title = entity.product ? entity.product.uri : entity.label;
  return `<g class="${nodeClass(entity)}${selected ? " selected" : ""}" data-id="${esc(entity.id)}" data-type="${entity.type}" data-kind="${esc(entity.kind)}"
    transform="translate(${entity.x},${entity.y})" tabindex="0" role="button" aria-label="${esc(ariaLabel(entity))}">
    <title>${esc(title)}</title>${stack}<rect width="${NODE_W}" height="${h}" rx="6" class="box"/>${mrp}
    <text x="10" y="${line2 ? 18 : 17}" class="l1">${esc(line1)}</text>${line2 ? `<text x="10" y="34" class="l2">${esc(line2)}</text>` : ""}</g>`;
}

function edgeSvg(edge, entities) {
  const a = entities.get(edge.from); // what was made
  const b = entities.get(edge.to); // what it was made from
  if (!a || !b || a.x == null || b.x == null) return "";
  let d;
  if (a.placedRow === b.placedRow) {
    // beside in one row: a bridge over the row, from the input's top to the product's top
    const x1 = b.x + NODE_W / 2;
    const x2 = a.x + NODE_W / 2 + (b.x < a.x ? -20 : 20);
    const lift = 22 + Math.min(Math.abs(x2 - x1) * 0.06, 40);
    d = `M${x1},${b.y} C${x1},${b.y - lift} ${x2},${a.y - lift} ${x2},${a.y}`;
  } else {
    const down = b.placedRow > a.placedRow; // the input in a lower band than the product
    const x1 = b.x + NODE_W / 2;
    const y1 = down ? b.y : b.y + NODE_H;
    const x2 = a.x + NODE_W / 2;
    const y2 = down ? a.y + NODE_H : a.y;
    const bend = (y2 - y1) / 2;
    d = `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`;
  }
  const label = [RELATIONSHIP_NAMES[edge.type] || edge.type, edge.qualifier, edge.count > 1 ? `×${edge.count}` : ""].filter(Boolean).join(" ");
  const width = edge.count > 1 ? ` style="stroke-width:${Math.min(1.8 + Math.log10(edge.count) * 1.2, 5).toFixed(1)}px"` : "";
  return `<path d="${d}" class="edge e-${edge.type}" marker-end="url(#arrow-${edge.type})"${width}><title>${esc(label)}</title></path>`;
}

export class Picture {
  constructor(container, { onActivate }) {
    this.container = container;
    this.onActivate = onActivate;
    this.transform = { x: 0, y: 0, k: 1 };
    this.view = null;
    container.addEventListener("click", (event) => this.activate(event));
    container.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); this.activate(event); }
    });
    container.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = container.getBoundingClientRect();
      this.zoom(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
    let drag = null;
    container.addEventListener("pointerdown", (event) => {
      if (event.target.closest("[data-id]")) return;
      drag = { x: event.clientX, y: event.clientY, tx: this.transform.x, ty: this.transform.y };
      container.setPointerCapture(event.pointerId);
      container.classList.add("dragging");
    });
    container.addEventListener("pointermove", (event) => {
      if (!drag) return;
      this.transform.x = drag.tx + event.clientX - drag.x;
      this.transform.y = drag.ty + event.clientY - drag.y;
      this.apply();
    });
    const end = () => { drag = null; container.classList.remove("dragging"); };
    container.addEventListener("pointerup", end);
    container.addEventListener("pointercancel", end);
  }

  activate(event) {
    const node = event.target.closest && event.target.closest("[data-id]");
    if (node && this.view) this.onActivate(this.view.entities.get(node.dataset.id));
  }

  render(view, { selected, fit, focus }) {
    this.view = view;
    const parts = [];
    const markers = RELATIONSHIPS.map(([type]) => `<marker id="arrow-${type}" viewBox="0 0 10 10" refX="9" refY="5"
      markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse" class="m-${type}"><path d="M0,1 L10,5 L0,9 z"/></marker>`);
    const b = view.bounds;
    for (const row of view.rows) {
      const name = LEVEL_NAMES[row];
      if (name) parts.push(`<text class="row-label" x="${b.minX - 24}" y="${view.rowY.get(row) + 27}" text-anchor="end">${name}</text>`);
    }
    for (const edge of view.edges) parts.push(edgeSvg(edge, view.entities));
    for (const entity of view.order) parts.push(nodeSvg(entity, entity.id === selected));
    this.container.innerHTML = `<svg class="lineage-svg" xmlns="http://www.w3.org/2000/svg" width="100%" height="100%">
      <defs>${markers.join("")}</defs><g class="viewport">${parts.join("")}</g></svg>`;
    this.viewport = this.container.querySelector(".viewport");
    if (focus) this.focus(focus); else if (fit) this.fit(); else this.apply();
  }

  // The whole picture when it is readable at that scale, else the top of it around `id`, readable.
  focus(id) {
    const rect = this.container.getBoundingClientRect();
    const b = this.view.bounds;
    const whole = Math.min(rect.width / (b.maxX - b.minX + 120), rect.height / (b.maxY - b.minY + 80));
    const entity = this.view.entities.get(id);
    if (whole >= 0.55 || !entity) { this.fit(); return; }
    const k = 0.75;
    this.transform = { k, x: rect.width / 2 - (entity.x + NODE_W / 2) * k, y: 60 - b.minY * k };
    this.apply();
  }

  select(id) {
    for (const node of this.container.querySelectorAll(".node.selected")) node.classList.remove("selected");
    const node = id && this.container.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (node) node.classList.add("selected");
  }

  apply() {
    if (this.viewport) this.viewport.setAttribute("transform", `translate(${this.transform.x},${this.transform.y}) scale(${this.transform.k})`);
  }

  zoom(factor, cx, cy) {
    const rect = this.container.getBoundingClientRect();
    cx ??= rect.width / 2;
    cy ??= rect.height / 2;
    const k = Math.min(Math.max(this.transform.k * factor, 0.02), 4);
    const ratio = k / this.transform.k;
    this.transform = { k, x: cx - (cx - this.transform.x) * ratio, y: cy - (cy - this.transform.y) * ratio };
    this.apply();
  }

  fit() {
    if (!this.view) return;
    const rect = this.container.getBoundingClientRect();
    const b = this.view.bounds;
    const width = b.maxX - b.minX + 120;
    const height = b.maxY - b.minY + 80;
    const k = Math.min(Math.max(Math.min(rect.width / width, rect.height / height), 0.05), 1.2);
    this.transform = { k, x: (rect.width - (b.maxX + b.minX) * k) / 2, y: (rect.height - (b.maxY + b.minY) * k) / 2 };
    this.apply();
  }

  // What is drawn, for tests and scripts: one entry per entity.
  drawn() {
    return [...this.container.querySelectorAll(".node")].map((node) => {
      const entity = this.view.entities.get(node.dataset.id);
      return { id: entity.id, type: entity.type, kind: entity.kind, level: entity.product ? entity.product.level : null,
        uri: entity.product ? entity.product.uri : null, count: entity.count || entity.members.length, label: entity.label || null,
        groupId: entity.groupId || null, members: entity.type === "group" ? entity.members : undefined };
    });
  }
}
