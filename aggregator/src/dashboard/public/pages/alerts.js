// The alert list (active, or all including cleared), newest first, with acknowledge when the
// server offers it. Only alerts the API returns for this user are shown.
import { h, clear, fmtTime } from '../dom.js';
import { t, currentLang } from '../i18n.js';
import { get, post } from '../api.js';
import { failure, table } from '../ui.js';

const enc = encodeURIComponent;

/** A short human text for an alert's detail (problem text, free disk, clock offset…). */
function describe(a) {
  const d = a.detail ?? {};
  // The centre writes each alert as a sentence in both languages (aggregator/src/alerts/text.ts).
  const sentence = d.text && typeof d.text === 'object' ? d.text[currentLang()] ?? d.text.en : undefined;
  if (typeof sentence === 'string') return sentence;
  if (typeof d.problem === 'string') return d.problem;
  if (typeof d.message === 'string') return d.message;
  if (Array.isArray(d.failed)) return `${d.standard ?? ''}: ${d.failed.join(', ')}`;
  if (typeof d.freeRatio === 'number') return `${Math.round(d.freeRatio * 100)}% ${t('alerts.free')}`;
  if (typeof d.clockOffsetMs === 'number') return `${Math.round(d.clockOffsetMs)} ms`;
  return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

export async function render(root, ctx) {
  let which = ctx.params.query.get('state') === 'all' ? 'all' : 'active';
  const body = h('div', { id: 'alerts' }, h('p', { class: 'loading muted' }, t('common.loading')));
  const toggle = h('div', { class: 'filters' },
    ['active', 'all'].map((w) => h('button', { type: 'button', class: w === which ? 'primary' : '', dataset: { filter: w }, onclick: () => {
      which = w;
      history.replaceState(null, '', `#/alerts?state=${w}`);
      for (const b of toggle.querySelectorAll('button')) b.className = b.dataset.filter === which ? 'primary' : '';
      void refresh();
    } }, t(`alerts.${w}`))),
  );
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('alerts.title'))), toggle, body);

  async function ack(alert, button) {
    button.disabled = true;
    try {
      await post(`/api/v1/alerts/${enc(alert.id)}/ack`);
      await refresh();
    } catch (err) {
      button.disabled = false;
      button.after(failure(err, 'POST /api/v1/alerts/:id/ack'));
    }
  }

  async function refresh() {
    const path = `/api/v1/alerts?state=${which}&pageSize=500`;
    try {
      const res = await get(path);
      if (!ctx.isCurrent()) return;
      const items = Array.isArray(res) ? res : res.items ?? [];
      // Acknowledging is offered only when the server tracks it (its alerts carry acknowledgedAt).
      const ackable = items.some((a) => 'acknowledgedAt' in a);
      clear(body).append(table(
        [
          { label: t('col.time'), cell: (a) => fmtTime(a.raisedAt ?? a.since, currentLang()) },
          { label: t('col.kind'), cell: (a) => h('span', { class: `badge ${a.state === 'cleared' ? 'state-ok' : a.kind === 'non_conformant' || a.kind === 'disk_low' || a.kind === 'clock_skew' ? 'state-not-recording' : 'state-offline'}` }, t(`alert.${a.kind}`)) },
          { label: t('col.camera'), cell: (a) => (a.cameraId ? h('a', { href: `#/cameras/${enc(`${a.agentId}/${a.cameraId}`)}` }, a.cameraName ?? a.cameraId) : a.agentId) },
          { label: t('col.message'), cell: describe },
          { label: t('col.status'), cell: (a) => [
            a.state === 'cleared' ? `${t('alerts.cleared')} ${fmtTime(a.clearedAt, currentLang())}` : t('alerts.active'),
            ackable && a.state !== 'cleared' && (a.acknowledgedAt
              ? h('div', { class: 'muted small' }, t('alerts.acked', { who: a.acknowledgedBy ?? '?' }))
              : h('div', {}, h('button', { type: 'button', class: 'ack', onclick: (e) => ack(a, e.currentTarget) }, t('alerts.ack')))),
          ] },
        ],
        items,
        { empty: t('alerts.none'), rowProps: (a) => ({ dataset: { alert: a.id, kind: a.kind, state: a.state } }) },
      ));
    } catch (err) {
      clear(body).append(failure(err, `GET ${path}`));
    }
  }
  await refresh();
  ctx.onFleetChange(refresh);
}
