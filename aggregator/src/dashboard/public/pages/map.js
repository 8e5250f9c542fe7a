// Cameras on a map, coloured by state. Drawn as SVG from the cameras' coordinates: areas with an
// outline from the API are drawn as such; otherwise an area's extent is the hull of its cameras.
// No tiles are fetched, so the map works without internet.
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { loadFleet, cameraState, areaSubtree, areaOptions } from '../data.js';
import { failure } from '../ui.js';
import { fitProjection, paddedHull, metresPerUnit, ringsOf, tilesFor } from '../geo.js';

/** Public dashboard settings (map tiles), fetched once; no tiles when unavailable. */
let settings;
async function dashboardSettings() {
  settings ??= fetch('/dashboard-config.json').then((r) => (r.ok ? r.json() : {}), () => ({}));
  return settings;
}

const W = 1000;
const H = 700;

export async function render(root, ctx) {
  const body = h('div', { class: 'map-wrap' });
  const note = h('p', { class: 'muted' });
  let area = ctx.params.query.get('area') ?? '';
  const areaSel = h('select', { id: 'map-area', 'aria-label': t('col.area'), hidden: true });
  areaSel.addEventListener('change', () => {
    area = areaSel.value;
    history.replaceState(null, '', `#/map${area ? `?area=${encodeURIComponent(area)}` : ''}`);
    void refresh();
  });
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('map.title')), note), h('div', { class: 'filters' }, areaSel), body);

  async function refresh() {
    let fleet;
    try {
      fleet = await loadFleet();
    } catch (err) {
      return clear(body).append(failure(err));
    }
    if (!ctx.isCurrent()) return;
    const options = areaOptions(fleet.areas, fleet.cameras);
    areaSel.hidden = options.length < 2;
    clear(areaSel).append(h('option', { value: '' }, t('cameras.allAreas')), ...options.map((o) => h('option', { value: o.id, selected: o.id === area }, o.label)));
    const areaIds = area ? areaSubtree(fleet.areas, area) : null;
    const inArea = areaIds ? fleet.cameras.filter((c) => areaIds.has(c.area?.id)) : fleet.cameras;
    const placed = inArea.filter((c) => c.location);
    const missing = inArea.length - placed.length;
    note.textContent = missing ? t('map.noLocation', { n: missing }) : '';
    const outlines = (fleet.areas ?? []).filter((a) => a.outline && (!areaIds || areaIds.has(a.id))).map((a) => ({ area: a, rings: ringsOf(a.outline) }));
    const lonLats = [...placed.map((c) => [c.location.lon, c.location.lat]), ...outlines.flatMap((o) => o.rings.flat())];
    const project = fitProjection(lonLats, W, H, 70);
    if (!project) return clear(body).append(h('p', { class: 'empty', id: 'map-empty' }, t('map.none')));

    const svg = h('svg:svg', { class: 'map', id: 'map', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('map.title') });
    // Optional base map: tiles from the configured server, under everything else.
    const tileConf = (await dashboardSettings()).mapTiles;
    const tiles = tileConf ? tilesFor(project, W, H, tileConf.maxZoom) : null;
    if (tiles) {
      const layer = h('svg:g', { class: 'tiles' });
      for (const tile of tiles) {
        const href = tileConf.url.replace('{z}', tile.z).replace('{x}', tile.x).replace('{y}', tile.y);
        layer.append(h('svg:image', { href, x: tile.left.toFixed(1), y: tile.top.toFixed(1), width: (tile.size + 0.5).toFixed(1), height: (tile.size + 0.5).toFixed(1), preserveAspectRatio: 'none' }));
      }
      svg.append(layer);
      if (tileConf.attribution) svg.append(h('svg:text', { class: 'attribution', x: W - 6, y: H - 6, 'text-anchor': 'end' }, tileConf.attribution));
    }
    const path = (ring) => 'M' + ring.map((pt) => project(pt).map((v) => v.toFixed(1)).join(',')).join('L') + 'Z';
    const outlined = new Set();
    for (const { area, rings } of outlines) {
      outlined.add(String(area.id));
      svg.append(h('svg:path', { class: 'area', d: rings.map(path).join(' '), dataset: { area: area.id } }, h('svg:title', {}, area.name)));
    }
    // Areas without an outline: the hull of their cameras, so clusters still read as areas.
    const byArea = new Map();
    for (const c of placed) if (c.area && !outlined.has(String(c.area.id))) byArea.set(c.area.id, [...(byArea.get(c.area.id) ?? []), c]);
    for (const [id, cams] of byArea) {
      const pts = cams.map((c) => project([c.location.lon, c.location.lat]));
      const hull = paddedHull(pts, 16);
      if (hull.length >= 3) svg.append(h('svg:path', { class: 'area', d: 'M' + hull.map((p) => p.map((v) => v.toFixed(1)).join(',')).join('L') + 'Z', dataset: { area: id } }, h('svg:title', {}, cams[0].area.name)));
      // Names only while they can be read; with many areas, the area list above picks one.
      if (byArea.size <= 12) {
        const cx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
        const top = Math.min(...hull.map((p) => p[1]), ...pts.map((p) => p[1]));
        svg.append(h('svg:text', { class: 'area-label', x: cx.toFixed(1), y: Math.max(14, top - 6).toFixed(1), 'text-anchor': 'middle' }, cams[0].area.name));
      }
    }
    for (const c of placed) {
      const [x, y] = project([c.location.lon, c.location.lat]);
      const state = cameraState(c);
      const dot = h('svg:circle', { class: `pt pt-${state}`, cx: x.toFixed(1), cy: y.toFixed(1), r: placed.length > 100 ? 4 : 6, tabindex: 0, dataset: { camera: c.id, state } },
        h('svg:title', {}, `${c.name ?? c.cameraId} — ${t(`state.${state}`)}`));
      const open = () => ctx.navigate(`#/cameras/${encodeURIComponent(c.id)}`);
      dot.addEventListener('click', open);
      dot.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
      svg.append(dot);
      // Names beside the dots while there are few enough to read.
      if (placed.length <= 40) svg.append(h('svg:text', { class: 'pt-label', x: (x + 9).toFixed(1), y: (y + 4).toFixed(1) }, c.name ?? c.cameraId));
    }
    // A scale bar, since there is no base map to judge distance by.
    const mpu = metresPerUnit(project, [placed[0]?.location.lon ?? lonLats[0][0], placed[0]?.location.lat ?? lonLats[0][1]]);
    const nice = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000].find((m) => m / mpu >= 80) ?? 50000;
    const len = nice / mpu;
    svg.append(h('svg:g', { class: 'scale' },
      h('svg:line', { x1: 20, x2: 20 + len, y1: H - 20, y2: H - 20 }),
      h('svg:text', { x: 20, y: H - 28 }, nice >= 1000 ? `${nice / 1000} km` : `${nice} m`)));
    const legend = h('div', { class: 'legend' }, ['ok', 'not-recording', 'offline', 'unknown'].filter((s) => s !== 'unknown' || placed.some((c) => cameraState(c) === s)).map((s) =>
      h('span', {}, h('span', { class: `badge state-${s}` }, t(`state.${s}`)), ' ', placed.filter((c) => cameraState(c) === s).length)));
    clear(body).append(svg, legend);
  }
  await refresh();
  ctx.onFleetChange(refresh);
}
