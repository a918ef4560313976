// Monitoring dashboard for leaders and admins (docs/monitoring.md). Reads only the JSON and
// CSV API under /v1/monitor/ with a bearer token kept in sessionStorage (no cookies, so no
// CSRF); draws the charts with the vendored Chart.js. Times are shown in Vietnam time
// (UTC+7) whatever the browser's time zone, as the figures are counted in it.
'use strict';

const EN = {
  title: 'District 11 online · Case handling monitor', logout: 'Sign out', login: 'Leader sign-in',
  name: 'User name', password: 'Password', signin: 'Sign in', from: 'From', to: 'To', show: 'Show',
  csv_units: 'Download unit table (CSV)', csv_cases: 'Download cases (CSV)', received: 'Received',
  open: 'Open', overdue_now: 'Overdue now', on_time_rate: 'On-time rate',
  resolve_median: 'Time to resolve (median, working hours)', satisfaction: 'Satisfaction (1–5)',
  on_time_note: 'On-time rate = resolved on time ÷ (resolved + open and already overdue): the overdue backlog counts too.',
  chart_weeks: 'Per week: received and resolved', chart_ranked: 'Units ranked by on-time rate',
  chart_backlog: 'Open cases by age (working days)',
  chart_map: 'Map of open cases (latitude, longitude; red: overdue)', map_overdue: 'overdue', map_open: 'open', by_unit: 'By unit', by_category: 'By category',
  overdue_of: 'Overdue cases of', receipt: 'Receipt', case_title: 'Title', status: 'Status',
  received_at: 'Received', deadline: 'Deadline', late_hours: 'Late (working hours)',
  none_overdue: 'No overdue cases.', case: 'Case', history: 'History',
  not_leader: 'This account is not a leader or an administrator.',
  c_unit: 'Unit', c_category: 'Category', c_received: 'Received', c_open: 'Open', c_in_progress: 'In progress',
  c_resolved: 'Resolved', c_rejected: 'Rejected', c_overdue_now: 'Overdue now', c_on_time_rate: 'On-time',
  c_accept_median_hours: 'Accept median h', c_accept_p90_hours: 'Accept p90 h',
  c_resolve_median_hours: 'Resolve median h', c_resolve_p90_hours: 'Resolve p90 h',
  c_reopen_rate: 'Reopened', c_satisfaction: 'Rating', weeks_received: 'received', weeks_resolved: 'resolved',
  backlog_open: 'open, not overdue', backlog_overdue: 'overdue', loaded: 'Figures at', kind_district: 'district',
  f_category: 'Category', f_ward: 'Ward', f_unit: 'Assigned unit', f_created: 'Filed (phone clock)',
  f_received: 'Received (server)', f_accepted: 'Accepted', f_assigned: 'Assigned', f_due: 'Due',
  f_expected: 'Expected', f_resolved: 'Resolved (server)', f_closed: 'Closed', f_status: 'Status', f_stars: 'Rating',
};
const VI = {
  not_leader: 'Tài khoản này không phải lãnh đạo hoặc quản trị viên.',
  c_unit: 'Đơn vị', c_category: 'Lĩnh vực', c_received: 'Tiếp nhận', c_open: 'Đang mở', c_in_progress: 'Đang xử lý',
  c_resolved: 'Đã giải quyết', c_rejected: 'Từ chối', c_overdue_now: 'Quá hạn', c_on_time_rate: 'Đúng hạn',
  c_accept_median_hours: 'Tiếp nhận TV (giờ)', c_accept_p90_hours: 'Tiếp nhận P90 (giờ)',
  c_resolve_median_hours: 'Giải quyết TV (giờ)', c_resolve_p90_hours: 'Giải quyết P90 (giờ)',
  c_reopen_rate: 'Mở lại', c_satisfaction: 'Hài lòng', weeks_received: 'tiếp nhận', weeks_resolved: 'đã giải quyết',
  backlog_open: 'đang mở, chưa quá hạn', backlog_overdue: 'quá hạn', map_overdue: 'quá hạn', map_open: 'đang mở', loaded: 'Số liệu lúc', kind_district: 'quận',
  f_category: 'Lĩnh vực', f_ward: 'Phường', f_unit: 'Đơn vị được giao', f_created: 'Gửi lúc (giờ điện thoại)',
  f_received: 'Tiếp nhận (máy chủ)', f_accepted: 'Nhận xử lý', f_assigned: 'Giao việc', f_due: 'Hạn xử lý',
  f_expected: 'Dự kiến hoàn thành', f_resolved: 'Giải quyết (máy chủ)', f_closed: 'Đóng', f_status: 'Trạng thái',
  f_stars: 'Đánh giá',
};
const STATUS = {
  vi: { new: 'mới', accepted: 'đã tiếp nhận', assigned: 'đã giao', in_progress: 'đang xử lý', resolved: 'đã giải quyết',
    closed: 'đã đóng', rejected: 'từ chối', duplicate: 'trùng', reopened: 'mở lại' },
  en: { new: 'new', accepted: 'accepted', assigned: 'assigned', in_progress: 'in progress', resolved: 'resolved',
    closed: 'closed', rejected: 'rejected', duplicate: 'duplicate', reopened: 'reopened' },
};
const COLUMNS = ['received', 'open', 'in_progress', 'resolved', 'rejected', 'overdue_now', 'on_time_rate',
  'accept_median_hours', 'accept_p90_hours', 'resolve_median_hours', 'resolve_p90_hours', 'reopen_rate',
  'satisfaction'];

let lang = localStorage.getItem('q11.lang') || 'vi';
let report = null;  // the last /v1/monitor/units answer
const sortState = { units: null, categories: null };
const charts = {};

const $ = (sel) => document.querySelector(sel);
const t = (key) => (lang === 'en' ? EN[key] : VI[key]) || key;
const nameOf = (row) => (lang === 'en' ? row.name_en : row.name_vi) || row.id;

function applyLanguage() {
  document.documentElement.lang = lang;
  $('#lang').textContent = lang === 'vi' ? 'English' : 'Tiếng Việt';
  document.querySelectorAll('[data-i18n]').forEach((el) => {
    if (!el.dataset.vi) el.dataset.vi = el.textContent;
    el.textContent = lang === 'en' ? EN[el.dataset.i18n] || el.dataset.vi : el.dataset.vi;
  });
  if (report) render();
}

function token() { return sessionStorage.getItem('q11.token'); }

async function request(path, init = {}) {
  const headers = { Accept: 'application/json', ...(init.headers || {}) };
  if (token()) headers.Authorization = 'Bearer ' + token();
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401 && path !== '/v1/login') signOut();
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    const msg = data ? (lang === 'vi' && data.message_vi ? data.message_vi : data.message) : res.statusText;
    throw new Error(msg || ('HTTP ' + res.status));
  }
  return res;
}
const getJson = async (path) => (await request(path)).json();

function show(view) {
  $('#login-view').hidden = view !== 'login';
  $('#dashboard-view').hidden = view !== 'dashboard';
  $('#logout').hidden = view !== 'dashboard';
}

function signOut() {
  sessionStorage.removeItem('q11.token');
  show('login');
}

// Formatting: numbers the way the tables and the test read them.
const pct = (v) => (v === null || v === undefined ? '–' : (v * 100).toFixed(1) + '%');
const num1 = (v) => (v === null || v === undefined ? '–' : Number(v).toFixed(1));
const num2 = (v) => (v === null || v === undefined ? '–' : Number(v).toFixed(2));
function cell(col, v) {
  if (col === 'on_time_rate' || col === 'reopen_rate') return pct(v);
  if (col === 'satisfaction') return num2(v);
  if (col.endsWith('_hours')) return num1(v);
  return String(v);
}
// "2026-11-27T03:00:00.000Z" -> "27/11/2026 10:00" (Vietnam time).
function vnTime(iso) {
  if (!iso) return '–';
  const d = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
function todayVn(offsetDays = 0) {
  return new Date(Date.now() + 7 * 3600 * 1000 + offsetDays * 86400000).toISOString().slice(0, 10);
}
function periodQuery() {
  return `from=${encodeURIComponent($('#p-from').value)}&to=${encodeURIComponent($('#p-to').value)}`;
}

async function load() {
  $('#status-line').textContent = '…';
  try {
    report = await getJson('/v1/monitor/units?' + periodQuery());
  } catch (e) {
    $('#status-line').textContent = e.message;
    return;
  }
  $('#overdue-view').hidden = true;
  $('#case-view').hidden = true;
  render();
}

function render() {
  $('#status-line').textContent = `${t('loaded')} ${vnTime(report.now)} · ${report.from} → ${report.to}`;
  const d = report.units.find((u) => u.kind === 'district') || report.units[0];
  if (d) {
    $('#card-received .value').textContent = d.received;
    $('#card-open .value').textContent = d.open;
    $('#card-overdue .value').textContent = d.overdue_now;
    $('#card-on-time .value').textContent = pct(d.on_time_rate);
    $('#card-resolve .value').textContent = num1(d.resolve_median_hours);
    $('#card-satisfaction .value').textContent = num2(d.satisfaction);
  }
  renderTable('units', report.units);
  renderTable('categories', report.categories.filter((c) => c.received > 0));
  renderCharts();
  renderMap();
}

function renderTable(id, rows) {
  const table = $('#' + id);
  const head = document.createElement('tr');
  const first = document.createElement('th');
  first.textContent = t(id === 'units' ? 'c_unit' : 'c_category');
  first.dataset.col = 'name';
  head.append(first);
  for (const col of COLUMNS) {
    const th = document.createElement('th');
    th.textContent = t('c_' + col);
    th.dataset.col = col;
    head.append(th);
  }
  const sort = sortState[id];
  head.querySelectorAll('th').forEach((th) => {
    if (sort && sort.col === th.dataset.col) th.classList.add(sort.dir > 0 ? 'sorted-asc' : 'sorted-desc');
    th.addEventListener('click', () => {
      const cur = sortState[id];
      sortState[id] = { col: th.dataset.col, dir: cur && cur.col === th.dataset.col ? -cur.dir : -1 };
      renderTable(id, rows);
    });
  });
  table.tHead.replaceChildren(head);
  let sorted = rows.slice();
  if (sort) {
    const key = (r) => (sort.col === 'name' ? nameOf(r) : r[sort.col]);
    sorted.sort((a, b) => {
      const x = key(a), y = key(b);
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;  // no figure: always last
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * sort.dir;
    });
  }
  const body = [];
  for (const r of sorted) {
    const tr = document.createElement('tr');
    tr.dataset.id = r.id;
    if (r.kind === 'district') tr.classList.add('district');
    const name = document.createElement('td');
    if (id === 'units') {
      const a = document.createElement('a');
      a.className = 'drill';
      a.textContent = nameOf(r);
      a.title = r.id;
      a.addEventListener('click', () => showOverdue(r));
      name.append(a);
    } else {
      name.textContent = nameOf(r);
    }
    tr.append(name);
    for (const col of COLUMNS) {
      const td = document.createElement('td');
      td.className = 'num';
      td.dataset.col = col;
      td.textContent = cell(col, r[col]);
      if (col === 'overdue_now' && r[col] > 0) td.classList.add('late');
      tr.append(td);
    }
    body.push(tr);
  }
  table.tBodies[0].replaceChildren(...body);
}

function chart(id, config) {
  if (typeof Chart === 'undefined') return;  // the page works without the charts
  if (charts[id]) charts[id].destroy();
  config.options = { responsive: true, maintainAspectRatio: false, animation: false, ...(config.options || {}) };
  charts[id] = new Chart($('#' + id), config);
}

function renderCharts() {
  chart('chart-weeks', {
    type: 'bar',
    data: {
      labels: report.weeks.map((w) => w.week_start.slice(5).split('-').reverse().join('/')),
      datasets: [
        { label: t('weeks_received'), data: report.weeks.map((w) => w.received), backgroundColor: '#0b4f8a' },
        { label: t('weeks_resolved'), data: report.weeks.map((w) => w.resolved), backgroundColor: '#1b6e3a' },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const ranked = report.units.filter((u) => u.kind !== 'district' && u.on_time_rate !== null)
    .sort((a, b) => b.on_time_rate - a.on_time_rate);
  chart('chart-ranked', {
    type: 'bar',
    data: {
      labels: ranked.map(nameOf),
      datasets: [{ label: t('on_time_rate'), data: ranked.map((u) => Math.round(u.on_time_rate * 1000) / 10),
        backgroundColor: ranked.map((u) => (u.on_time_rate >= 0.8 ? '#1b6e3a' : u.on_time_rate >= 0.5 ? '#c98a00' : '#b3261e')) }],
    },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { min: 0, max: 100, ticks: { callback: (v) => v + '%' } } } },
  });
  chart('chart-backlog', {
    type: 'bar',
    data: {
      labels: report.backlog.map((b) => (lang === 'en' ? b.label_en : b.label_vi)),
      datasets: [
        { label: t('backlog_open'), data: report.backlog.map((b) => b.open - b.overdue), backgroundColor: '#0b4f8a' },
        { label: t('backlog_overdue'), data: report.backlog.map((b) => b.overdue), backgroundColor: '#b3261e' },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

// Open cases by location: a scatter of their coordinates (no map tiles: nothing may be
// fetched from elsewhere). Clicking a point opens the case.
function renderMap() {
  const point = (m) => ({ x: m.lon, y: m.lat, id: m.id, code: m.receipt_code || m.id.slice(0, 8), ward: m.ward_id });
  chart('chart-map', {
    type: 'scatter',
    data: {
      datasets: [
        { label: t('map_open'), data: report.map.filter((m) => !m.overdue).map(point), backgroundColor: '#0b4f8a' },
        { label: t('map_overdue'), data: report.map.filter((m) => m.overdue).map(point), backgroundColor: '#b3261e' },
      ],
    },
    options: {
      elements: { point: { radius: 5 } },
      scales: { x: { ticks: { precision: 3 } }, y: { ticks: { precision: 3 } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.raw.code} (${c.raw.ward})` } } },
      onClick: (ev, items, c) => {
        if (items.length) showCase(c.data.datasets[items[0].datasetIndex].data[items[0].index].id);
      },
    },
  });
}

async function showOverdue(unit) {
  const data = await getJson(`/v1/monitor/units/${encodeURIComponent(unit.id)}/overdue?` + periodQuery());
  $('#overdue-unit').textContent = nameOf(unit);
  const rows = data.cases.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.id = c.id;
    const cells = [c.receipt_code || c.id.slice(0, 8), c.title, STATUS[lang][c.status] || c.status,
      vnTime(c.received_at), vnTime(c.deadline), num1(c.overdue_working_hours)];
    for (const v of cells) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    tr.addEventListener('click', () => showCase(c.id));
    return tr;
  });
  $('#overdue tbody').replaceChildren(...rows);
  $('#overdue-empty').hidden = rows.length > 0;
  $('#overdue-view').hidden = false;
  $('#case-view').hidden = true;
  $('#overdue-view').scrollIntoView();
}

async function showCase(id) {
  const data = await getJson('/v1/monitor/cases/' + encodeURIComponent(id));
  const c = data.case;
  $('#case-receipt').textContent = c.receipt_code || c.id;
  $('#case-title').textContent = c.title;
  const facts = [['f_status', STATUS[lang][c.status] || c.status], ['f_category', c.category_id], ['f_ward', c.ward_id],
    ['f_unit', c.assigned_unit || '–'], ['f_created', vnTime(c.created_at)], ['f_received', vnTime(c.received_at)],
    ['f_accepted', vnTime(c.accepted_at)], ['f_assigned', vnTime(c.assigned_at)], ['f_due', vnTime(c.due_at)],
    ['f_expected', vnTime(c.expected_at)], ['f_resolved', vnTime(c.resolved_at)], ['f_closed', vnTime(c.closed_at)],
    ['f_stars', c.stars === null ? '–' : String(c.stars)]];
  const dl = [];
  for (const [k, v] of facts) {
    const dt = document.createElement('dt');
    dt.textContent = t(k);
    const dd = document.createElement('dd');
    dd.textContent = v;
    dd.dataset.fact = k;
    dl.push(dt, dd);
  }
  $('#case-facts').replaceChildren(...dl);
  $('#case-events').replaceChildren(...data.events.map((e) => {
    const li = document.createElement('li');
    li.dataset.kind = e.kind;
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = vnTime(e.created_at);
    const what = document.createElement('strong');
    what.textContent = e.kind === 'status' ? (STATUS[lang][e.status] || e.status)
      : e.kind === 'assignment' ? `${e.kind} → ${e.unit_id || ''}` : e.kind === 'rating' ? `${e.kind} ${e.stars}★` : e.kind;
    li.append(when, what);
    if (e.note) li.append(' — ' + e.note);
    if (e.author_role) li.append(` (${e.author_role})`);
    return li;
  }));
  $('#case-view').hidden = false;
  $('#case-view').scrollIntoView();
}

// CSV downloads need the bearer token, so they go through fetch and a blob link.
async function download(path, fallbackName) {
  try {
    const res = await request(path, { headers: { Accept: 'text/csv' } });
    const name = (/filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '') || [])[1] || fallbackName;
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    $('#status-line').textContent = e.message;
  }
}

$('#login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('#login-error').textContent = '';
  try {
    const res = await request('/v1/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: $('#login-name').value, password: $('#login-password').value }),
    });
    const data = await res.json();
    if (data.role !== 'leader' && data.role !== 'admin') {
      $('#login-error').textContent = t('not_leader');
      return;
    }
    sessionStorage.setItem('q11.token', data.token);
    show('dashboard');
    await load();
  } catch (e) {
    $('#login-error').textContent = e.message;
  }
});
$('#period').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
$('#csv-units').addEventListener('click', () => download('/v1/monitor/units.csv?' + periodQuery(), 'units.csv'));
$('#csv-cases').addEventListener('click', () => download('/v1/monitor/cases.csv?' + periodQuery(), 'cases.csv'));
$('#logout').addEventListener('click', signOut);
$('#lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('q11.lang', lang);
  applyLanguage();
});

// The period: ?from=&to= in the page's address, else the last 90 days.
const params = new URLSearchParams(location.search);
$('#p-from').value = params.get('from') || todayVn(-89);
$('#p-to').value = params.get('to') || todayVn(0);
applyLanguage();
if (token()) {
  show('dashboard');
  load();
} else {
  show('login');
}
