// The inventory export: CSV or GeoJSON of the cameras in the user's scope, as the API builds it.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { download } from '../api.js';
import { failure } from '../ui.js';

export async function render(root) {
  const result = h('div', { id: 'export-result' });
  const button = (format, label) => h('button', { type: 'button', class: 'primary', dataset: { format }, onclick: async (e) => {
    const b = e.currentTarget;
    b.disabled = true;
    result.replaceChildren();
    try {
      const name = await download(`/api/v1/cameras/export.${format}`, `camfleet-inventory.${format}`);
      result.append(h('p', { class: 'notice ok' }, t('inventory.saved', { name })));
    } catch (err) {
      result.append(failure(err, `GET /api/v1/cameras/export.${format}`));
    } finally {
      b.disabled = false;
    }
  } }, label);
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('inventory.title'))),
    h('section', { class: 'card' }, h('p', {}, t('inventory.text')), h('div', { class: 'filters' }, button('csv', t('inventory.csv')), button('geojson', t('inventory.geojson'))), result),
  );
}
