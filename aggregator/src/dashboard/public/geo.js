// Map geometry without a map library: an equirectangular projection fitted to the points
// (good enough at city scale) and convex hulls for areas that come without an outline.

/** Fits lon/lat to a width x height box with padding; returns project([lon, lat]) -> [x, y]. */
export function fitProjection(lonLats, width, height, pad = 24) {
  let minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
  for (const [lon, lat] of lonLats) {
    minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
  }
  if (!Number.isFinite(minLon)) return null;
  const midLat = (minLat + maxLat) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180); // a degree of longitude is shorter away from the equator
  const spanX = Math.max((maxLon - minLon) * kx, 1e-4);
  const spanY = Math.max(maxLat - minLat, 1e-4);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  return ([lon, lat]) => [offX + (lon - minLon) * kx * scale, height - offY - (lat - minLat) * scale];
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

/** Pushes each hull vertex `by` units away from the centre, so an area's outline does not cut through its cameras. */
export function inflate(hull, by) {
  if (hull.length === 0) return hull;
  const cx = hull.reduce((a, p) => a + p[0], 0) / hull.length;
  const cy = hull.reduce((a, p) => a + p[1], 0) / hull.length;
  return hull.map(([x, y]) => {
    const d = Math.hypot(x - cx, y - cy) || 1;
    return [x + ((x - cx) / d) * by, y + ((y - cy) / d) * by];
  });
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
