// The app's shell: starts the engine worker and the service worker, keeps who is logged in,
// the reference data and the online state, draws the header, and routes (location.hash) to
// the screens: login/register here, "Quận 11 online" for citizens (citizen.js), "CĐĐH" for
// officials (official.js). Screens get a context object (ctx below) and return
// {node, refresh?}; refresh() redraws what the server may have changed without touching
// what the user is typing.
import * as engine from './engine.js';
import { h, field } from './dom.js';
import { t, getLang, setLang, errorText } from './i18n.js';
import { citizenHome, newReportScreen, receiptScreen, reportScreen } from './citizen.js';
import { officialHome, caseScreen } from './official.js';

const main = document.getElementById('main');
const bar = document.getElementById('bar');
const appName = document.getElementById('app-name');
const notice = document.getElementById('notice');

const state = {
  account: null,     // q11_account_json, or null when nobody is logged in
  reference: null,   // q11_reference_json
  online: navigator.onLine,
  pending: 0,
  syncing: false,
  storage: '',
  filters: {},       // the official's list filters, kept across screens
};
let current = null;  // the screen on display: {node, refresh?, dispose?}
let routeSeq = 0;

// ---- notices and errors -----------------------------------------------------------------

let noticeTimer = 0;
// A message in the live region; good news fades after a while, errors and warnings stay
// until the next message.
function say(text, kind = 'info') {
  clearTimeout(noticeTimer);
  notice.replaceChildren(h('p', { class: `msg ${kind}` }, text));
  if (kind === 'ok' || kind === 'info') noticeTimer = setTimeout(() => notice.replaceChildren(), 12000);
}
function sayError(answer) {
  say(errorText(answer), 'error');
}

// ---- header -----------------------------------------------------------------------------

function isOfficial() {
  return state.account && state.account.role !== 'citizen';
}

function drawBar() {
  setLangAttr();
  appName.textContent = isOfficial() ? t('appOfficial') : t('appCitizen');
  document.title = isOfficial() ? t('appOfficialLong') : t('appCitizen');
  const langButton = h('button', { type: 'button', class: 'link', lang: getLang() === 'vi' ? 'en' : 'vi',
    onclick: () => { setLang(getLang() === 'vi' ? 'en' : 'vi'); notice.replaceChildren(); drawBar(); rerender(); } }, t('language'));
  if (!state.account) {
    bar.replaceChildren(langButton);
    return;
  }
  const net = h('span', { class: `net ${state.online ? 'on' : 'off'}` }, state.online ? t('online') : t('offline'));
  const pending = h('span', { class: 'pending' }, state.pending ? t('pending', state.pending) : t('pendingNone'));
  const syncButton = h('button', { type: 'button', class: 'primary small', onclick: () => syncNow('button'),
    disabled: state.syncing, 'aria-describedby': 'pending-count' }, state.syncing ? t('syncing') : t('sync'));
  pending.id = 'pending-count';
  const who = h('span', { class: 'who' },
    t('signedInAs', state.account.name, t('roleName')[state.account.role] || state.account.role));
  const logout = h('button', { type: 'button', class: 'link', onclick: logoutNow }, t('logout'));
  bar.replaceChildren(h('div', { class: 'status-line' }, net, pending, syncButton),
    h('div', { class: 'user-line' }, who, langButton, logout));
}
function setLangAttr() { document.documentElement.lang = getLang(); }

async function refreshPending() {
  const r = await engine.call('q11_outbox_count');
  if (r.rc === 0) state.pending = r.value;
}

// ---- sync -------------------------------------------------------------------------------

function settledMessages(summary) {
  return (summary && summary.settled ? summary.settled : []).map((s) => s.message).filter(Boolean);
}

// Rows this device held unlike the server's, found by the sync's checksums and put right
// (docs/protocol.md, "Verified convergence"): said in the status text, never silent.
function driftNote(summary) {
  const drift = summary && summary.drift ? summary.drift : [];
  const repaired = drift.filter((d) => d.repaired);
  const open = drift.filter((d) => !d.repaired);
  const rows = repaired.reduce((n, d) => n + (d.rows_differing || 0), 0);
  return [repaired.length ? t('driftRepaired', rows) : '', open.length ? t('driftOpen') : '']
    .join(' ').trim();
}

async function syncNow(why) {
  if (!state.account || state.syncing) return;
  state.syncing = true;
  drawBar();
  const r = await engine.sync(why);
  state.syncing = false;
  await afterSync(r, why);
}

// Units, categories, holidays and response templates: the compiled offline default until
// the first sync, then the server's (docs/units.md). Read again after every sync that
// brought rows, so a changed ward or template shows without reloading the page.
async function loadReference() {
  const ref = await engine.call('q11_reference_json');
  if (ref.rc === 0) state.reference = ref.value;
  else if (!state.reference) state.reference = { units: [], categories: [], templates: [] };
}

async function afterSync(r, why) {
  if (r.rc === 0) {
    state.online = true;
    if (r.value && (r.value.pulled_rows > 0 || r.value.new_epoch)) await loadReference();
    const messages = settledMessages(r.value);
    const drift = driftNote(r.value);
    if (r.value && r.value.new_epoch) {
      // The server went back to a backup and this device healed it (docs/backup.md).
      say(t('serverRestored', r.value), 'info');
    } else if (why === 'button' || why === 'reconnect' || messages.length || drift) {
      // The messages themselves (the server's words, rows named by id) are listed, explained,
      // on the home screen and on their report: here what happened and where to read it.
      say([t('syncedSummary', r.value || {}), messages.length ? t('settledNotice', messages.length) : '', drift]
        .join(' ').trim(), messages.length ? 'warn' : drift ? 'info' : 'ok');
    } else if (why === 'live' && r.value && r.value.pulled_rows > 0) {
      say(t('liveUpdated'), 'info');
    }
  } else if (why === 'button' || r.rc !== 8) {
    sayError(r);
  }
  if (r.rc === 8) state.online = false;
  await refreshPending();
  drawBar();
  refreshScreen();
}

let syncTimer = 0;
// After a local write: send it soon when online (several quick writes go together).
function scheduleSync() {
  if (!state.online || !navigator.onLine) return;
  clearTimeout(syncTimer);
  syncTimer = setTimeout(() => syncNow('write'), 300);
}

// ---- routing ----------------------------------------------------------------------------

function route() {
  const [, name = '', arg = ''] = (location.hash || '#/').match(/^#\/([^/]*)\/?(.*)$/) || [];
  return { name, arg: decodeURIComponent(arg) };
}
export function go(hash) {
  if (location.hash === hash) render(true);
  else location.hash = hash;
}

const ctx = {
  state, engine, say, sayError, go, scheduleSync,
  afterWrite: async () => { await refreshPending(); drawBar(); scheduleSync(); },
};

async function screenFor(r) {
  if (!state.account) {
    return r.name === 'dang-ky' ? registerScreen() : loginScreen();
  }
  if (isOfficial()) {
    if (r.name === 'ho-so' && r.arg) return caseScreen(ctx, r.arg);
    return officialHome(ctx);
  }
  if (r.name === 'moi') return newReportScreen(ctx);
  if (r.name === 'bien-nhan' && r.arg) return receiptScreen(ctx, r.arg);
  if (r.name === 'phan-anh' && r.arg) return reportScreen(ctx, r.arg);
  return citizenHome(ctx);
}

// Draws the screen of the current hash; `focus`: move the focus to its heading (a new
// screen), not when redrawing the same one.
async function render(focus) {
  const seq = ++routeSeq;
  const screen = await screenFor(route());
  if (seq !== routeSeq) { screen.dispose?.(); return; }  // a newer navigation won
  current?.dispose?.();
  current = screen;
  main.replaceChildren(screen.node);
  if (focus) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }
}
function rerender() { render(false); }
function refreshScreen() {
  if (current && current.refresh) current.refresh();
  else if (current && !current.keep) rerender();
}

// ---- login and register -----------------------------------------------------------------

function loginScreen() {
  const name = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('login'));
  const form = h('form', { class: 'card', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    button.disabled = true;
    const r = await engine.call('q11_login', location.origin, name.value.trim(), password.value);
    button.disabled = false;
    if (r.rc !== 0) {
      // 6 (FAILED_PRECONDITION) from a login is the engine refusing another user while the
      // previous one's changes wait on this device (or an untrusted certificate): say which.
      error.textContent = r.rc === 8 ? `${t('needNetworkLogin')} ${errorText(r)}`
        : r.rc === 6 && state.pending > 0 ? `${t('otherUserPending', state.pending)} (${r.errmsg})` : errorText(r);
      password.focus();
      return;
    }
    await signedIn();
  } },
  field(t('username'), name), field(t('password'), password), error, button);
  // Changes of the account logged in before wait on this device: only that account can send
  // them, and until then the engine lets no other account in (it would start a fresh replica).
  const waiting = state.pending > 0 ? h('p', { class: 'msg warn', id: 'pending-after-logout' }, t('pendingAfterLogout', state.pending)) : '';
  return { node: h('section', { class: 'auth' }, h('h1', {}, t('loginTitle')), h('p', { class: 'hint' }, t('loginIntro')), waiting, form,
    h('p', {}, h('a', { href: '#/dang-ky' }, t('toRegister')))), keep: true };
}

function registerScreen() {
  const name = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'tel' });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('register'));
  const form = h('form', { class: 'card', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    button.disabled = true;
    const r = await engine.call('q11_register', location.origin, name.value.trim(), password.value,
      phone.value.trim() || null, email.value.trim() || null);
    button.disabled = false;
    if (r.rc !== 0) {
      error.textContent = errorText(r);
      name.focus();
      return;
    }
    await signedIn();
  } },
  field(t('username'), name, t('usernameHint')), field(t('password'), password, t('passwordHint')),
  field(t('phone'), phone), field(t('email'), email), error, button);
  return { node: h('section', { class: 'auth' }, h('h1', {}, t('registerTitle')), form,
    h('p', {}, h('a', { href: '#/' }, t('toLogin')))), keep: true };
}

async function loadAccount() {
  const r = await engine.call('q11_account_json');
  state.account = r.rc === 0 ? r.value : null;
}

async function signedIn() {
  await loadAccount();
  // Ask the browser not to evict the database under storage pressure.
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  const r = await engine.sync('login');
  await afterSync(r, 'login');
  engine.setLive(true);
  location.hash = '#/';
  render(true);
}

async function logoutNow() {
  engine.setLive(false);
  const r = await engine.call('q11_logout');
  if (r.rc !== 0 && r.rc !== 2) sayError(r);
  state.account = null;
  // What was said to the previous user is not for whoever logs in next.
  clearTimeout(noticeTimer);
  if (r.rc === 0 || r.rc === 2) notice.replaceChildren();
  await refreshPending();  // the login screen says what still waits on this device
  drawBar();
  location.hash = '#/';
  render(true);
}

// ---- start ------------------------------------------------------------------------------

async function start() {
  setLangAttr();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js').catch((e) => console.warn('service worker:', e));
  }
  const params = new URLSearchParams(location.search);
  const init = await engine.startEngine({ storage: params.get('storage') || 'auto' });
  if (init.rc !== 0) {
    main.replaceChildren(h('h1', {}, t('engineFailed')), h('p', { role: 'alert' }, errorText(init)));
    return;
  }
  state.storage = init.value.storage;
  document.body.dataset.storage = state.storage;
  await loadReference();
  await loadAccount();
  await refreshPending();
  engine.onEngineEvent(async (ev) => {
    if (ev.event === 'net') {
      state.online = ev.online && navigator.onLine;
      drawBar();
    } else if (ev.event === 'synced') {
      // Syncs the worker started itself (reconnect, live update). Logged out, its failure
      // (nobody to sync for) is no news.
      if (state.account) await afterSync(ev, ev.why);
    } else if (ev.event === 'changed') {
      if (ev.why === 'tab') await loadAccount();
      await refreshPending();
      drawBar();
      refreshScreen();
    }
  });
  window.addEventListener('online', () => {
    state.online = true;
    engine.setOnline(true);  // the worker syncs what waited, then listens again
    drawBar();
  });
  window.addEventListener('offline', () => {
    state.online = false;
    engine.setOnline(false);
    drawBar();
  });
  window.addEventListener('hashchange', () => render(true));
  drawBar();
  await render(false);
  document.body.dataset.ready = '1';  // for tests and for people: the engine answers
  if (state.account) {
    engine.setLive(true);  // the worker listens while the browser is online
    if (navigator.onLine) syncNow('start');
  }
}

start().catch((e) => {
  main.replaceChildren(h('h1', {}, t('engineFailed')), h('p', { role: 'alert' }, String(e && e.message ? e.message : e)));
});
