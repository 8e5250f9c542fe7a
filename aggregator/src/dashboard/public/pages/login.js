// Sign in with username and password (POST /api/v1/auth/login), or with an API token issued by
// `camfleet-aggregator user token` (kept for integrations and for servers without password login).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { post, get, saveSession, ApiError } from '../api.js';

export async function render(root, ctx) {
  const message = h('p', { class: 'notice error', role: 'alert', hidden: true, id: 'login-error' });
  const username = h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const show = (text) => {
    message.textContent = text;
    message.hidden = false;
  };

  const form = h('form', { class: 'login-form', id: 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    message.hidden = true;
    submit.disabled = true;
    try {
      const res = await post('/api/v1/auth/login', { username: username.value, password: password.value }, { token: null });
      saveSession({ token: res.token, user: res.user ?? null, expiresAt: res.expiresAt ?? null });
      await ctx.signedIn();
    } catch (err) {
      if (err instanceof ApiError && err.unavailable) {
        show(t('login.unavailable'));
        details.open = true;
      } else if (err instanceof ApiError && err.status === 429) show(t('login.limited'));
      else if (err instanceof ApiError && (err.status === 401 || err.status === 400)) show(t('login.bad'));
      else show(t('common.error', { message: err.message }));
    } finally {
      submit.disabled = false;
    }
  } },
    h('label', { for: 'username' }, t('login.username')), username,
    h('label', { for: 'password' }, t('login.password')), password,
    submit,
  );

  const tokenInput = h('input', { name: 'token', id: 'token', type: 'password', autocomplete: 'off', required: true });
  const tokenForm = h('form', { class: 'login-form', id: 'token-form', onsubmit: async (e) => {
    e.preventDefault();
    message.hidden = true;
    const token = tokenInput.value.trim();
    try {
      let user = null;
      try {
        user = (await get('/api/v1/me', { token })) ?? null;
      } catch (err) {
        if (!(err instanceof ApiError && err.unavailable)) throw err;
        await get('/api/v1/fleet', { token }); // the token works
      }
      saveSession({ token, user });
      await ctx.signedIn();
    } catch (err) {
      show(err instanceof ApiError && err.status === 401 ? t('login.tokenBad') : t('common.error', { message: err.message }));
    }
  } },
    h('label', { for: 'token' }, t('login.token')), tokenInput,
    h('button', { type: 'submit' }, t('login.tokenSubmit')),
  );
  const details = h('details', { class: 'token-login' }, h('summary', {}, t('login.tokenTitle')), tokenForm);

  const lang = h('button', { type: 'button', class: 'lang', onclick: () => document.getElementById('lang').click() }, t('session.lang'));
  root.append(
    h('div', { class: 'login-card card' },
      h('div', { class: 'login-head' }, h('h1', {}, h('img', { src: '/assets/icon.svg', alt: '', width: 32, height: 32 }), ' camfleet'), lang),
      h('h2', {}, t('login.title')),
      message, form, details,
    ),
  );
}
