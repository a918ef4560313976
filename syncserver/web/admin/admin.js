// Admin console for sync conflicts. Talks to the server only through the JSON API in
// docs/conflicts.md, with a bearer token kept in sessionStorage (no cookies, so no CSRF).
// It speaks of the case and the people, not of tables and sides: each conflict shows the
// report (receipt code, title, ward), who made each value and what they wrote, and the
// decisions read "Keep <who>'s change" / "Use <who>'s change". A citizen is shown only by
// pseudonym (the API never gives their account name). Times are Vietnam time (UTC+7).
'use strict';

const EN = {
  title: 'District 11 online · Sync conflict resolution', logout: 'Sign out', login: 'Administrator sign-in',
  name: 'User name', password: 'Password', signin: 'Sign in', open: 'Waiting', history: 'Resolved history',
  table: 'Kind of data', all: 'All', t_reports: 'Reports', t_case_events: 'Case events', unit: 'Unit id (e.g. p04)',
  age: 'Waiting longer than (hours)', filter: 'Filter', times_note: 'Times are Vietnam time (UTC+7).',
  case: 'Case', ward: 'Ward', what: 'What is in conflict', who: 'Changed by', when: 'Recorded at (UTC+7)',
  state: 'State', none: 'No conflicts.', conflict_about: 'Conflict about case', column: 'Item',
  base: 'Before (what the device saw)', decision: 'Decision', resolve: 'Apply the choice for each item',
  conflict_id: 'Conflict id',
  resolved_ok: 'Resolved. The decision goes to every device at its next sync.',
  not_admin: 'This account is not an administrator.',
  st_open: 'waiting', st_resolved: 'resolved', resolved_by: 'resolved by',
  f_ward: 'Ward', f_assigned: 'Assigned unit', f_status: 'Status now', f_recorded: 'Recorded at',
  f_resolved: 'Resolved',
  op_delete: 'The citizen withdrew this report on their phone after officials had started on it. Keeping the officials\' change keeps the report; using the citizen\'s change deletes it.',
  op_update_deleted: 'This report was deleted on the server; using the device\'s change restores it with the device\'s values.',
  row_changed: 'The case changed again after this conflict was recorded; it cannot be resolved from here.',
  withdrawn: '(withdrawn)', empty: '(empty)', unknown_case: '(case not found)',
  other: 'Choose another…', no_unit: '(no unit)',
  overruled: 'not applied: waiting for this decision',
  side_server: (w) => `Change by ${w} (on the server now)`,
  side_device: (w) => `Change by ${w} (not applied yet)`,
  side_server_unknown: 'What the server has now',
  no_notes: 'No note.',
  keep: (w) => `Keep ${w}'s change`, use: (w) => `Use ${w}'s change`,
  keep_current: 'Keep what the server has now', keep_short: (w) => `Keep ${w}'s`, use_short: (w) => `Use ${w}'s`,
  value_of: (w) => `${cap(w)}'s value`, current_value: 'On the server now',
  story: (d, cols, s) => `${cap(d)} changed ${cols} on a device that was not in sync; meanwhile ${s} changed the same. Choose whose change stands.`,
  story_alone: (d, cols) => `${cap(d)} changed ${cols} on a device that was not in sync; the change waits for an administrator before it applies.`,
  citizen_edit: 'The citizen edited the report after officials had started on it; using the citizen\'s change changes the case the officials are handling.',
  roles: { citizen: 'citizen', official: 'official', leader: 'leader', admin: 'administrator' }, someone: 'user',
  device: 'the device',
};
const VI = {
  resolved_ok: 'Đã xử lý. Quyết định sẽ đến mọi thiết bị ở lần đồng bộ tới.',
  not_admin: 'Tài khoản này không phải quản trị viên.',
  st_open: 'đang chờ', st_resolved: 'đã xử lý', resolved_by: 'xử lý bởi',
  f_ward: 'Phường', f_assigned: 'Đơn vị được giao', f_status: 'Trạng thái hiện tại', f_recorded: 'Ghi nhận lúc',
  f_resolved: 'Đã xử lý',
  op_delete: 'Người dân đã rút phản ánh này trên điện thoại sau khi cán bộ bắt đầu xử lý. Giữ thay đổi của cán bộ thì phản ánh được giữ lại; dùng thay đổi của người dân thì phản ánh bị xóa.',
  op_update_deleted: 'Phản ánh này đã bị xóa trên máy chủ; dùng thay đổi của thiết bị sẽ khôi phục nó với giá trị của thiết bị.',
  row_changed: 'Hồ sơ đã thay đổi tiếp sau khi xung đột được ghi nhận; không thể xử lý xung đột này tại đây.',
  withdrawn: '(đã rút)', empty: '(trống)', unknown_case: '(không tìm thấy hồ sơ)',
  other: 'Chọn khác…', no_unit: '(không giao đơn vị)',
  overruled: 'chưa áp dụng: chờ quyết định này',
  side_server: (w) => `Thay đổi của ${w} (đang có trên máy chủ)`,
  side_device: (w) => `Thay đổi của ${w} (chưa áp dụng)`,
  side_server_unknown: 'Nội dung đang có trên máy chủ',
  no_notes: 'Không có ghi chú.',
  keep: (w) => `Giữ thay đổi của ${w}`, use: (w) => `Dùng thay đổi của ${w}`,
  keep_current: 'Giữ nguyên nội dung hiện có', keep_short: (w) => `Giữ của ${w}`, use_short: (w) => `Dùng của ${w}`,
  value_of: (w) => `Giá trị của ${w}`, current_value: 'Đang có trên máy chủ',
  story: (d, cols, s) => `${cap(d)} đã thay đổi ${cols} trên thiết bị khi chưa đồng bộ; trong lúc đó ${s} đã thay đổi khác. Hãy chọn giữ thay đổi của ai.`,
  story_alone: (d, cols) => `${cap(d)} đã thay đổi ${cols} trên thiết bị khi chưa đồng bộ; thay đổi này chờ quản trị viên quyết định rồi mới được áp dụng.`,
  citizen_edit: 'Người dân đã sửa phản ánh sau khi cán bộ bắt đầu xử lý; dùng thay đổi của người dân sẽ thay đổi hồ sơ cán bộ đang xử lý.',
  case: 'Hồ sơ', ward: 'Phường', what: 'Nội dung bị xung đột', who: 'Người thay đổi', when: 'Ghi nhận lúc (UTC+7)',
  state: 'Tình trạng', column: 'Nội dung', base: 'Trước đó (thiết bị đã thấy)', decision: 'Quyết định',
  roles: { citizen: 'người dân', official: 'cán bộ', leader: 'lãnh đạo', admin: 'quản trị viên' }, someone: 'người dùng',
  device: 'thiết bị',
};
const STATUS = {
  vi: { new: 'mới', accepted: 'đã tiếp nhận', assigned: 'đã giao xử lý', in_progress: 'đang xử lý', resolved: 'đã giải quyết',
    closed: 'đã đóng', rejected: 'từ chối', duplicate: 'trùng lặp', reopened: 'mở lại' },
  en: { new: 'new', accepted: 'accepted', assigned: 'assigned', in_progress: 'in progress', resolved: 'resolved',
    closed: 'closed', rejected: 'rejected', duplicate: 'duplicate', reopened: 'reopened' },
};

let lang = localStorage.getItem('q11.lang') || 'vi';
let state = 'open';
let current = null;  // the conflict shown in detail

const $ = (sel) => document.querySelector(sel);
const t = (key) => (lang === 'en' ? EN[key] : VI[key]) ?? EN[key] ?? key;
function cap(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }
const named = (o, field) => (lang === 'en' ? o[field + '_en'] : o[field + '_vi']) || null;

function applyLanguage() {
  document.documentElement.lang = lang;
  $('#lang').textContent = lang === 'vi' ? 'English' : 'Tiếng Việt';
  $('#lang').lang = lang === 'vi' ? 'en' : 'vi';
  document.querySelectorAll('[data-i18n]').forEach((el) => {
    if (!el.dataset.vi) el.dataset.vi = el.textContent;
    el.textContent = lang === 'en' ? EN[el.dataset.i18n] || el.dataset.vi : el.dataset.vi;
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

// "2026-11-27T03:00:00.000Z" -> "27/11/2026 10:00" (Vietnam time; the labels say UTC+7).
function vnTime(iso) {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  const d = new Date(ms + 7 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

function age(iso) {
  const hours = (Date.now() - Date.parse(iso)) / 3600000;
  if (hours < 1) return Math.max(0, Math.round(hours * 60)) + (lang === 'en' ? ' min ago' : ' phút trước');
  return hours < 48 ? hours.toFixed(1) + (lang === 'en' ? ' h ago' : ' giờ trước')
    : Math.floor(hours / 24) + (lang === 'en' ? ' days ago' : ' ngày trước');
}

// A person in plain words: "cán bộ canbo.a", with `unit` "cán bộ canbo.a (Phường 4)";
// a citizen by pseudonym only, "người dân cd-ab12…"; null when unknown.
function who(p, unit = false) {
  if (!p) return null;
  const words = t('roles');
  const role = words[p.role] || t('someone');
  const id = p.role === 'citizen' ? p.reporter_ref : p.name;
  const unitName = unit ? named(p, 'unit_name') : null;
  return [role, id].filter(Boolean).join(' ') + (unitName ? ` (${unitName})` : '');
}
const pusher = (c) => who({ role: c.user_role, name: c.user, reporter_ref: c.user }) || t('device');

// A column's value for people: statuses in words, units by name, times in Vietnam time.
function readable(col, v) {
  if (v === null || v === undefined || v === '') return t('empty');
  if (col.kind === 'status') return STATUS[lang][v] || String(v);
  if (col.kind === 'unit' || col.kind === 'ward') {
    const u = (col.choices || []).find((x) => x.id === v);
    return u ? (lang === 'en' ? u.name_en : u.name_vi) : String(v);
  }
  if (col.kind === 'time') return vnTime(v) + ' (UTC+7)';
  return String(v);
}
const labelOf = (col) => (lang === 'en' ? col.label_en : col.label_vi) || col.column;

// Lists are fetched concurrently (a language switch, a resolve, a tab click); only the newest
// request may draw, or an answer fetched before a resolve would bring the resolved row back.
let listSeq = 0;

function cell(tr, label, content) {
  const td = document.createElement('td');
  td.dataset.label = label;
  if (typeof content === 'string') td.textContent = content; else td.append(...content);
  tr.append(td);
  return td;
}

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
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'open';
    const code = document.createElement('span');
    code.className = 'receipt';
    code.textContent = c.case ? (c.case.receipt_code || c.case.report_id.slice(0, 8)) : c.row_id.slice(0, 8);
    open.append(code, ' · ', c.case ? c.case.title + (c.case.withdrawn ? ' ' + t('withdrawn') : '') : t('unknown_case'));
    open.addEventListener('click', (ev) => { ev.stopPropagation(); openConflict(c.id); });
    cell(tr, t('case'), [open]);
    cell(tr, t('ward'), c.case ? named(c.case, 'ward_name') || c.case.ward_id : c.unit || '–');
    cell(tr, t('what'), (c.column_labels || []).map((l) => (lang === 'en' ? l.label_en : l.label_vi)).join(', '));
    cell(tr, t('who'), cap(pusher(c)));
    cell(tr, t('when'), vnTime(c.created_at) + ' · ' + age(c.created_at));
    cell(tr, t('state'), c.state === 'open' ? t('st_open') : t('st_resolved') + (c.resolved_by ? ' (' + c.resolved_by + ')' : ''));
    tr.addEventListener('click', () => openConflict(c.id));
    body.appendChild(tr);
  }
  $('#empty').hidden = data.conflicts.length > 0;
  $('#list').hidden = data.conflicts.length === 0;
}

function noteItems(side) {
  if (!side.notes.length) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = t('no_notes');
    return [li];
  }
  return side.notes.map((n) => {
    const li = document.createElement('li');
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = vnTime(n.at) + ' · ';
    let what = n.kind;
    if (n.kind === 'status') what = STATUS[lang][n.status] || n.status;
    if (n.kind === 'assignment') {
      const u = (current.units || []).find((x) => x.id === n.unit_id);
      what = '→ ' + (u ? (lang === 'en' ? u.name_en : u.name_vi) : n.unit_id);
    }
    li.append(when, what + (n.note ? ': ' : ''));
    if (n.note) {
      const q = document.createElement('q');
      q.textContent = n.note;
      li.append(q);
    }
    if (n.overruled) {
      const o = document.createElement('span');
      o.className = 'overruled';
      o.textContent = ' (' + t('overruled') + ')';
      li.append(o);
    }
    return li;
  });
}

function decisionControls(col, serverWho, deviceWho) {
  const box = document.createElement('div');
  box.className = 'decide-box';
  const choice = document.createElement('select');
  choice.className = 'choice';
  choice.setAttribute('aria-label', t('decision') + ': ' + labelOf(col));
  const options = [['server', serverWho ? t('keep_short')(serverWho) : t('keep_current')],
    ['device', t('use_short')(deviceWho)], ['edit', t('other')]];
  for (const [value, label] of options) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    choice.append(o);
  }
  let edit;
  if (col.kind === 'unit' || col.kind === 'ward' || col.kind === 'status') {
    // A list to pick from, never an id to type.
    edit = document.createElement('select');
    edit.className = 'edit edit-' + (col.kind === 'status' ? 'status' : 'unit');
    const items = col.kind === 'status'
      ? Object.keys(STATUS.en).map((s) => [s, STATUS[lang][s]])
      : (col.choices || []).map((u) => [u.id, lang === 'en' ? u.name_en : u.name_vi]);
    if (col.kind === 'unit') items.unshift(['', t('no_unit')]);
    for (const [value, label] of items) {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = label;
      edit.append(o);
    }
    edit.value = col.server ?? '';
  } else {
    edit = document.createElement('input');
    edit.type = 'text';
    edit.className = 'edit';
    edit.value = col.server === null || col.server === undefined ? '' : String(col.server);
  }
  edit.setAttribute('aria-label', t('other') + ' ' + labelOf(col));
  edit.hidden = true;
  choice.addEventListener('change', () => { edit.hidden = choice.value !== 'edit'; if (!edit.hidden) edit.focus(); });
  box.append(choice, edit);
  return box;
}

async function openConflict(id) {
  current = await api('GET', '/v1/admin/conflicts/' + encodeURIComponent(id));
  document.querySelectorAll('#list tbody tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.id === id));
  renderDetail();
  $('#detail').hidden = false;
  $('#detail').focus();
}

function renderDetail() {
  const c = current;
  const serverWho = who(c.server_side.who);
  const deviceWho = who(c.device_side.who) || pusher(c);
  const serverFull = who(c.server_side.who, true), deviceFull = who(c.device_side.who, true) || deviceWho;
  $('#d-id').textContent = c.id;
  $('#d-receipt').textContent = c.case ? (c.case.receipt_code || c.case.report_id) : c.row_id;
  $('#d-title').textContent = c.case ? c.case.title + (c.case.withdrawn ? ' ' + t('withdrawn') : '') : t('unknown_case');
  const facts = [];
  if (c.case) {
    facts.push(['f_ward', named(c.case, 'ward_name') || c.case.ward_id],
      ['f_assigned', c.case.assigned_unit ? named(c.case, 'assigned_name') || c.case.assigned_unit : '–'],
      ['f_status', STATUS[lang][c.case.status] || c.case.status]);
  }
  facts.push(['f_recorded', vnTime(c.created_at) + ' (UTC+7)']);
  if (c.resolution) facts.push(['f_resolved', `${c.resolution.by} · ${vnTime(c.resolution.at)} (UTC+7)`]);
  const dl = [];
  for (const [k, v] of facts) {
    const dt = document.createElement('dt');
    dt.textContent = t(k);
    const dd = document.createElement('dd');
    dd.dataset.fact = k;
    dd.textContent = v;
    dl.push(dt, dd);
  }
  $('#d-case').replaceChildren(...dl);
  const cols = c.columns.map(labelOf).join(', ').toLowerCase();
  $('#d-story').textContent = serverWho ? t('story')(deviceFull, cols, serverFull) : t('story_alone')(deviceFull, cols);

  $('#side-server h3').textContent = serverWho ? t('side_server')(serverFull) : t('side_server_unknown');
  $('#side-server .notes').replaceChildren(...noteItems(c.server_side));
  $('#side-device h3').textContent = t('side_device')(deviceFull);
  $('#side-device .notes').replaceChildren(...noteItems(c.device_side));
  $('#h-server').textContent = serverWho ? t('value_of')(serverWho) : t('current_value');
  $('#h-device').textContent = t('value_of')(deviceWho);

  const notes = [];
  if (c.operation === 'delete') notes.push(t('op_delete'));
  if (c.operation === 'update_deleted') notes.push(t('op_update_deleted'));
  if (c.operation === 'update' && c.user_role === 'citizen') notes.push(t('citizen_edit'));
  if (c.row_changed) notes.push(t('row_changed'));
  $('#d-result').textContent = notes.join(' ');
  $('#d-result').className = c.row_changed ? 'fail' : '';

  const body = $('#three-way tbody');
  body.replaceChildren();
  const open = c.state === 'open';
  const heads = [t('base'), $('#h-server').textContent, $('#h-device').textContent];
  for (const col of c.columns) {
    const tr = document.createElement('tr');
    tr.dataset.column = col.column;
    const name = cell(tr, t('column'), labelOf(col));
    name.className = 'label';
    ['base', 'server', 'device'].forEach((side, i) => {
      const text = side === 'device' && c.operation === 'delete' ? t('withdrawn') : readable(col, col[side]);
      const td = cell(tr, heads[i], text);
      td.className = 'v-' + side;
      if (side !== 'base' && col.device !== col.server) td.classList.add('differs');
    });
    const decide = cell(tr, t('decision'), '');
    decide.className = 'decide';
    if (open && c.operation !== 'delete') {
      decide.append(decisionControls(col, serverWho, deviceWho));
    } else if (c.resolution && c.resolution.values) {
      decide.textContent = readable(col, c.resolution.values[col.column]);
    }
    body.appendChild(tr);
  }
  $('#take-server').textContent = serverWho ? t('keep')(serverWho) : t('keep_current');
  $('#take-device').textContent = t('use')(deviceWho);
  for (const b of ['#take-server', '#take-device', '#resolve']) $(b).disabled = !open;
  if (c.operation === 'delete') $('#resolve').disabled = true;  // decided whole
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
    for (const b of ['#take-server', '#take-device', '#resolve']) $(b).disabled = true;
    // The view shows the decision from now on (and a language switch cannot re-enable it).
    current = await api('GET', '/v1/admin/conflicts/' + encodeURIComponent(current.id));
    renderDetail();
    $('#d-result').textContent = t('resolved_ok');
    $('#d-result').className = 'ok';
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
    else {
      const v = tr.querySelector('.edit').value;  // '' is an empty string, not NULL...
      set[col.column] = v === '' && col.kind === 'unit' ? null : v;  // ...except "no unit"
    }
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
    if (current && !$('#detail').hidden) renderDetail();  // rebuild its labels
  }
});
document.querySelectorAll('.tab').forEach((tab) => tab.addEventListener('click', async () => {
  document.querySelectorAll('.tab').forEach((x) => {
    x.classList.toggle('active', x === tab);
    x.setAttribute('aria-pressed', String(x === tab));
  });
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
