// A layered layout by level: one band per level (L3 at the top, then L2b, L2a, L1b), siblings in
// the order the walk reached them, wrapped into lines so that a wide level stays readable;
// association files, guide stars, previews ... and the contributing files (reference files, CRDS
// context, engineering) in a column beside the levelled products of their parent's band.
// Linear in the number of drawn entities.
export const NODE_W = 200;
export const NODE_H = 44;
export const GAP_X = 22;
export const LINE_H = NODE_H + 18;
export const BAND_GAP = 70;
export const WRAP = 8; // levelled products per line
export const SIDE_WRAP = 3; // files beside per line
const ZONE_GAP = 90;
const STEP = NODE_W + GAP_X;

export function layout(view) {
  const bands = new Map(); // row -> {main: [], side: []}
  const rowOf = (entity) => {
    if (entity.row != null) return entity.row;
    const parent = entity.parent && view.entities.get(entity.parent);
    return parent ? rowOf(parent) : 0;
  };
  for (const entity of view.order) {
    const row = rowOf(entity);
    entity.placedRow = row;
    if (!bands.has(row)) bands.set(row, { main: [], side: [] });
    const band = bands.get(row);
    if (entity.row == null || entity.contributing) band.side.push(entity);
    else band.main.push(entity);
  }
  const rows = [...bands.keys()].sort((a, b) => a - b);
  let widest = 1;
  for (const band of bands.values()) widest = Math.max(widest, Math.min(band.main.length, WRAP));
  const mainRight = (widest * STEP - GAP_X) / 2;
  const sideLeft = mainRight + ZONE_GAP;
  const rowY = new Map();
  let y = 0;
  let minX = -mainRight, maxX = mainRight, maxY = 0;
  for (const row of rows) {
    const band = bands.get(row);
    rowY.set(row, y);
    const n = band.main.length;
    for (let i = 0; i < n; i += 1) {
      const line = Math.floor(i / WRAP);
      const inLine = Math.min(WRAP, n - line * WRAP);
      const left = -(inLine * STEP - GAP_X) / 2;
      Object.assign(band.main[i], { x: left + (i % WRAP) * STEP, y: y + line * LINE_H });
    }
    band.side.forEach((entity, j) => {
      Object.assign(entity, { x: sideLeft + (j % SIDE_WRAP) * STEP, y: y + Math.floor(j / SIDE_WRAP) * LINE_H });
      maxX = Math.max(maxX, entity.x + NODE_W);
    });
    const lines = Math.max(Math.ceil(n / WRAP), Math.ceil(band.side.length / SIDE_WRAP), 1);
    maxY = y + (lines - 1) * LINE_H + NODE_H;
    y += lines * LINE_H + BAND_GAP;
  }
  view.bounds = { minX, maxX, minY: -70, maxY }; // room for the bridges above the top band
  view.rows = rows;
  view.rowY = rowY;
  return view;
}
