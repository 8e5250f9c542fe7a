// The camera table: filter by state and conformance, search across name, id, site and area.
// Filters live in the URL (#/cameras?state=offline&q=gate) so a view can be bookmarked or shared.
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { loadFleet, cameraState, areaSubtree, areaOptions } from '../data.js';
import { failure, table, stateBadge, confBadge, cameraLink } from '../ui.js';

export function matches(cam, { q, state, conformance, areaIds }) {
  if (state && cameraState(cam) !== state) return false;
  if (areaIds && !areaIds.has(cam.area?.id)) return false;
  if (conformance && (cam.conformance ?? 'none') !== conformance) return false;
  if (q) {
    const hay = [cam.name, cam.cameraId, cam.id, cam.agentId, cam.site?.name, cam.area?.name, cam.owner?.name, cam.problem]
      .filter(Boolean).join(' ').toLowerCase();
    if (!q.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w))) return false;
  }
  return true;
}

export async function render(root, ctx) {
  const query = ctx.params.query;
  const filters = { q: query.get('q') ?? '', state: query.get('state') ?? '', conformance: query.get('conformance') ?? '', area: query.get('area') ?? '' };
  let areas = null;
  const areaSel = h('select', { id: 'area-filter', 'aria-label': t('col.area'), hidden: true });
  const search = h('input', { type: 'search', id: 'camera-search', placeholder: t('cameras.search'), value: filters.q, 'aria-label': t('cameras.search') });
  const stateSel = h('select', { id: 'state-filter', 'aria-label': t('col.state') },
    h('option', { value: '' }, t('cameras.allStates')),
    ['ok', 'offline', 'not-recording', 'unknown'].map((s) => h('option', { value: s, selected: filters.state === s }, t(`state.${s}`))),
  );
  const confSel = h('select', { id: 'conformance-filter', 'aria-label': t('col.conformance') },
    h('option', { value: '' }, t('cameras.allConformance')),
    ['pass', 'warn', 'fail', 'none'].map((v) => h('option', { value: v, selected: filters.conformance === v }, t(`conf.${v}`))),
  );
  const count = h('p', { class: 'muted', id: 'camera-count' });
  const body = h('div');
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('cameras.title')), count),
    h('div', { class: 'filters' }, search, areaSel, stateSel, confSel),
    body,
  );

  let cameras = null;
  let error = null;

  function draw() {
    if (error) return clear(body).append(failure(error, '/api/v1/fleet'));
    if (!cameras) return;
    const areaIds = filters.area ? areaSubtree(areas, filters.area) : null;
    const shown = cameras.filter((c) => matches(c, { ...filters, areaIds }));
    count.textContent = t('cameras.count', { n: shown.length });
    const hasArea = cameras.some((c) => c.area);
    const hasOwner = cameras.some((c) => c.owner);
    const columns = [
      { label: t('col.name'), cell: cameraLink },
      { label: t('col.id'), cell: (c) => h('code', {}, c.cameraId) },
      { label: t('col.site'), cell: (c) => c.site?.name ?? c.agentId ?? '' },
      hasArea && { label: t('col.area'), cell: (c) => c.area?.name ?? '' },
      hasOwner && { label: t('col.owner'), cell: (c) => c.owner?.name ?? '' },
      { label: t('col.state'), cell: stateBadge },
      { label: t('col.conformance'), cell: (c) => confBadge(c.conformance) },
      { label: t('col.problem'), cell: (c) => c.problem ?? '' },
    ].filter(Boolean);
    clear(body).append(table(columns, shown, { empty: t('cameras.none'), rowProps: (c) => ({ dataset: { camera: c.id, state: cameraState(c) } }) }));
  }

  function syncUrl() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) p.set(k, v);
    const hash = `#/cameras${p.size ? '?' + p : ''}`;
    history.replaceState(null, '', hash);
  }

  search.addEventListener('input', () => { filters.q = search.value; syncUrl(); draw(); });
  stateSel.addEventListener('change', () => { filters.state = stateSel.value; syncUrl(); draw(); });
  confSel.addEventListener('change', () => { filters.conformance = confSel.value; syncUrl(); draw(); });
  areaSel.addEventListener('change', () => { filters.area = areaSel.value; syncUrl(); draw(); });

  async function refresh() {
    try {
      const fleet = await loadFleet();
      cameras = fleet.cameras;
      areas = fleet.areas;
      const options = areaOptions(areas, cameras);
      areaSel.hidden = options.length < 2;
      clear(areaSel).append(h('option', { value: '' }, t('cameras.allAreas')), ...options.map((o) => h('option', { value: o.id, selected: o.id === filters.area }, o.label)));
      error = null;
    } catch (err) {
      error = err;
    }
    if (ctx.isCurrent()) draw();
  }
  await refresh();
  ctx.onFleetChange(refresh);
}
