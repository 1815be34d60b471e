// A layered layout by level: one row per level (L3 at the top, then L2b, L2a, L1b), siblings in
// the order the walk reached them; association files, guide stars, previews ... beside the levelled
// products of their parent's row, and the contributing files (reference files, CRDS context,
// engineering) to the right of those. Linear in the number of drawn entities.
export const NODE_W = 200;
export const NODE_H = 44;
export const GAP_X = 22;
export const ROW_GAP = 120;
const ZONE_GAP = 70;

export function layout(view) {
  const rows = new Map(); // row -> {main: [], beside: [], contributing: []}
  const rowOf = (entity) => {
    if (entity.row != null) return entity.row;
    const parent = entity.parent && view.entities.get(entity.parent);
    return parent ? rowOf(parent) : 0;
  };
  for (const entity of view.order) {
    const row = rowOf(entity);
    entity.placedRow = row;
    if (!rows.has(row)) rows.set(row, { main: [], beside: [], contributing: [] });
    const zones = rows.get(row);
    if (entity.contributing) zones.contributing.push(entity);
    else if (entity.row == null) zones.beside.push(entity);
    else zones.main.push(entity);
  }
  let widest = 0;
  for (const zones of rows.values()) widest = Math.max(widest, zones.main.length);
  const mainLeft = (n) => -((n * (NODE_W + GAP_X)) - GAP_X) / 2;
  const step = NODE_W + GAP_X;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const [row, zones] of rows) {
    const y = row * ROW_GAP;
    let x = mainLeft(zones.main.length);
    for (const entity of zones.main) { entity.x = x; entity.y = y; x += step; }
    const besideStart = Math.max(x - GAP_X + ZONE_GAP, zones.main.length ? 0 : mainLeft(1));
    x = zones.main.length ? besideStart : mainLeft(1);
    for (const entity of zones.beside) { entity.x = x; entity.y = y; x += step; }
    if (zones.contributing.length) x = Math.max(x, -mainLeft(widest)) + ZONE_GAP - GAP_X;
    for (const entity of zones.contributing) { entity.x = x; entity.y = y; x += step; }
    for (const zone of [zones.main, zones.beside, zones.contributing]) {
      for (const entity of zone) {
        minX = Math.min(minX, entity.x); maxX = Math.max(maxX, entity.x + NODE_W);
        minY = Math.min(minY, entity.y); maxY = Math.max(maxY, entity.y + NODE_H);
      }
    }
  }
  view.bounds = { minX, maxX, minY, maxY };
  view.rows = [...rows.keys()].sort((a, b) => a - b);
  return view;
}
