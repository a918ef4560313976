// Admin console for sync conflicts. Talks to the server only through the JSON API in
// docs/conflicts.md, with a bearer token kept in sessionStorage (no cookies, so no CSRF).
'use strict';

const I18N = {
  vi: {},  // the HTML carries the Vietnamese text
  en: {
    title: 'District 11 online · Sync conflict resolution', logout: 'Sign out', login: 'Administrator sign-in',
    name: 'User name', password: 'Password', signin: 'Sign in', open: 'Waiting', history: 'Resolved history',
    table: 'Table', all: 'All', unit: 'Unit', age: 'Older than (hours)', filter: 'Filter', when: 'When',
    row: 'Row', columns: 'Columns', who: 'User, device', state: 'State', none: 'No conflicts.',
    conflict: 'Conflict', column: 'Column', base: 'Base (what the device saw)', device: 'Device', server: 'Server',
    decision: 'Decision', take_server: 'Keep server values', take_device: 'Take device values',
    resolve: 'Resolve', resolved_ok: 'Resolved. The decision goes to every device at its next sync.',
    not_admin: 'This account is not an administrator.', keep_server: 'server', keep_device: 'device', edit: 'edit',
    st_open: 'open', st_resolved: 'resolved', resolved_by: 'resolved by',
    op_delete: 'the citizen withdrew (deleted) this report; keep server = keep it, take device = delete it',
    op_update_deleted: 'the row was deleted on the server; take device = restore it with the device values',
    row_changed: 'The row changed after this conflict was parked; resolving it is refused.', deleted: '(deleted)',
  },
};
const VI = {
  resolved_ok: 'Đã xử lý. Quyết định sẽ đến mọi thiết bị ở lần đồng bộ tới.',
  not_admin: 'Tài khoản này không phải quản trị viên.', keep_server: 'máy chủ', keep_device: 'thiết bị', edit: 'sửa',
  st_open: 'đang chờ', st_resolved: 'đã xử lý', resolved_by: 'xử lý bởi',
  op_delete: 'người dân đã rút (xóa) phản ánh này; giữ máy chủ = giữ lại, lấy thiết bị = xóa',
  op_update_deleted: 'bản ghi đã bị xóa trên máy chủ; lấy thiết bị = khôi phục với giá trị của thiết bị',
  row_changed: 'Bản ghi đã thay đổi sau khi xung đột được ghi nhận; không thể xử lý.', deleted: '(đã xóa)',
};

let lang = localStorage.getItem('q11.lang') || 'vi';
let state = 'open';
let current = null;  // the conflict shown in detail

const $ = (sel) => document.querySelector(sel);
const t = (key) => (lang === 'en' ? I18N.en[key] : VI[key]) || key;

function applyLanguage() {
  document.documentElement.lang = lang;
  $('#lang').textContent = lang === 'vi' ? 'English' : 'Tiếng Việt';
  document.querySelectorAll('[data-i18n]').forEach((el) => {
    if (!el.dataset.vi) el.dataset.vi = el.textContent;
    el.textContent = lang === 'en' ? I18N.en[el.dataset.i18n] || el.dataset.vi : el.dataset.vi;
  });
}

function token() { return sessionStorage.getItem('q11.token'); }

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token()) headers.Authorization = 'Bearer ' + token();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && path !== '/v1/login') { signOut(); }
  if (!res.ok) {
    const msg = data ? (lang === 'vi' && data.message_vi ? data.message_vi : data.message) : res.statusText;
    throw new Error(msg || ('HTTP ' + res.status));
  }
  return data;
}

function show(view) {
  $('#login-view').hidden = view !== 'login';
  $('#console-view').hidden = view !== 'console';
  $('#logout').hidden = view !== 'console';
}

function signOut() {
  sessionStorage.removeItem('q11.token');
  show('login');
}

function fmt(v) {
  if (v === null || v === undefined) return '∅';
  return String(v);
}

function age(iso) {
  const hours = (Date.now() - Date.parse(iso)) / 3600000;
  return hours < 1 ? Math.max(0, Math.round(hours * 60)) + ' min' : hours.toFixed(1) + ' h';
}

// Lists are fetched concurrently (a language switch, a resolve, a tab click); only the newest
// request may draw, or an answer fetched before a resolve would bring the resolved row back.
let listSeq = 0;

async function loadList() {
  const seq = ++listSeq;
  const q = new URLSearchParams({ state });
  if ($('#f-table').value) q.set('table', $('#f-table').value);
  if ($('#f-unit').value.trim()) q.set('unit', $('#f-unit').value.trim());
  if ($('#f-age').value) q.set('min_age_hours', $('#f-age').value);
  const data = await api('GET', '/v1/admin/conflicts?' + q.toString());
  if (seq !== listSeq) return;
  const body = $('#list tbody');
  body.replaceChildren();
  for (const c of data.conflicts) {
    const tr = document.createElement('tr');
    tr.dataset.id = c.id;
    const cells = [
      c.created_at.replace('T', ' ').slice(0, 19) + ' (' + age(c.created_at) + ')', c.table, c.row_id,
      c.unit || '', c.columns.join(', '), (c.user || '') + ' · ' + (c.device_id || '').slice(0, 13),
      c.state === 'open' ? t('st_open') : t('st_resolved') + (c.resolved_by ? ' (' + c.resolved_by + ')' : ''),
    ];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    tr.addEventListener('click', () => openConflict(c.id));
    body.appendChild(tr);
  }
  $('#empty').hidden = data.conflicts.length > 0;
  $('#list').hidden = data.conflicts.length === 0;
}

async function openConflict(id) {
  current = await api('GET', '/v1/admin/conflicts/' + encodeURIComponent(id));
  document.querySelectorAll('#list tbody tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.id === id));
  $('#detail').hidden = false;
  $('#d-id').textContent = current.id;
  $('#d-meta').textContent = current.table + ' · ' + current.row_id + ' · ' + (current.user || '') + ' · ' +
    current.created_at + (current.resolution ? ' · ' + t('resolved_by') + ' ' + current.resolution.by + ' ' + current.resolution.at : '');
  const notes = [];
  if (current.operation === 'delete') notes.push(t('op_delete'));
  if (current.operation === 'update_deleted') notes.push(t('op_update_deleted'));
  if (current.row_changed) notes.push(t('row_changed'));
  $('#d-result').textContent = notes.join(' ');
  $('#d-result').className = current.row_changed ? 'fail' : '';
  const body = $('#three-way tbody');
  body.replaceChildren();
  const open = current.state === 'open';
  for (const col of current.columns) {
    const tr = document.createElement('tr');
    tr.dataset.column = col.column;
    const name = document.createElement('td');
    name.textContent = col.column;
    tr.appendChild(name);
    for (const side of ['base', 'device', 'server']) {
      const td = document.createElement('td');
      td.textContent = side === 'device' && current.operation === 'delete' ? t('deleted') : fmt(col[side]);
      td.className = 'v-' + side;
      if (side !== 'base' && col.device !== col.server) td.classList.add('differs');
      tr.appendChild(td);
    }
    const decide = document.createElement('td');
    if (open && current.operation !== 'delete') {
      const choice = document.createElement('select');
      choice.className = 'choice';
      for (const [value, label] of [['server', t('keep_server')], ['device', t('keep_device')], ['edit', t('edit')]]) {
        const o = document.createElement('option');
        o.value = value;
        o.textContent = label;
        choice.appendChild(o);
      }
      const edit = document.createElement('input');
      edit.type = 'text';
      edit.className = 'edit';
      edit.hidden = true;
      edit.value = fmt(col.server) === '∅' ? '' : col.server;
      choice.addEventListener('change', () => { edit.hidden = choice.value !== 'edit'; });
      decide.append(choice, edit);
    } else if (current.resolution && current.resolution.values) {
      decide.textContent = fmt(current.resolution.values[col.column]);
    }
    tr.appendChild(decide);
    body.appendChild(tr);
  }
  for (const b of ['#take-server', '#take-device', '#resolve']) $(b).disabled = !open;
  if (current.operation === 'delete') $('#resolve').disabled = true;  // decided whole
}

async function resolve(body) {
  try {
    await api('POST', '/v1/admin/conflicts/' + encodeURIComponent(current.id) + '/resolve', body);
    // It leaves the open list at once; the reload below then brings the rest up to date.
    if (state === 'open') {
      listSeq += 1;
      for (const tr of document.querySelectorAll('#list tbody tr')) {
        if (tr.dataset.id === current.id) tr.remove();
      }
    }
    $('#d-result').textContent = t('resolved_ok');
    $('#d-result').className = 'ok';
    for (const b of ['#take-server', '#take-device', '#resolve']) $(b).disabled = true;
    await loadList();
  } catch (e) {
    $('#d-result').textContent = e.message;
    $('#d-result').className = 'fail';
  }
}

function decisions() {
  const set = {};
  document.querySelectorAll('#three-way tbody tr').forEach((tr) => {
    const col = current.columns.find((c) => c.column === tr.dataset.column);
    const choice = tr.querySelector('.choice') ? tr.querySelector('.choice').value : 'server';
    if (choice === 'server') set[col.column] = col.server;
    else if (choice === 'device') set[col.column] = col.device;
    else set[col.column] = tr.querySelector('.edit').value;  // '' is an empty string, not NULL
  });
  return { set };
}

$('#login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('#login-error').textContent = '';
  try {
    const res = await api('POST', '/v1/login', { name: $('#login-name').value, password: $('#login-password').value });
    if (res.role !== 'admin') throw new Error(t('not_admin'));
    sessionStorage.setItem('q11.token', res.token);
    show('console');
    await loadList();
  } catch (e) {
    $('#login-error').textContent = e.message;
  }
});
$('#logout').addEventListener('click', signOut);
$('#lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('q11.lang', lang);
  applyLanguage();
  if (token()) {
    loadList();
    if (current && !$('#detail').hidden) openConflict(current.id);  // rebuild its labels
  }
});
document.querySelectorAll('.tab').forEach((tab) => tab.addEventListener('click', async () => {
  document.querySelectorAll('.tab').forEach((x) => x.classList.toggle('active', x === tab));
  state = tab.dataset.state;
  $('#detail').hidden = true;
  await loadList();
}));
$('#filters').addEventListener('submit', (ev) => { ev.preventDefault(); loadList(); });
$('#take-server').addEventListener('click', () => resolve({ take: 'server' }));
$('#take-device').addEventListener('click', () => resolve({ take: 'device' }));
$('#resolve').addEventListener('click', () => resolve(decisions()));

applyLanguage();
if (token()) { show('console'); loadList().catch(() => signOut()); } else { show('login'); }
