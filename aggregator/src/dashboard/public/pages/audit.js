// The audit trail for those allowed to see it: who saw what, when, from where, for what purpose.
import { h, clear, fmtTime } from '../dom.js';
import { t, currentLang } from '../i18n.js';
import { get, ApiError } from '../api.js';
import { failure, table } from '../ui.js';

/** orgName(id) turns organisation ids into names when the caller has the list. */
export function auditColumns(orgName = (id) => id) {
  return [
    { label: t('col.time'), cell: (e) => fmtTime(e.at ?? e.ts, currentLang()) },
    { label: t('col.actor'), cell: (e) => e.actorUsername ?? '' },
    { label: t('col.org'), cell: (e) => (e.actorOrgId ? orgName(e.actorOrgId) : '') },
    { label: t('col.action'), cell: (e) => [h('code', {}, e.action), e.outcome && e.outcome !== 'done' ? h('span', { class: 'badge state-offline' }, e.outcome) : null] },
    { label: t('col.target'), cell: (e) => e.resourceId ?? '' },
    { label: t('col.purpose'), cell: (e) => e.purpose ?? '' },
    { label: t('col.from2'), cell: (e) => e.ip ?? e.from ?? '' },
  ];
}

export async function render(root) {
  const body = h('div', { id: 'audit' }, h('p', { class: 'loading muted' }, t('common.loading')));
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('audit.title'))), body);
  try {
    const res = await get('/api/v1/audit?pageSize=200');
    const items = Array.isArray(res) ? res : res.items ?? res.entries ?? [];
    let orgs = [];
    try {
      orgs = (await get('/api/v1/orgs')).items ?? [];
    } catch (err) {
      if (!(err instanceof ApiError)) throw err; // without the list, ids are shown
    }
    const names = new Map(orgs.map((o) => [o.id, o.name]));
    clear(body).append(table(auditColumns((id) => names.get(id) ?? id), items, { empty: t('audit.none'), rowProps: (e) => ({ dataset: { seq: e.seq ?? e.id } }) }));
  } catch (err) {
    clear(body).append(failure(err, 'GET /api/v1/audit'));
  }
}
