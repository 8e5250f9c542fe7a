// One camera: its record, conformance result, health over time, recent events with snapshots,
// clips that play in the browser, and a clip request for an interval. Each part loads on its
// own, so a part the server does not offer (or the user may not see) shows why, and the rest
// still works.
import { h, clear, fmtTime, fmtBytes } from '../dom.js';
import { t, currentLang } from '../i18n.js';
import { get, post, blobUrl, purposeHeaders, session, ApiError } from '../api.js';
import { loadFleet } from '../data.js';
import { failure, section, table, stateBadge, confBadge } from '../ui.js';
import { healthChart } from '../chart.js';
import { livePanel } from '../live-view.js';

const enc = encodeURIComponent;

/** The API path of a camera: /api/v1/cameras/<agentId>/<cameraId>. */
export function cameraPath(cam) {
  return `/api/v1/cameras/${enc(cam.agentId)}/${enc(cam.cameraId)}`;
}

export async function render(root, ctx) {
  const urls = new Set();
  let stopLive = () => {};
  const cleanup = () => {
    stopLive();
    for (const u of urls) URL.revokeObjectURL(u);
    urls.clear();
  };

  const head = h('div', { class: 'page-head' });
  const summary = h('div');
  const grid = h('div', { class: 'grid2' });
  const lower = h('div');
  root.append(h('p', {}, h('a', { href: '#/cameras' }, t('camera.back'))), head, summary, grid, lower);

  // The camera as listed for this user; a camera the user may not see is simply not found.
  let cam;
  try {
    cam = (await loadFleet()).cameras.find((c) => c.id === ctx.params.id);
  } catch (err) {
    root.append(failure(err));
    return cleanup;
  }
  if (!cam) {
    clear(root).append(h('p', {}, h('a', { href: '#/cameras' }, t('camera.back'))), h('p', { class: 'notice', id: 'camera-not-found' }, t('camera.notFound')));
    return cleanup;
  }
  const base = cameraPath(cam);
  const purposes = await loadPurposes(cam);
  const names = new Map((purposes ?? []).map((p) => [p.id, p.name ?? p.id]));
  const purposeName = (id) => names.get(id) ?? id;

  function drawHead() {
    clear(head).append(
      h('h1', {}, cam.name ?? cam.cameraId),
      h('div', { class: 'head-badges' }, stateBadge(cam), ' ', confBadge(cam.conformance)),
    );
    clear(summary).append(
      h('dl', { class: 'record card' },
        h('dt', {}, t('col.id')), h('dd', {}, h('code', {}, `${cam.agentId}/${cam.cameraId}`)),
        h('dt', {}, t('col.site')), h('dd', {}, cam.site?.name ?? cam.agentId),
        cam.area && [h('dt', {}, t('col.area')), h('dd', {}, cam.area.name)],
        cam.owner && [h('dt', {}, t('col.owner')), h('dd', {}, cam.owner.name)],
        cam.purposes?.length > 0 && [h('dt', {}, t('col.purpose')), h('dd', {}, cam.purposes.map(purposeName).join(', '))],
        cam.problem && [h('dt', {}, t('col.problem')), h('dd', {}, cam.problem)],
      ),
    );
  }
  drawHead();

  // Record and conformance come from the camera detail route.
  const recordBox = h('div', {}, h('p', { class: 'loading muted' }, t('common.loading')));
  const confBox = h('div', {}, h('p', { class: 'loading muted' }, t('common.loading')));
  grid.append(section(t('camera.record'), recordBox), section(t('camera.conformance'), confBox));
  try {
    const detail = await get(base);
    // The probe's record and the rule-by-rule result (GET …/record) when offered; else the inventory's facts.
    let reported = {};
    try {
      reported = (await get(`${base}/record`)) ?? {};
    } catch (err) {
      if (!(err instanceof ApiError && (err.unavailable || err.forbidden))) throw err;
    }
    const record = reported.record ?? detail.record ?? null;
    const conformance = reported.conformance?.rules ? reported.conformance
      : typeof detail.conformance === 'object' && detail.conformance ? detail.conformance : null;
    clear(recordBox).append(record ? recordView(record, detail, purposeName) : inventoryView(detail, purposeName));
    clear(confBox).append(conformance?.rules
      ? conformanceView(conformance)
      : typeof detail.conformance === 'string'
        ? h('p', {}, confBadge(detail.conformance), ' ', h('span', { class: 'muted small' }, t('camera.noRules')))
        : h('p', { class: 'empty' }, t('camera.noConformance')));
  } catch (err) {
    clear(recordBox).append(failure(err, `GET ${base}`));
    clear(confBox).append(failure(err, `GET ${base}`));
  }

  // Footage (snapshots, clips, clip requests) needs a purpose the user states, on each camera page
  // (never carried over silently from another camera); the API records it in the audit trail.
  let purpose = '';
  const purposeInput = purposes
    ? h('select', { id: 'purpose', required: true }, h('option', { value: '' }, '—'), purposes.map((p) => h('option', { value: p.id }, p.name ?? p.id)))
    : h('input', { id: 'purpose', placeholder: 'public_order', required: true, maxLength: 64 });
  purposeInput.addEventListener('change', () => {
    purpose = purposeInput.value.trim();
    if (can('view_events')) void loadEvents();
    if (can('view_clips')) void loadClips();
    // The live picture starts as soon as a purpose is stated (live-view.js).
    if (live) {
      live.stop();
      void live.start();
    }
  });
  const purposeBar = h('div', { class: 'card purpose-bar' }, h('label', { for: 'purpose' }, t('camera.purpose')), purposeInput, h('span', { class: 'muted small' }, t('camera.purposeWhy')));

  const healthBox = h('div', { id: 'health' }, h('p', { class: 'loading muted' }, t('common.loading')));
  const eventsBox = h('div', { id: 'events' }, h('p', { class: 'loading muted' }, t('common.loading')));
  const clipsBox = h('div', { id: 'clips' }, h('p', { class: 'loading muted' }, t('common.loading')));
  const player = h('video', { class: 'clip', id: 'clip-player', controls: true, playsInline: true, hidden: true, preload: 'metadata' });
  // Parts the user's role cannot use are not offered at all (GET /api/v1/me lists the role's actions).
  const actions = session()?.user?.actions;
  const can = (action) => !Array.isArray(actions) || actions.includes(action);
  const live = can('view_snapshot') ? livePanel(base, () => purpose) : undefined;
  if (live) stopLive = () => live.stop(false);
  lower.append(...[
    can('view_health') && section(t('camera.health'), healthBox),
    (can('view_snapshot') || can('view_clips') || can('request_clip')) && purposeBar,
    live && section(live.title, live.element),
    can('view_events') && section(t('camera.events'), eventsBox),
    (can('view_clips') || can('request_clip')) && section(t('camera.clips'), can('view_clips') && clipsBox, can('view_clips') && player, can('request_clip') && clipRequestForm(cam, () => purpose)),
  ].filter(Boolean));

  async function loadHealth() {
    const to = new Date();
    const from = new Date(to.getTime() - 24 * 3600_000);
    const path = `${base}/health?since=${enc(from.toISOString())}`;
    try {
      const res = await get(path);
      const samples = Array.isArray(res) ? res : res.samples ?? res.items ?? [];
      clear(healthBox).append(samples.length
        ? healthChart(samples, { title: t('camera.health'), online: t('chart.online'), recording: t('chart.recording'), fps: t('chart.fps') }, currentLang() === 'vi' ? 'vi-VN' : 'en-GB', healthBox.clientWidth || 720)
        : h('p', { class: 'empty' }, t('camera.noHealth')));
    } catch (err) {
      clear(healthBox).append(failure(err, `GET ${base}/health`));
    }
  }

  async function loadEvents() {
    try {
      const path = `/api/v1/events?agentId=${enc(cam.agentId)}&cameraId=${enc(cam.cameraId)}&pageSize=24`;
      const res = await get(path, { headers: purposeHeaders(purpose) });
      const items = Array.isArray(res) ? res : res.items ?? [];
      if (!items.length) return clear(eventsBox).append(h('p', { class: 'empty' }, t('camera.noEvents')));
      const grid = h('div', { class: 'snapshots' });
      for (const ev of items) {
        const img = h('img', { alt: t('camera.snapshot'), loading: 'lazy' });
        const snap = ev.snapshotUrl ?? (ev.hasSnapshot ? `/api/v1/events/${enc(ev.agentId ?? cam.agentId)}/${enc(ev.eventId ?? ev.id)}/snapshot` : null);
        if (snap && purpose) {
          // Snapshots need the bearer token (and a purpose), so they are fetched and shown from memory.
          blobUrl(snap, { purpose }).then((u) => { urls.add(u); img.src = u; }, (err) => img.replaceWith(failure(err)));
        }
        const d = ev.data ?? {};
        const score = typeof d.score === 'number' ? d.score : ev.score;
        const sentence = ev.text && typeof ev.text === 'object' ? ev.text[currentLang()] ?? ev.text.en : undefined;
        const label = sentence ?? [ev.kind, d.label ?? d.class ?? ev.label, typeof score === 'number' ? `${Math.round(score * 100)}%` : null].filter(Boolean).join(' · ');
        grid.append(h('figure', { dataset: { event: ev.eventId ?? ev.id } }, snap && purpose ? img : null, h('figcaption', {}, label, h('br'), fmtTime(ev.startedAt ?? ev.at, currentLang()))));
      }
      clear(eventsBox).append(grid);
    } catch (err) {
      clear(eventsBox).append(failure(err, 'GET /api/v1/events'));
    }
  }

  async function play(clip, button) {
    button.disabled = true;
    try {
      const src = clip.videoUrl ?? `/api/v1/clips/${enc(clip.agentId ?? cam.agentId)}/${enc(clip.clipId ?? clip.id)}/video`;
      const u = await blobUrl(src, { purpose });
      urls.add(u);
      player.hidden = false;
      player.src = u;
      player.scrollIntoView({ block: 'nearest' });
      await player.play().catch(() => {}); // autoplay may be refused; the controls remain
    } catch (err) {
      button.after(failure(err, 'GET /api/v1/clips/:id/video'));
    } finally {
      button.disabled = false;
    }
  }

  async function loadClips() {
    if (!purpose) return clear(clipsBox).append(h('p', { class: 'notice', dataset: { state: 'need-purpose' } }, t('camera.needPurpose')));
    try {
      const res = await get(`${base}/clips`, { headers: purposeHeaders(purpose) });
      const items = Array.isArray(res) ? res : res.items ?? [];
      clear(clipsBox).append(table(
        [
          { label: t('col.from'), cell: (c) => fmtTime(c.from, currentLang()) },
          { label: t('col.to'), cell: (c) => fmtTime(c.to, currentLang()) },
          { label: t('col.size'), cell: (c) => fmtBytes(c.bytes ?? c.size) },
          { label: t('col.status'), cell: (c) => c.status ?? '' },
          { label: '', cell: (c) => (c.status && !['complete', 'stored', 'ready', 'available'].includes(c.status)) ? '' : h('button', { type: 'button', class: 'play', onclick: (e) => play(c, e.currentTarget) }, '▶ ', t('camera.play')) },
        ],
        items,
        { empty: t('camera.noClips'), rowProps: (c) => ({ dataset: { clip: c.id } }) },
      ));
    } catch (err) {
      clear(clipsBox).append(failure(err, `GET ${base}/clips`));
    }
  }

  await Promise.all([can('view_health') && loadHealth(), can('view_events') && loadEvents(), can('view_clips') && loadClips()]);

  ctx.onFleetChange(async () => {
    try {
      const fresh = (await loadFleet()).cameras.find((c) => c.id === cam.id);
      if (!fresh || !ctx.isCurrent()) return;
      cam = fresh;
      drawHead();
      if (can('view_clips')) void loadClips();
    } catch {
      /* keep what is shown; the next change retries */
    }
  });
  return cleanup;
}

function inventoryView(d, purposeName) {
  const row = (label, value) => (value === null || value === undefined || value === '' ? null : [h('dt', {}, label), h('dd', {}, value)]);
  return h('dl', { class: 'record' },
    row(t('camera.manufacturer'), d.manufacturer),
    row(t('camera.model'), d.model),
    row(t('camera.serial'), d.serial),
    row('MAC', d.mac),
    row(t('camera.address'), d.address),
    row(t('col.owner'), d.ownerOrgName),
    row(t('col.purpose'), (d.purposes ?? []).map(purposeName).join(', ')),
    row(t('camera.lastReport'), d.lastReportAt ? fmtTime(d.lastReportAt, currentLang()) : null),
  );
}

function recordView(r, detail, purposeName) {
  const profiles = (r.profiles ?? []).map((p) => `${p.name}: ${p.encoding} ${p.width}×${p.height} @${p.fps}`);
  const row = (label, value) => (value === null || value === undefined || value === '' ? null : [h('dt', {}, label), h('dd', {}, value)]);
  return h('dl', { class: 'record' },
    row(t('camera.manufacturer'), r.manufacturer),
    row(t('camera.model'), r.model),
    row(t('camera.firmware'), r.firmwareVersion),
    row(t('camera.serial'), r.serialNumber),
    row('MAC', r.scopes?.mac ?? detail.mac),
    row(t('camera.profiles'), profiles.length ? profiles.map((p) => h('div', {}, p)) : null),
    row(t('camera.clock'), typeof r.clockOffsetMs === 'number' ? `${Math.round(r.clockOffsetMs)} ms` : null),
    row(t('camera.address'), detail.address),
    row(t('col.purpose'), (detail.purposes ?? []).map(purposeName).join(', ')),
    row(t('camera.lastReport'), detail.lastReportAt ? fmtTime(detail.lastReportAt, currentLang()) : null),
  );
}

function conformanceView(c) {
  return h('div', {},
    h('p', {}, confBadge(c.verdict), ' ', `${t('camera.standard')}: ${c.standard}`, ' · ', `${t('camera.checkedAt')}: ${fmtTime(c.checkedAt, currentLang())}`),
    table(
      [
        { label: t('col.status'), cell: (r) => confBadge(r.status) },
        { label: t('col.name'), cell: (r) => r.title },
        { label: t('col.message'), cell: (r) => r.evidence },
      ],
      c.rules,
      { rowProps: (r) => ({ dataset: { rule: r.id } }) },
    ),
  );
}

function toLocalInput(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function loadPurposes(cam) {
  try {
    const res = await get('/api/v1/purposes');
    const list = Array.isArray(res) ? res : res.items ?? [];
    return list.length ? list : null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  return cam.purposes?.length ? cam.purposes.map((p) => (typeof p === 'string' ? { id: p, name: p } : p)) : null;
}

function clipRequestForm(cam, purposeOf) {
  const now = new Date();
  const from = h('input', { type: 'datetime-local', id: 'clip-from', value: toLocalInput(new Date(now.getTime() - 5 * 60_000)), required: true });
  const to = h('input', { type: 'datetime-local', id: 'clip-to', value: toLocalInput(now), required: true });
  const result = h('p', { id: 'clip-request-result', hidden: true });
  const form = h('form', { class: 'inline-form', id: 'clip-request', onsubmit: async (e) => {
    e.preventDefault();
    result.hidden = false;
    const f = new Date(from.value);
    const tt = new Date(to.value);
    if (!(f < tt)) {
      result.className = 'notice error';
      result.textContent = t('camera.badInterval');
      return;
    }
    if (!purposeOf()) {
      result.className = 'notice error';
      result.textContent = t('camera.needPurpose');
      return;
    }
    try {
      const res = await post(`/api/v1/agents/${enc(cam.agentId)}/commands`, { name: 'clip.request', args: { cameraId: cam.cameraId, from: f.toISOString(), to: tt.toISOString() } }, { headers: purposeHeaders(purposeOf()) });
      result.className = 'notice ok';
      result.textContent = t('camera.requested', { status: res?.state ?? res?.status ?? 'sent' });
    } catch (err) {
      const shown = failure(err, `POST /api/v1/agents/${cam.agentId}/commands`);
      result.className = shown.className;
      result.dataset.state = shown.dataset.state;
      result.textContent = shown.textContent;
    }
  } },
    h('label', {}, t('col.from'), from),
    h('label', {}, t('col.to'), to),
    h('button', { type: 'submit' }, t('camera.request')),
  );
  return h('div', {}, h('h3', {}, t('camera.requestClip')), form, result);
}
