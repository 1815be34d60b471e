// The same lineage as a plain table: sortable by its header buttons, copyable as TSV.
import { esc, humanSize } from "./picture.js";
import { qualifier } from "./model.js";

const COLUMNS = [
  ["filename", "File name"], ["level", "Level"], ["suffix", "Suffix"], ["productType", "Product type"],
  ["size", "Size"], ["depth", "Depth"], ["relationship", "Relationship"], ["reachedFrom", "Reached from"],
  ["mastMrp", "MAST MRP"],
];

export function tableRows(lineage, view) {
  const rows = [];
  for (const product of lineage.products.values()) {
    const parent = view.parentOf.get(product.uri);
    const from = parent && lineage.products.get(parent.uri);
    rows.push({
      uri: product.uri, filename: product.filename || product.uri, level: product.level || "", suffix: product.suffix || "",
      productType: product.productType || "", size: product.size ?? null, depth: product.depth,
      relationship: parent ? [parent.edge.type.toLowerCase().replace(/_/g, " "), qualifier(parent.edge)].filter(Boolean).join(" — ") : "start",
      reachedFrom: from ? from.filename || from.uri : "", mastMrp: product.mastMrp == null ? "" : product.mastMrp ? "yes" : "no",
    });
  }
  return rows;
}

export function toTsv(rows) {
  const clean = (value) => String(value ?? "").replace(/[\t\n]/g, " ");
  return [COLUMNS.map(([, name]) => name).join("\t"), ...rows.map((row) => COLUMNS.map(([key]) => clean(row[key])).join("\t"))].join("\n") + "\n";
}

export class LineageTable {
  constructor(container, { onCopy }) {
    this.container = container;
    this.sort = { key: "depth", ascending: true };
    this.rows = [];
    container.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      if (button.dataset.sort) {
        const key = button.dataset.sort;
        this.sort = { key, ascending: this.sort.key === key ? !this.sort.ascending : true };
        this.render();
        container.querySelector(`button[data-sort="${key}"]`).focus();
      } else if (button.dataset.action === "copy-tsv") {
        onCopy(toTsv(this.sorted()), "TSV of the table");
      }
    });
  }

  show(rows) {
    this.rows = rows;
    this.render();
  }

  sorted() {
    const { key, ascending } = this.sort;
    const factor = ascending ? 1 : -1;
    return [...this.rows].sort((a, b) => {
      const x = a[key];
      const y = b[key];
      if (x === y) return a.filename === b.filename ? 0 : a.filename < b.filename ? -1 : 1;
      if (x == null || x === "") return 1;
      if (y == null || y === "") return -1;
      if (typeof x === "number" && typeof y === "number") return (x - y) * factor;
      return (String(x) < String(y) ? -1 : 1) * factor; // code-point order: file names sort as in a listing
    });
  }

  render() {
    const rows = this.sorted();
    const head = COLUMNS.map(([key, name]) => {
      const sort = this.sort.key === key ? (this.sort.ascending ? "ascending" : "descending") : "none";
      return `<th scope="col" aria-sort="${sort}"><button data-sort="${key}">${esc(name)}<span aria-hidden="true">${sort === "ascending" ? " ▲" : sort === "descending" ? " ▼" : ""}</span></button></th>`;
    }).join("");
    const body = rows.map((row) => `<tr>${COLUMNS.map(([key]) => {
      const value = key === "size" ? humanSize(row.size) : row[key];
      return key === "filename" ? `<th scope="row" title="${esc(row.uri)}">${esc(value)}</th>` : `<td>${esc(value)}</td>`;
    }).join("")}</tr>`).join("");
    this.container.innerHTML = `
      <div class="table-tools"><button data-action="copy-tsv">Copy as TSV</button>
        <span class="muted">${rows.length.toLocaleString("en")} products; sort by a column's header</span></div>
      <div class="table-scroll"><table class="lineage-table"><caption class="visually-hidden">Products of the lineage</caption>
      <thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  }
}
