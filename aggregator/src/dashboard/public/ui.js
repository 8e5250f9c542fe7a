// Small building blocks shared by the pages.
import { h } from './dom.js';
import { t } from './i18n.js';
import { ApiError } from './api.js';
import { cameraState } from './data.js';

/** What to show instead of data when a request failed: not available / not permitted / error. */
export function failure(err, path = '') {
  if (err instanceof ApiError && err.unavailable) return h('p', { class: 'notice unavailable', dataset: { state: 'unavailable' } }, t('common.unavailable', { path }));
  if (err instanceof ApiError && err.forbidden) return h('p', { class: 'notice forbidden', dataset: { state: 'forbidden' } }, t('common.forbidden'));
  return h('p', { class: 'notice error', dataset: { state: 'error' } }, t('common.error', { message: err?.message ?? String(err) }));
}

export function stateBadge(cam) {
  const state = cameraState(cam);
  return h('span', { class: `badge state-${state}`, dataset: { state } }, t(`state.${state}`));
}

export function confBadge(verdict) {
  const v = verdict ?? 'none';
  return h('span', { class: `badge conf-${v}`, dataset: { conformance: v } }, t(`conf.${v}`));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

export function table(columns, rows, { empty, rowProps } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty ?? '—');
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', {}, rows.map((row) =>
        h('tr', rowProps?.(row) ?? {}, columns.map((c) => h('td', { dataset: { label: c.label } }, c.cell(row)))),
      )),
    ),
  );
}

export function cameraLink(cam) {
  return h('a', { href: `#/cameras/${encodeURIComponent(cam.id)}`, class: 'camera-link' }, cam.name ?? cam.cameraId);
}
