// Fleet overview: counts (online, offline, not recording, non-conformant) and the same by area
// (or by site while the aggregator has no area data), plus the cameras that need attention.
import { h, clear, fmtTime } from '../dom.js';
import { t, currentLang } from '../i18n.js';
import { loadFleet, summarize, groupOf, cameraState } from '../data.js';
import { failure, section, table, stateBadge, confBadge, cameraLink } from '../ui.js';

export async function render(root, ctx) {
  const body = h('div', { class: 'overview-body' });
  const stamp = h('p', { class: 'muted', id: 'updated' });
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('overview.title')), stamp), body);

  async function refresh() {
    let fleet;
    try {
      fleet = await loadFleet();
    } catch (err) {
      clear(body).append(failure(err, '/api/v1/fleet'));
      return;
    }
    if (!ctx.isCurrent()) return;
    const { cameras, agents } = fleet;
    const s = summarize(cameras);
    const tiles = h('div', { class: 'tiles' },
      tile('total', t('overview.total'), s.total, '#/cameras'),
      tile('online', t('overview.online'), s.online, '#/cameras?state=ok'),
      tile('offline', t('overview.offline'), s.offline, '#/cameras?state=offline'),
      tile('not-recording', t('overview.notRecording'), s.notRecording, '#/cameras?state=not-recording'),
      tile('non-conformant', t('overview.nonConformant'), s.nonConformant, '#/cameras?conformance=fail'),
      s.unknown > 0 && tile('unknown', t('state.unknown'), s.unknown, '#/cameras?state=unknown'),
    );

    const groups = new Map();
    for (const cam of cameras) {
      const g = groupOf(cam);
      const entry = groups.get(g.id) ?? { ...g, cameras: [] };
      entry.cameras.push(cam);
      groups.set(g.id, entry);
    }
    const byArea = [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
    const hasAreas = byArea.some((g) => g.kind === 'area');
    const groupTable = table(
      [
        { label: t('overview.group'), cell: (g) => g.name },
        { label: t('overview.total'), cell: (g) => g.cameras.length },
        { label: t('overview.online'), cell: (g) => summarize(g.cameras).online },
        { label: t('overview.offline'), cell: (g) => summarize(g.cameras).offline },
        { label: t('overview.notRecording'), cell: (g) => summarize(g.cameras).notRecording },
        { label: t('overview.nonConformant'), cell: (g) => summarize(g.cameras).nonConformant },
        s.unknown > 0 && { label: t('state.unknown'), cell: (g) => summarize(g.cameras).unknown },
      ].filter(Boolean),
      byArea,
      { empty: t('overview.empty'), rowProps: (g) => ({ dataset: { group: g.id } }) },
    );

    const problems = cameras.filter((c) => ['offline', 'not-recording'].includes(cameraState(c)) || c.conformance === 'fail');
    const problemTable = table(
      [
        { label: t('col.name'), cell: cameraLink },
        { label: t('col.site'), cell: (c) => c.site?.name ?? c.agentId ?? '' },
        { label: t('col.state'), cell: stateBadge },
        { label: t('col.conformance'), cell: (c) => confBadge(c.conformance) },
        { label: t('col.problem'), cell: (c) => c.problem ?? '' },
      ],
      problems,
      { empty: '—', rowProps: (c) => ({ dataset: { camera: c.id } }) },
    );

    const parts = [tiles, section(hasAreas ? t('overview.byArea') : t('overview.bySite'), groupTable), section(t('overview.problems'), problemTable)];
    if (agents) {
      const online = agents.filter((a) => a.online).length;
      parts.push(h('p', { class: 'muted' }, `${t('overview.agents')}: ${agents.length} (${online} ${t('overview.agentsOnline')})`));
    }
    if (fleet.source === 'fleet') parts.push(h('p', { class: 'muted small' }, t('common.source.fleet')));
    clear(body).append(...parts);
    stamp.textContent = t('common.updated', { time: fmtTime(new Date().toISOString(), currentLang()) });
  }

  await refresh();
  ctx.onFleetChange(refresh);
}

function tile(kind, label, value, href) {
  return h('a', { class: `tile tile-${kind}`, href, dataset: { tile: kind } }, h('span', { class: 'tile-value' }, value), h('span', { class: 'tile-label' }, label));
}
