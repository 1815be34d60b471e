// The download list, the MAST Portal's Download Manager done right: the API's `downloadList`
// (so scripts and `mastgraph download-list` get what the page shows), "Minimum Recommended
// Products" checked by default, filters by level, product type and suffix, a checkbox per file,
// counts and total size, exports as a MAST URI list, a curl script and CSV.
import { graphql } from "./api.js";
import { DOWNLOAD_LIST } from "./queries.js";
import { esc, humanSize } from "./picture.js";

export function saveFile(name, text, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

const facet = (name, key, values, chosen) => `<fieldset class="facet"><legend>${name}</legend>
  ${values.map((value) => `<label><input type="checkbox" data-facet="${key}" value="${esc(value)}"${chosen.has(value) ? " checked" : ""}> ${esc(value)}</label>`).join("")}</fieldset>`;

export class DownloadPanel {
  constructor(container, { onError, onStatus }) {
    Object.assign(this, { container, onError, onStatus });
    this.mrp = true;
    this.filters = { levels: new Set(), productTypes: new Set(), suffixes: new Set() };
    this.unchecked = new Set();
    this.answer = null;
    container.addEventListener("change", (event) => this.changed(event.target));
    container.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-export]");
      if (button) this.export(button.dataset.export);
    });
  }

  // A new lineage: facets from its products; the list is fetched when the tab is shown.
  reset(lineage) {
    this.lineage = lineage;
    this.filters = { levels: new Set(), productTypes: new Set(), suffixes: new Set() };
    this.unchecked = new Set();
    this.answer = null;
    this.stale = true;
  }

  async show() {
    if (this.stale) await this.fetch();
  }

  async fetch() {
    this.stale = false;
    const lineage = this.lineage;
    const none = (set) => (set.size ? [...set] : null);
    this.renderShell(true);
    try {
      const data = await graphql(DOWNLOAD_LIST, { id: lineage.start, direction: lineage.direction, all: !this.mrp,
        levels: none(this.filters.levels), productTypes: none(this.filters.productTypes), suffixes: none(this.filters.suffixes) });
      if (lineage !== this.lineage) return;
      this.answer = data.downloadList;
      this.unchecked = new Set();
      this.renderShell(false);
    } catch (error) {
      this.onError(error);
    }
  }

  changed(target) {
    if (target.id === "mrp-only") { this.mrp = target.checked; this.fetch(); }
    else if (target.dataset.facet) {
      const set = this.filters[target.dataset.facet];
      if (target.checked) set.add(target.value); else set.delete(target.value);
      this.fetch();
    } else if (target.dataset.file) {
      if (target.checked) this.unchecked.delete(target.dataset.file); else this.unchecked.add(target.dataset.file);
      this.renderSummary();
    } else if (target.id === "all-files") {
      this.unchecked = target.checked ? new Set() : new Set(this.answer.files.map((f) => f.uri));
      for (const box of this.container.querySelectorAll("input[data-file]")) box.checked = target.checked;
      this.renderSummary();
    }
  }

  chosen() {
    return this.answer ? this.answer.files.filter((file) => !this.unchecked.has(file.uri)) : [];
  }

  renderSummary() {
    const files = this.chosen();
    const size = files.reduce((sum, file) => sum + (file.size || 0), 0);
    const summary = this.container.querySelector("#download-summary");
    if (summary) summary.textContent = `${files.length.toLocaleString("en")} of ${this.answer.count.toLocaleString("en")} files chosen, ${humanSize(size)} (all listed: ${humanSize(this.answer.totalSize)})`;
  }

  renderShell(loading) {
    const products = this.lineage ? [...this.lineage.products.values()] : [];
    const values = (key) => [...new Set(products.map((p) => p[key]).filter((v) => v != null && v !== ""))].sort();
    const files = this.answer ? this.answer.files : [];
    this.container.innerHTML = `
      <div class="download-filters">
        <label class="mrp"><input type="checkbox" id="mrp-only"${this.mrp ? " checked" : ""}> Minimum Recommended Products</label>
        <p class="muted">Unchecked: the raw, intermediate and ancillary files of the lineage too.</p>
        ${facet("Level", "levels", values("level"), this.filters.levels)}
        ${facet("Product type", "productTypes", values("productType"), this.filters.productTypes)}
        ${facet("Suffix", "suffixes", values("suffix"), this.filters.suffixes)}
      </div>
      <div class="download-list">
        <div class="download-tools" role="toolbar" aria-label="Export the chosen files">
          <p id="download-summary" aria-live="polite">${loading ? "loading…" : ""}</p>
          <button data-export="uris">MAST URI list</button><button data-export="curl">curl script</button><button data-export="csv">CSV</button>
        </div>
        <div class="table-scroll"><table class="files"><caption class="visually-hidden">Files to download</caption>
          <thead><tr><th scope="col"><input type="checkbox" id="all-files" aria-label="Choose every file" checked></th>
          <th scope="col">File</th><th scope="col">Level</th><th scope="col">Type</th><th scope="col">Suffix</th>
          <th scope="col">Size</th><th scope="col">MRP (mastgraph)</th><th scope="col">MRP (MAST)</th><th scope="col">Category</th></tr></thead>
          <tbody>${files.map((f) => `<tr data-uri="${esc(f.uri)}"><td><input type="checkbox" data-file="${esc(f.uri)}" checked aria-label="Choose ${esc(f.filename)}"></td>
            <th scope="row">${esc(f.filename)}</th><td>${esc(f.level ?? "")}</td><td>${esc(f.productType ?? "")}</td><td>${esc(f.suffix ?? "")}</td>
            <td>${humanSize(f.size)}</td><td>${f.mrp ? "yes" : "no"}</td><td>${f.mastMrp ? "yes" : f.mastMrp === false ? "no" : ""}</td><td>${esc(f.category ?? "")}</td></tr>`).join("")}</tbody>
        </table></div>
      </div>`;
    if (!loading && this.answer) this.renderSummary();
  }

  // The API's own text when every file is chosen; else its lines that name a chosen file (and the
  // lines that name no file: headers, comments).
  exportText(format) {
    const text = this.answer[format];
    if (!this.unchecked.size) return text;
    const dropped = this.answer.files.filter((f) => this.unchecked.has(f.uri));
    return text.split("\n").filter((line) => !dropped.some((f) => line.includes(f.uri) || (f.filename && line.includes(f.filename)))).join("\n");
  }

  export(format) {
    if (!this.answer) return;
    const stem = (this.lineage.products.get(this.lineage.start)?.filename || "lineage").replace(/\.[a-z]+$/i, "");
    const names = { uris: [`${stem}_uris.txt`, "text/plain"], curl: [`${stem}_download.sh`, "text/x-shellscript"], csv: [`${stem}_files.csv`, "text/csv"] };
    const [name, type] = names[format];
    const text = this.exportText(format);
    window.mastgraphExplorer.lastExport = { format, name, text };
    saveFile(name, text, type);
    this.onStatus(`saved ${name}`);
  }
}
