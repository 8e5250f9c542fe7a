// The alert list (open or all) with acknowledge. Only alerts the API returns are shown.
import { h, clear, fmtTime } from '../dom.js';
import { t, currentLang } from '../i18n.js';
import { get, post } from '../api.js';
import { failure, table } from '../ui.js';

const enc = encodeURIComponent;

export async function render(root, ctx) {
  let which = ctx.params.query.get('state') === 'all' ? 'all' : 'open';
  const body = h('div', { id: 'alerts' });
  const toggle = h('div', { class: 'filters' },
    ['open', 'all'].map((w) => h('button', { type: 'button', class: w === which ? 'primary' : '', dataset: { filter: w }, onclick: () => { which = w; history.replaceState(null, '', `#/alerts?state=${w}`); drawToggle(); void refresh(); } }, t(`alerts.${w}`))),
  );
  function drawToggle() {
    for (const b of toggle.querySelectorAll('button')) b.className = b.dataset.filter === which ? 'primary' : '';
  }
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
    const path = which === 'open' ? '/api/v1/alerts?state=open' : '/api/v1/alerts';
    try {
      const res = await get(path);
      if (!ctx.isCurrent()) return;
      const items = Array.isArray(res) ? res : res.items ?? [];
      clear(body).append(table(
        [
          { label: t('col.time'), cell: (a) => fmtTime(a.raisedAt ?? a.at, currentLang()) },
          { label: t('col.kind'), cell: (a) => h('span', { class: `badge ${a.clearedAt ? 'state-ok' : 'state-offline'}` }, a.kind) },
          { label: t('col.camera'), cell: (a) => (a.cameraId && a.agentId ? h('a', { href: `#/cameras/${enc(`${a.agentId}/${a.cameraId}`)}` }, a.cameraName ?? a.cameraId) : a.agentId ?? '') },
          { label: t('col.message'), cell: (a) => a.message ?? a.detail ?? '' },
          { label: t('col.status'), cell: (a) => (a.acknowledgedAt
            ? t('alerts.acked', { who: a.acknowledgedBy ?? '?' })
            : h('button', { type: 'button', class: 'ack', onclick: (e) => ack(a, e.currentTarget) }, t('alerts.ack'))) },
        ],
        items,
        { empty: t('alerts.none'), rowProps: (a) => ({ dataset: { alert: a.id } }) },
      ));
    } catch (err) {
      clear(body).append(failure(err, `GET ${path}`));
    }
  }
  await refresh();
  ctx.onFleetChange(refresh);
}
