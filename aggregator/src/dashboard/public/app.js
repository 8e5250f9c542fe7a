// The dashboard shell: session, top bar, language switch, live indicator and a hash router.
import { h, clear } from './dom.js';
import { t, currentLang, setLang } from './i18n.js';
import { session, dropSession, post, get, setUnauthenticatedHandler, ApiError } from './api.js';
import { startLive, stopLive, onLiveState, onFleetChange, clearFleetListeners } from './live.js';

// `needs`: the menu offers a page only to users whose role has one of these actions (GET /api/v1/me).
// The menu is a convenience; what each page shows is still only what the API returns.
const PAGES = [
  { path: 'overview', nav: 'nav.overview', needs: ['view_health', 'view_inventory'], load: () => import('./pages/overview.js') },
  { path: 'map', nav: 'nav.map', needs: ['view_health', 'view_inventory'], load: () => import('./pages/map.js') },
  { path: 'cameras', nav: 'nav.cameras', needs: ['view_health', 'view_inventory'], load: () => import('./pages/cameras.js') },
  { path: 'alerts', nav: 'nav.alerts', needs: ['view_health'], load: () => import('./pages/alerts.js') },
  { path: 'inventory', nav: 'nav.inventory', needs: ['export_inventory'], load: () => import('./pages/inventory.js') },
  { path: 'audit', nav: 'nav.audit', needs: ['view_audit'], load: () => import('./pages/audit.js') },
  { path: 'sharing', nav: 'nav.sharing', needs: ['manage_sharing'], load: () => import('./pages/sharing.js') },
];

function offered(page) {
  const actions = session()?.user?.actions;
  return !Array.isArray(actions) || page.needs.some((a) => actions.includes(a));
}
const CAMERA_PAGE = { load: () => import('./pages/camera.js') };
const LOGIN_PAGE = { load: () => import('./pages/login.js') };

const main = document.getElementById('main');
let renderToken = 0;
let cleanup;

function parseRoute() {
  const [path, search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const query = new URLSearchParams(search);
  let parts;
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    parts = [];
  }
  if (parts[0] === 'login') return { page: LOGIN_PAGE, name: 'login', params: { query } };
  if (parts[0] === 'cameras' && parts[1]) return { page: CAMERA_PAGE, name: 'camera', params: { id: parts[1], query } };
  const page = PAGES.find((p) => p.path === (parts[0] ?? 'overview')) ?? PAGES.find(offered) ?? PAGES[0];
  return { page, name: page.path, params: { query } };
}

export function navigate(hash) {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function renderShell(routeName) {
  const s = session();
  const bar = document.getElementById('topbar');
  bar.hidden = !s;
  document.title = t('app.title');
  document.documentElement.lang = currentLang();
  const nav = clear(document.getElementById('nav'));
  if (s) {
    for (const p of PAGES.filter(offered)) {
      const active = routeName === p.path || (routeName === 'camera' && p.path === 'cameras');
      nav.append(h('a', { href: `#/${p.path}`, class: active ? 'active' : '', 'aria-current': active ? 'page' : false, dataset: { page: p.path } }, t(p.nav)));
    }
    const user = s.user;
    document.getElementById('whoami').textContent = user
      ? `${user.username}${user.orgName ? ' · ' + user.orgName : ''}`
      : t('session.token');
    document.getElementById('whoami').title = user?.role ?? '';
  }
  document.getElementById('lang').textContent = t('session.lang');
  document.getElementById('logout').textContent = t('session.logout');
}

async function render() {
  const mine = ++renderToken;
  cleanup?.();
  cleanup = undefined;
  clearFleetListeners();
  const route = parseRoute();
  if (!session() && route.name !== 'login') return navigate('#/login');
  if (session() && route.name === 'login') return navigate('#/');
  renderShell(route.name);
  document.getElementById('nav').classList.remove('open');
  const mod = await route.page.load();
  if (mine !== renderToken) return;
  clear(main);
  main.dataset.page = route.name;
  const root = h('div', { class: `page page-${route.name}` });
  main.append(root);
  try {
    cleanup = await mod.render(root, {
      params: route.params,
      navigate,
      onFleetChange: (fn) => onFleetChange(() => { if (mine === renderToken) fn(); }),
      isCurrent: () => mine === renderToken,
      signedIn: afterSignIn,
    });
  } catch (err) {
    root.append(h('p', { class: 'notice error' }, t('common.error', { message: err?.message ?? String(err) })));
  }
}

async function afterSignIn() {
  // Fill in who we are when the server offers it (a token sign-in knows nothing else).
  try {
    const me = await get('/api/v1/me');
    const s = session();
    if (s && me?.username) {
      s.user = me;
      sessionStorage.setItem('camfleet.session', JSON.stringify(s));
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  startLive();
  // Land on the first page this user's role offers (a business owner: their sharing page).
  const first = PAGES.find(offered) ?? PAGES[0];
  navigate(first.path === 'overview' ? '#/' : `#/${first.path}`);
}

async function logout() {
  stopLive();
  try {
    await post('/api/v1/auth/logout');
  } catch {
    /* the token is dropped from the browser either way */
  }
  dropSession();
  navigate('#/login');
}

setUnauthenticatedHandler(() => {
  stopLive();
  dropSession();
  navigate('#/login');
});

onLiveState((state) => {
  const el = document.getElementById('live');
  el.dataset.state = state;
  el.textContent = t(`live.${state}`);
});

document.getElementById('logout').addEventListener('click', () => void logout());
document.getElementById('lang').addEventListener('click', () => {
  setLang(currentLang() === 'vi' ? 'en' : 'vi');
  const el = document.getElementById('live');
  el.textContent = t(`live.${el.dataset.state ?? 'off'}`);
  void render();
});
document.getElementById('menu-toggle').addEventListener('click', (e) => {
  const nav = document.getElementById('nav');
  const open = nav.classList.toggle('open');
  e.currentTarget.setAttribute('aria-expanded', String(open));
});
window.addEventListener('hashchange', () => void render());

setLang(currentLang());
if (session()) startLive();
void render();
