// The business owner's page: their cameras, what each shares with whom and until when, a new
// grant (with consent), revoke (effective at once on the server), and who looked at their cameras.
import { h, clear, fmtTime } from '../dom.js';
import { t, currentLang } from '../i18n.js';
import { get, post, session, ApiError } from '../api.js';
import { loadFleet, loadPurposeList } from '../data.js';
import { failure, section, table, stateBadge } from '../ui.js';
import { auditColumns } from './audit.js';

const enc = encodeURIComponent;
const LEVELS = ['health', 'events', 'snapshots', 'clips'];
const keyOf = (k) => `${k.agentId}/${k.cameraId}`;

async function loadOrgs() {
  for (const path of ['/api/v1/orgs']) {
    try {
      const res = await get(path);
      return Array.isArray(res) ? res : res.items ?? [];
    } catch (err) {
      if (!(err instanceof ApiError && err.unavailable)) throw err;
    }
  }
  return null;
}

export async function render(root, ctx) {
  const camerasBox = h('div', { id: 'my-cameras' }, h('p', { class: 'loading muted' }, t('common.loading')));
  const grantsBox = h('div', { id: 'grants' }, h('p', { class: 'loading muted' }, t('common.loading')));
  const formBox = h('div', { id: 'new-grant' });
  const logBox = h('div', { id: 'access-log' }, h('p', { class: 'loading muted' }, t('common.loading')));
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('sharing.title'))),
    section(t('sharing.grants'), grantsBox),
    section(t('sharing.new'), formBox),
    section(t('sharing.myCameras'), camerasBox),
    section(t('sharing.accessLog'), logBox),
  );

  const me = session()?.user ?? null;
  const myOrg = me?.orgId ?? null;
  let terms = null;
  let purposes = null;
  let cameras = [];
  let orgs = null;
  const orgName = (id) => orgs?.find((o) => o.id === id)?.name ?? id;
  const camName = (k) => cameras.find((c) => c.agentId === k.agentId && c.cameraId === k.cameraId)?.name ?? keyOf(k);

  async function loadCameras() {
    try {
      // The API returns what this user may see; the owner's own cameras are those its organisation owns.
      const all = (await loadFleet()).cameras;
      cameras = myOrg ? all.filter((c) => !c.owner?.id || c.owner.id === myOrg) : all;
      clear(camerasBox).append(table(
        [
          { label: t('col.camera'), cell: (c) => h('a', { href: `#/cameras/${enc(c.id)}` }, c.name ?? c.cameraId) },
          { label: t('col.site'), cell: (c) => c.site?.name ?? c.agentId },
          { label: t('col.state'), cell: stateBadge },
        ],
        cameras,
        { empty: t('overview.empty'), rowProps: (c) => ({ dataset: { camera: c.id } }) },
      ));
    } catch (err) {
      clear(camerasBox).append(failure(err, 'GET /api/v1/cameras'));
    }
  }

  async function revoke(grant, button) {
    if (!confirm(t('sharing.confirmRevoke'))) return;
    button.disabled = true;
    try {
      await post(`/api/v1/sharing/grants/${enc(grant.id)}/revoke`);
      await loadGrants();
      void loadLog();
    } catch (err) {
      button.disabled = false;
      button.after(failure(err, 'POST /api/v1/sharing/grants/:id/revoke'));
    }
  }

  async function loadGrants() {
    try {
      const res = await get('/api/v1/sharing/grants');
      const items = Array.isArray(res) ? res : res.own ?? res.items ?? [];
      clear(grantsBox).append(table(
        [
          { label: t('col.camera'), cell: (g) => (g.cameras ?? []).map(camName).join(', ') },
          { label: t('col.grantee'), cell: (g) => [...(g.granteeOrgIds ?? []).map(orgName), ...(g.granteeKinds ?? []).map((k) => `(${k})`)].join(', ') },
          { label: t('col.scopes'), cell: (g) => (g.levels ?? []).map((l) => t(`sharing.scope.${l}`)).join(', ') },
          { label: t('col.purpose'), cell: (g) => (g.purposes ?? []).join(', ') },
          { label: t('col.until'), cell: (g) => (g.validUntil ? fmtTime(g.validUntil, currentLang()) : t('sharing.forever')) },
          { label: t('col.status'), cell: (g) => (g.revokedAt
            ? h('span', { class: 'badge state-offline' }, `${t('sharing.revoked')} ${fmtTime(g.revokedAt, currentLang())}`)
            : h('button', { type: 'button', class: 'danger revoke', onclick: (e) => revoke(g, e.currentTarget) }, t('sharing.revoke'))) },
        ],
        items,
        { empty: t('sharing.none'), rowProps: (g) => ({ dataset: { grant: g.id, revoked: g.revokedAt ? 'yes' : 'no' } }) },
      ));
    } catch (err) {
      clear(grantsBox).append(failure(err, 'GET /api/v1/sharing/grants'));
    }
  }

  async function loadLog() {
    try {
      const res = await get(`/api/v1/audit?pageSize=100${myOrg ? `&ownerOrgId=${enc(myOrg)}` : ''}`);
      const items = Array.isArray(res) ? res : res.items ?? res.entries ?? [];
      clear(logBox).append(table(auditColumns(orgName), items, { empty: t('audit.none') }));
    } catch (err) {
      clear(logBox).append(failure(err, 'GET /api/v1/audit'));
    }
  }

  function drawForm() {
    if (!orgs) {
      clear(formBox).append(failure(new ApiError(404, 'not-found', 'no route GET /api/v1/orgs'), 'GET /api/v1/orgs'));
      return;
    }
    const check = (name, value, label, checked = false) => h('label', {}, h('input', { type: 'checkbox', name, value, checked, defaultChecked: checked }), label);
    const cameraChecks = cameras.map((c) => check('camera', `${c.agentId}/${c.cameraId}`, c.name ?? c.cameraId, cameras.length === 1));
    const orgSel = h('select', { id: 'grant-org', required: true },
      orgs.filter((o) => o.id !== myOrg).map((o) => h('option', { value: o.id }, o.name)));
    const levelChecks = LEVELS.map((l) => check('level', l, t(`sharing.scope.${l}`), l === 'health'));
    const purposeChecks = (purposes ?? []).map((p) => check('purpose', p.id, p.name ?? p.id));
    const until = h('input', { id: 'grant-until', type: 'date' });
    const consent = h('input', { id: 'grant-consent', type: 'checkbox', required: true });
    const result = h('div');
    const checked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
    const form = h('form', { class: 'form-grid', id: 'grant-form', onsubmit: async (e) => {
      e.preventDefault();
      result.replaceChildren();
      const body = {
        cameras: checked('camera').map((v) => {
          const i = v.indexOf('/');
          return { agentId: v.slice(0, i), cameraId: v.slice(i + 1) };
        }),
        granteeOrgIds: [orgSel.value],
        levels: checked('level'),
        purposes: checked('purpose'),
        validUntil: until.value ? new Date(`${until.value}T23:59:59`).toISOString() : null,
        consent: { version: terms?.version ?? '', accepted: consent.checked },
      };
      try {
        await post('/api/v1/sharing/grants', body);
        form.reset();
        await loadGrants();
        void loadLog();
      } catch (err) {
        result.append(failure(err, 'POST /api/v1/sharing/grants'));
      }
    } },
      h('fieldset', { class: 'checks', id: 'grant-cameras' }, h('legend', {}, t('col.camera')), cameraChecks),
      h('label', {}, t('sharing.grantee'), orgSel),
      h('fieldset', { class: 'checks', id: 'grant-levels' }, h('legend', {}, t('sharing.scopes')), levelChecks),
      purposeChecks.length > 0 && h('fieldset', { class: 'checks', id: 'grant-purposes' }, h('legend', {}, t('sharing.purposes')), purposeChecks),
      h('label', {}, t('sharing.until'), until, h('span', { class: 'muted small' }, t('sharing.untilHint'))),
      h('div', { class: 'wide' },
        terms && h('p', { class: 'terms muted small' }, terms.text, ` (${terms.version})`),
        h('label', { class: 'consent' }, consent, ' ', t('sharing.consent')),
        h('button', { type: 'submit', class: 'primary' }, t('sharing.create'))),
    );
    clear(formBox).append(form, result);
  }

  try {
    orgs = await loadOrgs();
    terms = await get('/api/v1/sharing/terms');
    purposes = await loadPurposeList();
  } catch (err) {
    orgs = null;
    clear(formBox).append(failure(err, 'GET /api/v1/sharing/terms'));
  }
  await loadCameras();
  await loadGrants();
  if (orgs || !formBox.firstChild) drawForm();
  await loadLog();
  ctx.onFleetChange(loadCameras);
}
