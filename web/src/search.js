// The find box: suggestions while typing (the API's `search`, debounced, a page at a time, "more"
// fetches the next page), arrow keys to move, Enter to open.
import { graphql } from "./api.js";
import { SEARCH } from "./queries.js";
import { esc } from "./picture.js";

const DEBOUNCE_MS = 180;
const PAGE = 10;
const KIND_NAMES = { PRODUCT: "product", OBSERVATION: "observation", PROGRAM: "program", ASSOCIATION: "association" };

export class FindBox {
  constructor(input, list, { onChoose, onError }) {
    Object.assign(this, { input, list, onChoose, onError });
    this.hits = [];
    this.active = -1;
    this.timer = null;
    this.serial = 0;
    input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.suggest(false), DEBOUNCE_MS);
    });
    input.addEventListener("keydown", (event) => this.key(event));
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    list.addEventListener("mousedown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const item = event.target.closest("[data-index]");
      if (!item) return;
      if (item.dataset.more) this.suggest(true);
      else this.choose(Number(item.dataset.index));
    });
    input.form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (this.active >= 0 && this.active < this.hits.length) this.choose(this.active);
      else if (input.value.trim()) { this.close(); this.onChoose({ key: input.value.trim(), kind: null }); }
    });
  }

  async suggest(more) {
    const text = this.input.value.trim();
    if (text.length < 2) { this.close(); return; }
    const serial = ++this.serial;
    try {
      const data = await graphql(SEARCH, { text, first: PAGE, after: more ? this.cursor : null });
      if (serial !== this.serial) return; // a newer keystroke won
      const page = data.search;
      this.hits = more ? [...this.hits, ...page.hits] : page.hits;
      this.cursor = page.endCursor;
      this.hasMore = page.hasNextPage;
      if (!more) this.active = -1;
      this.show();
    } catch (error) {
      if (serial === this.serial) this.onError(error);
    }
  }

  show() {
    const items = this.hits.map((hit, i) => `<li role="option" id="suggestion-${i}" data-index="${i}" aria-selected="${i === this.active}">
      <span class="kind kind-${hit.kind}">${KIND_NAMES[hit.kind] || hit.kind}</span>
      <span class="label">${esc(hit.label)}</span>${hit.detail ? `<span class="detail">${esc(hit.detail)}</span>` : ""}</li>`);
    if (!this.hits.length) items.push(`<li class="none" role="option" aria-disabled="true">Nothing found</li>`);
    if (this.hasMore) items.push(`<li role="option" data-index="-1" data-more="1" class="more">More results…</li>`);
    this.list.innerHTML = items.join("");
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `suggestion-${this.active}`);
    else this.input.removeAttribute("aria-activedescendant");
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  key(event) {
    if (this.list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const n = this.hits.length;
      if (!n) return;
      this.active = event.key === "ArrowDown" ? (this.active + 1) % n : (this.active - 1 + n) % n;
      this.show();
      if (this.active === n - 1 && this.hasMore) this.suggest(true);
    } else if (event.key === "Escape") {
      this.close();
    }
  }

  choose(index) {
    const hit = this.hits[index];
    if (!hit) return;
    this.input.value = hit.label;
    this.close();
    this.onChoose(hit);
  }
}
