// Map geometry without a map library: the Web Mercator projection (the one map tiles use), fitted
// to the points, and convex hulls for areas that come without an outline.

/** lon/lat -> Web Mercator "world" coordinates in [0, 1] (y grows southwards, like tile rows). */
export function toWorld([lon, lat]) {
  const clamped = Math.max(-85.0511, Math.min(85.0511, lat));
  const s = Math.sin((clamped * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

/**
 * Fits lon/lat points into a width x height box with padding. Returns project([lon, lat]) -> [x, y]
 * with `project.scale` (box units per world unit) and `project.origin` (world point at box 0,0),
 * or null for no points.
 */
export function fitProjection(lonLats, width, height, pad = 24) {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const p of lonLats) {
    const [x, y] = toWorld(p);
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  if (!Number.isFinite(minX)) return null;
  const spanX = Math.max(maxX - minX, 2e-6); // a single point: about 80 m across
  const spanY = Math.max(maxY - minY, 2e-6);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const originX = minX - (width - spanX * scale) / 2 / scale;
  const originY = minY - (height - spanY * scale) / 2 / scale;
  const project = (p) => {
    const [x, y] = toWorld(p);
    return [(x - originX) * scale, (y - originY) * scale];
  };
  project.scale = scale;
  project.origin = [originX, originY];
  return project;
}

/**
 * The tiles ({z, x, y, left, top, size} in box units) covering a width x height box drawn by
 * `project`, at the zoom whose tiles are closest to 256 box units; null when more than `max` tiles.
 */
export function tilesFor(project, width, height, maxZoom = 19, max = 64) {
  const z = Math.max(0, Math.min(maxZoom, Math.round(Math.log2(project.scale / 256))));
  const n = 2 ** z;
  const size = project.scale / n;
  const [ox, oy] = project.origin;
  const x0 = Math.floor(ox * n), x1 = Math.floor((ox + width / project.scale) * n);
  const y0 = Math.max(0, Math.floor(oy * n)), y1 = Math.min(n - 1, Math.floor((oy + height / project.scale) * n));
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > max) return null;
  const tiles = [];
  for (let tx = x0; tx <= x1; tx++) {
    for (let ty = y0; ty <= y1; ty++) {
      tiles.push({ z, x: ((tx % n) + n) % n, y: ty, left: (tx / n - ox) * project.scale, top: (ty / n - oy) * project.scale, size });
    }
  }
  return tiles;
}

/** Andrew's monotone chain; points as [x, y]; returns the hull in order (or the points if < 3). */
export function convexHull(points) {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower = [];
  for (const pt of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], pt) <= 0) lower.pop();
    lower.push(pt);
  }
  const upper = [];
  for (const pt of p.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], pt) <= 0) upper.pop();
    upper.push(pt);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** The hull of the points grown by `by` units all round (an octagon around each point), so an area's outline keeps clear of its cameras. */
export function paddedHull(points, by) {
  const ring = [];
  for (const [x, y] of points) {
    for (let k = 0; k < 8; k++) ring.push([x + by * Math.cos((k * Math.PI) / 4), y + by * Math.sin((k * Math.PI) / 4)]);
  }
  return convexHull(ring);
}

/** Metres per unit of the projection (for a scale bar), from two projected points 1 km apart east-west. */
export function metresPerUnit(project, [lon, lat]) {
  const dLon = 1000 / (111_320 * Math.cos((lat * Math.PI) / 180));
  const [x0] = project([lon, lat]);
  const [x1] = project([lon + dLon, lat]);
  return 1000 / Math.abs(x1 - x0);
}

/** The rings of a GeoJSON Polygon or MultiPolygon geometry, as arrays of [lon, lat]. */
export function ringsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return geometry.coordinates;
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
  return [];
}
