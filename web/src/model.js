// The lineage on screen: the products and relationships fetched so far (the walk and each
// expansion), and the drawn view built from them, with large fan-outs grouped.

export const LEVEL_ROWS = { "3": 0, "2b": 1, "2c": 1, "2a": 2, "2": 1, "1b": 3, "1": 3 };
export const LEVEL_NAMES = ["L3", "L2b", "L2a", "L1b"];
const ANCILLARY = ["AssociationFile", "PoolFile", "GuideStar", "MsaFile", "Catalog", "Preview"];
const ANCILLARY_NAMES = { AssociationFile: "association file", PoolFile: "pool file", GuideStar: "guide star",
  MsaFile: "MSA file", Catalog: "catalog", Preview: "preview" };

export function ancillaryLabel(product) {
  return (product.labels || []).find((label) => ANCILLARY.includes(label)) || null;
}

// The kind siblings are grouped by: the ancillary kind, else the file suffix.
export function kindOf(product) {
  const ancillary = ancillaryLabel(product);
  if (ancillary) return ANCILLARY_NAMES[ancillary];
  return product.suffix || "product";
}

// Row of the picture: L3 at the top, then L2b, L2a, L1b; null for files beside the levels.
export function levelRow(product) {
  if (ancillaryLabel(product)) return null;
  if (product.level != null && product.level in LEVEL_ROWS) return LEVEL_ROWS[product.level];
  if (product.calibLevel === 3) return 0;
  if (product.calibLevel === 2) return 1;
  if (product.calibLevel === 1) return 3;
  return null;
}

export function qualifier(edge) {
  const p = edge.properties || {};
  return p.by || p.kind || "";
}

export class Lineage {
  constructor(start, direction) {
    this.start = start;
    this.direction = direction; // "UPSTREAM" | "DOWNSTREAM"
    this.products = new Map();
    this.edges = [];
    this.edgeKeys = new Set();
    this.expansions = []; // {uri, direction, limit: the products the step reached}
    this.reached = 0; // the products the first walk reached
    this.truncated = false;
    this.details = new Map(); // uri -> product detail (reference files, CRDS context, engineering ...)
    this.adjacency = null;
  }

  merge(walk) {
    let added = 0;
    for (const node of walk.nodes) {
      if (!this.products.has(node.product.uri)) added += 1;
      this.products.set(node.product.uri, { ...node.product, depth: node.depth });
    }
    for (const edge of walk.edges) {
      const key = `${edge.from}\u0000${edge.to}\u0000${edge.type}`;
      if (this.edgeKeys.has(key)) continue;
      this.edgeKeys.add(key);
      this.edges.push(edge);
    }
    this.truncated = this.truncated || walk.truncated;
    this.adjacency = null;
    return added;
  }

  neighbours() {
    if (!this.adjacency) {
      const adjacency = new Map();
      const add = (uri, item) => {
        let list = adjacency.get(uri);
        if (!list) adjacency.set(uri, (list = []));
        list.push(item);
      };
      for (const edge of this.edges) {
        add(edge.from, { uri: edge.to, edge, way: "UPSTREAM" });
        add(edge.to, { uri: edge.from, edge, way: "DOWNSTREAM" });
      }
      this.adjacency = adjacency;
    }
    return this.adjacency;
  }
}

// The drawn view: entities (a product, a group of siblings, a contributing file, a "collapse"
// handle) placed later by layout.js, and the drawn edges between them (one per entity pair and type).
export function buildView(lineage, { threshold, expanded }) {
  const entities = new Map();
  const entityOf = new Map(); // product uri -> entity id
  const parentOf = new Map(); // product uri -> {uri, edge}
  const order = [];
  const adjacency = lineage.neighbours();
  const add = (entity) => {
    entities.set(entity.id, entity);
    order.push(entity);
    for (const uri of entity.members) entityOf.set(uri, entity.id);
    return entity;
  };
  const productEntity = (uri, parent, extra = {}) => {
    const product = lineage.products.get(uri);
    return add({ id: `p:${uri}`, type: "product", members: [uri], product, kind: kindOf(product),
      row: levelRow(product), parent, ...extra });
  };
  if (!lineage.products.has(lineage.start)) return { entities, order, edges: [], entityOf, parentOf };
  const queue = [productEntity(lineage.start, null, { start: true })];
  const claimed = new Set([lineage.start]);
  for (let head = 0; head < queue.length; head += 1) {
    const entity = queue[head];
    const buckets = new Map();
    for (const member of entity.members) {
      for (const next of adjacency.get(member) || []) {
        if (claimed.has(next.uri) || !lineage.products.has(next.uri)) continue;
        claimed.add(next.uri);
        parentOf.set(next.uri, { uri: member, edge: next.edge });
        const product = lineage.products.get(next.uri);
        const key = `${next.edge.type}|${qualifier(next.edge)}|${kindOf(product)}|${next.way}`;
        let bucket = buckets.get(key);
        if (!bucket) buckets.set(key, (bucket = { edge: next.edge, kind: kindOf(product), uris: [] }));
        bucket.uris.push(next.uri);
      }
    }
    for (const [key, bucket] of buckets) {
      const groupId = `g:${entity.id}>${key}`;
      const how = qualifier(bucket.edge).replace(/_/g, " ");
      const label = `${bucket.uris.length.toLocaleString("en")} ${bucket.kind}${how && how !== bucket.kind ? ` — ${how}` : ""}`;
      if (bucket.uris.length > threshold && !expanded.has(groupId)) {
        const first = lineage.products.get(bucket.uris[0]);
        queue.push(add({ id: groupId, type: "group", members: bucket.uris, kind: bucket.kind, row: levelRow(first),
          parent: entity.id, label, relationship: bucket.edge.type, qualifier: qualifier(bucket.edge) }));
      } else {
        const inGroup = bucket.uris.length > threshold ? { groupId, groupLabel: label } : {};
        if (inGroup.groupId) {
          const first = lineage.products.get(bucket.uris[0]);
          add({ id: `c:${groupId}`, type: "collapse", members: [], groupId, label, kind: bucket.kind,
            row: levelRow(first), parent: entity.id });
        }
        for (const uri of bucket.uris) queue.push(productEntity(uri, entity.id, inGroup));
      }
    }
  }
  addContributing(lineage, { threshold, expanded }, add, entityOf);
  return { entities, order, edges: drawnEdges(lineage, entities, entityOf), entityOf, parentOf };
}

// Reference files, CRDS context, engineering series and the multiplicity association of the
// products whose details were fetched (the start, and each product opened in the side panel).
function addContributing(lineage, options, add, entityOf) {
  for (const [uri, detail] of lineage.details) {
    const owner = entityOf.get(uri);
    if (!owner) continue;
    const kinds = {
      reference: (detail.referenceFiles || []).map((r) => [r.name, r.name, r.reftype]),
      crds: detail.crdsContext ? [[detail.crdsContext.name, detail.crdsContext.name, ""]] : [],
      engineering: (detail.engineering || []).map((e) => [e.key, e.key, e.mnemonicName]),
      aggregation: (detail.aggregatedBy || []).map((o) => [o.obsid, o.obsId || o.obsid, ""]),
      multiplicity: detail.multiplicityOf ? [[detail.multiplicityOf.name, detail.multiplicityOf.name, ""]] : [],
    };
    for (const [kind, items] of Object.entries(kinds)) {
      const groupId = `r:${uri}:${kind}`;
      const common = { members: [], kind, parent: owner, contributing: true, row: null, owner: uri };
      if (items.length > options.threshold && !options.expanded.has(groupId)) {
        add({ ...common, id: `${kind}s:${uri}`, type: "contributing-group", groupId, count: items.length,
          label: `${items.length} ${CONTRIBUTING_NAMES[kind]}` });
        continue;
      }
      if (items.length > options.threshold) {
        add({ ...common, id: `c:${groupId}`, type: "collapse", groupId, label: `${items.length} ${CONTRIBUTING_NAMES[kind]}` });
      }
      for (const [id, label, detailText] of items) {
        add({ ...common, id: `${kind}:${uri}:${id}`, type: kind, label, detail: detailText, groupId: items.length > options.threshold ? groupId : undefined });
      }
    }
  }
}

const CONTRIBUTING_NAMES = { reference: "reference files", crds: "CRDS contexts", engineering: "engineering series",
  aggregation: "aggregating observations", multiplicity: "associations" };

function drawnEdges(lineage, entities, entityOf) {
  const merged = new Map();
  for (const edge of lineage.edges) {
    const a = entityOf.get(edge.from);
    const b = entityOf.get(edge.to);
    if (!a || !b || a === b) continue;
    const key = `${a}\u0000${b}\u0000${edge.type}`;
    const seen = merged.get(key);
    if (seen) seen.count += 1;
    else merged.set(key, { from: a, to: b, type: edge.type, qualifier: qualifier(edge), count: 1 });
  }
  const edges = [...merged.values()];
  for (const entity of entities.values()) {
    if (!entity.contributing) continue;
    const type = { reference: "USED_REFERENCE", crds: "CALIBRATED_UNDER", engineering: "HAS_ENGINEERING",
      multiplicity: "MULTIPLICITY", aggregation: "AGGREGATION" }[entity.kind];
    edges.push({ from: entity.parent, to: entity.id, type, qualifier: "", count: 1 });
  }
  return edges;
}
