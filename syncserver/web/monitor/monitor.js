// Monitoring dashboard for leaders and admins (docs/monitoring.md). Reads only the JSON and
// CSV API under /v1/monitor/ (and a case's photos from /v1/photos/, whose own access rule
// applies) with a bearer token kept in sessionStorage (no cookies, so no CSRF); draws the
// charts with Chart.js, served by the server itself. Times are shown in Vietnam time
// (UTC+7) whatever the browser's time zone, as the figures are counted in it, and say so.
// Works from the keyboard (every drill-down is a button or a link; Escape closes the
// detail views and gives focus back) and on a phone (wide tables scroll in their own box).
'use strict';

const EN = {
  title: 'District 11 online · Case handling monitor', logout: 'Sign out', login: 'Leader sign-in',
  name: 'User name', password: 'Password', signin: 'Sign in', from: 'From', to: 'To', show: 'Show',
  csv_units: 'Download unit table (CSV)', csv_cases: 'Download cases (CSV)', received: 'Received',
  open: 'Open', overdue_now: 'Overdue now', on_time_rate: 'On-time rate',
  resolve_median: 'Time to resolve (median, working hours)', satisfaction: 'Satisfaction (1–5 stars)',
  on_time_note: 'On-time rate = resolved on time ÷ (resolved + open and already overdue): the overdue backlog counts too.',
  chart_weeks: 'Per week: received and resolved', chart_ranked: 'Units ranked by on-time rate (units at 0% and without cases included)',
  chart_backlog: 'Open cases by age (working days)',
  chart_map: 'Map of open cases (latitude, longitude; red: overdue)', map_overdue: 'overdue', map_open: 'open', by_unit: 'By unit', by_category: 'By category',
  drill_note: 'Choose a unit\'s name to see its overdue cases.',
  overdue_of: 'Overdue cases of', receipt: 'Receipt code', case_title: 'Title', status: 'Status',
  received_at: 'Received at (UTC+7)', deadline: 'Deadline (UTC+7)', late_hours: 'Late (working hours)',
  none_overdue: 'No overdue cases.', case: 'Case', history: 'Handling history', close: 'Close (Esc)',
  times_note: 'Times are Vietnam time (UTC+7).', photos: 'Photos', no_photos: 'This case has no photos.',
  photo_full: 'Full photo', photo_open: 'Open the photo in a new tab', photo_missing: 'not uploaded yet',
  photo_of: { report: 'Citizen\'s photo', result: 'Result photo' }, photo_alt: (what, n) => `${what} ${n}, open the full photo`,
  not_leader: 'This account is not a leader or an administrator.',
  weeks_received: 'received', weeks_resolved: 'resolved',
  backlog_open: 'open, not overdue', backlog_overdue: 'overdue', loaded: 'Figures at', kind_district: 'district',
  no_cases_due: 'no case due yet',
  f_category: 'Category', f_ward: 'Ward', f_unit: 'Assigned unit', f_created: 'Filed (phone clock)',
  f_received: 'Received (server)', f_accepted: 'Accepted', f_assigned: 'Assigned', f_due: 'Deadline',
  f_expected: 'Expected completion', f_resolved: 'Resolved (server)', f_closed: 'Closed', f_status: 'Status', f_stars: 'Rating',
  ev: { comment: 'Note', assignment: 'Assigned to', progress: 'Progress update', result: 'Result', rating: 'Rating' },
  roles: { citizen: 'citizen', official: 'official', leader: 'leader', admin: 'administrator' },
};
const VI = {
  not_leader: 'Tài khoản này không phải lãnh đạo hoặc quản trị viên.',
  weeks_received: 'tiếp nhận', weeks_resolved: 'đã giải quyết',
  backlog_open: 'đang mở, chưa quá hạn', backlog_overdue: 'quá hạn', map_overdue: 'quá hạn', map_open: 'đang mở', loaded: 'Số liệu lúc', kind_district: 'quận',
  on_time_rate: 'Tỷ lệ đúng hạn', no_cases_due: 'chưa có hồ sơ đến hạn', photo_missing: 'chưa tải lên',
  photo_of: { report: 'Ảnh của người dân', result: 'Ảnh kết quả' }, photo_alt: (what, n) => `${what} ${n}, mở ảnh đầy đủ`,
  f_category: 'Lĩnh vực', f_ward: 'Phường', f_unit: 'Đơn vị được giao', f_created: 'Gửi lúc (giờ điện thoại)',
  f_received: 'Tiếp nhận (máy chủ)', f_accepted: 'Nhận xử lý', f_assigned: 'Giao việc', f_due: 'Hạn xử lý',
  f_expected: 'Dự kiến hoàn thành', f_resolved: 'Giải quyết (máy chủ)', f_closed: 'Đóng', f_status: 'Trạng thái',
  f_stars: 'Đánh giá',
  ev: { comment: 'Ghi chú', assignment: 'Giao cho', progress: 'Cập nhật tiến độ', result: 'Kết quả', rating: 'Đánh giá' },
  roles: { citizen: 'người dân', official: 'cán bộ', leader: 'lãnh đạo', admin: 'quản trị viên' },
};
// The tables' columns in full words, Vietnamese and English (no abbreviations).
const COLUMN_NAMES = {
  unit: ['Đơn vị', 'Unit'], category: ['Lĩnh vực', 'Category'],
  received: ['Tiếp nhận', 'Received'], open: ['Đang mở', 'Open'], in_progress: ['Đang xử lý', 'In progress'],
  resolved: ['Đã giải quyết', 'Resolved'], rejected: ['Từ chối', 'Rejected'], overdue_now: ['Quá hạn hiện tại', 'Overdue now'],
  on_time_rate: ['Tỷ lệ đúng hạn', 'On-time rate'],
  accept_median_hours: ['Thời gian tiếp nhận, trung vị (giờ làm việc)', 'Time to accept, median (working hours)'],
  accept_p90_hours: ['Thời gian tiếp nhận, 90% hồ sơ trong vòng (giờ làm việc)', 'Time to accept, 90% of cases within (working hours)'],
  resolve_median_hours: ['Thời gian giải quyết, trung vị (giờ làm việc)', 'Time to resolve, median (working hours)'],
  resolve_p90_hours: ['Thời gian giải quyết, 90% hồ sơ trong vòng (giờ làm việc)', 'Time to resolve, 90% of cases within (working hours)'],
  reopen_rate: ['Tỷ lệ bị mở lại', 'Reopened rate'], satisfaction: ['Mức hài lòng (1–5 sao)', 'Satisfaction (1–5 stars)'],
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
let caseData = null;  // the case shown in the case view
const sortState = { units: null, categories: null };
const charts = {};
const blobUrls = [];  // photos fetched for the case view, released when it closes
const openers = {};   // dialog id -> the element that opened it (focus goes back there)

const $ = (sel) => document.querySelector(sel);
const t = (key) => (lang === 'en' ? EN[key] : VI[key]) ?? EN[key] ?? key;
const nameOf = (row) => (lang === 'en' ? row.name_en : row.name_vi) || row.id;
const unitName = (id) => {
  const u = report && report.units.find((x) => x.id === id);
  return u ? nameOf(u) : id;
};
const categoryName = (id) => {
  const c = report && report.categories.find((x) => x.id === id);
  return c ? nameOf(c) : id;
};

function applyLanguage() {
  document.documentElement.lang = lang;
  $('#lang').textContent = lang === 'vi' ? 'English' : 'Tiếng Việt';
  $('#lang').lang = lang === 'vi' ? 'en' : 'vi';
  document.querySelectorAll('[data-i18n]').forEach((el) => {
    if (!el.dataset.vi) el.dataset.vi = el.textContent;
    el.textContent = lang === 'en' ? EN[el.dataset.i18n] || el.dataset.vi : el.dataset.vi;
  });
  if (report) render();
  if (caseData && !$('#case-view').hidden) renderCase(false);
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
    const err = new Error(msg || ('HTTP ' + res.status));
    err.status = res.status;
    throw err;
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
// "2026-11-27T03:00:00.000Z" -> "27/11/2026 10:00" (Vietnam time; the labels say UTC+7).
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
  closeDialog('photo-view', false);
  closeDialog('case-view', false);
  closeDialog('overdue-view', false);
  render();
}

function render() {
  $('#status-line').textContent = `${t('loaded')} ${vnTime(report.now)} (UTC+7) · ${report.from} → ${report.to}`;
  const d = report.units.find((u) => u.kind === 'district') || report.units[0];
  if (d) {
    $('#card-received .value').textContent = d.received;
    $('#card-open .value').textContent = d.open;
    $('#card-overdue .value').textContent = d.overdue_now;
    $('#card-on-time .value').textContent = pct(d.on_time_rate);
    $('#card-resolve .value').textContent = num1(d.resolve_median_hours);
    $('#card-satisfaction .value').textContent = num2(d.satisfaction);
  }
  // Every unit and category, also those without a case in the period.
  renderTable('units', report.units);
  renderTable('categories', report.categories);
  renderCharts();
  renderMap();
}

// A column header in full words: Vietnamese with the English beneath (English alone in English).
function headerLabel(th, key) {
  const [vi, en] = COLUMN_NAMES[key];
  const a = document.createElement('span');
  a.className = 'vi';
  a.textContent = lang === 'en' ? en : vi;
  th.append(a);
  if (lang !== 'en') {
    const b = document.createElement('span');
    b.className = 'en';
    b.lang = 'en';
    b.textContent = en;
    th.append(b);
  }
}

function renderTable(id, rows) {
  const table = $('#' + id);
  const sort = sortState[id];
  const head = document.createElement('tr');
  for (const col of ['name', ...COLUMNS]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.dataset.col = col;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    headerLabel(button, col === 'name' ? (id === 'units' ? 'unit' : 'category') : col);
    if (sort && sort.col === col) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
    button.addEventListener('click', () => {
      const cur = sortState[id];
      sortState[id] = { col, dir: cur && cur.col === col ? -cur.dir : -1 };
      renderTable(id, rows);
      table.querySelector(`thead th[data-col="${col}"] button`).focus();
    });
    th.append(button);
    th.addEventListener('click', (ev) => { if (ev.target === th) button.click(); });  // the cell's padding too
    head.append(th);
  }
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
    const name = document.createElement('th');
    name.scope = 'row';
    if (id === 'units') {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'drill';
      b.setAttribute('aria-haspopup', 'dialog');
      b.textContent = nameOf(r);
      b.title = r.id;
      b.addEventListener('click', () => showOverdue(r, b));
      name.append(b);
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
  // Every unit: those at 0% have no bar but a label that says 0.0%, those without a case due
  // say "–", so no unit drops out of the ranking. Highest first, without a rate last.
  const ranked = report.units.filter((u) => u.kind !== 'district')
    .sort((a, b) => (b.on_time_rate ?? -1) - (a.on_time_rate ?? -1) || nameOf(a).localeCompare(nameOf(b)));
  $('#fig-ranked').style.height = Math.max(300, 70 + 22 * ranked.length) + 'px';
  chart('chart-ranked', {
    type: 'bar',
    data: {
      labels: ranked.map((u) => `${nameOf(u)} · ${pct(u.on_time_rate)}`),
      datasets: [{ label: t('on_time_rate'), data: ranked.map((u) => (u.on_time_rate === null ? null : Math.round(u.on_time_rate * 1000) / 10)),
        backgroundColor: ranked.map((u) => (u.on_time_rate >= 0.8 ? '#1b6e3a' : u.on_time_rate >= 0.5 ? '#c98a00' : '#b3261e')) }],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (c) => (c.raw === null ? t('no_cases_due') : c.raw + '%') } } },
      scales: { x: { min: 0, max: 100, ticks: { callback: (v) => v + '%' } }, y: { ticks: { autoSkip: false } } },
    },
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
      plugins: { tooltip: { callbacks: { label: (c) => `${c.raw.code} (${unitName(c.raw.ward)})` } } },
      onClick: (ev, items, c) => {
        if (items.length) showCase(c.data.datasets[items[0].datasetIndex].data[items[0].index].id, $('#chart-map'));
      },
    },
  });
}

// The detail views are non-modal dialogs (the photo viewer is modal): opening one moves the
// focus into it, Escape or its close button closes it and gives the focus back.
function openDialog(id, opener) {
  if (opener) openers[id] = opener;
  const d = $('#' + id);
  d.hidden = false;
  d.scrollIntoView({ block: 'start' });
  d.focus({ preventScroll: true });
}
function closeDialog(id, restoreFocus = true) {
  const d = $('#' + id);
  if (d.hidden) return false;
  d.hidden = true;
  if (id === 'case-view') releasePhotos();
  if (id === 'photo-view') $('#photo-full').removeAttribute('src');
  const back = openers[id];
  delete openers[id];
  if (restoreFocus && back && document.contains(back)) back.focus();
  return true;
}
document.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Escape') return;
  for (const id of ['photo-view', 'case-view', 'overdue-view']) {
    if (closeDialog(id)) { ev.preventDefault(); return; }
  }
});
document.querySelectorAll('button.close').forEach((b) => b.addEventListener('click', () => closeDialog(b.dataset.close)));

async function showOverdue(unit, opener) {
  let data;
  try {
    data = await getJson(`/v1/monitor/units/${encodeURIComponent(unit.id)}/overdue?` + periodQuery());
  } catch (e) {
    $('#status-line').textContent = e.message;
    return;
  }
  $('#overdue-unit').textContent = nameOf(unit);
  const rows = data.cases.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.id = c.id;
    const first = document.createElement('td');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'open-case';
    b.setAttribute('aria-haspopup', 'dialog');
    b.textContent = c.receipt_code || c.id.slice(0, 8);
    b.addEventListener('click', (ev) => { ev.stopPropagation(); showCase(c.id, b); });
    first.append(b);
    tr.append(first);
    const cells = [c.title, STATUS[lang][c.status] || c.status, vnTime(c.received_at), vnTime(c.deadline),
      num1(c.overdue_working_hours)];
    for (const v of cells) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    tr.addEventListener('click', () => showCase(c.id, b));
    return tr;
  });
  $('#overdue tbody').replaceChildren(...rows);
  $('#overdue-empty').hidden = rows.length > 0;
  closeDialog('case-view', false);
  openDialog('overdue-view', opener);
}

async function showCase(id, opener) {
  try {
    caseData = await getJson('/v1/monitor/cases/' + encodeURIComponent(id));
  } catch (e) {
    $('#status-line').textContent = e.message;
    return;
  }
  releasePhotos();
  renderCase(true);
  openDialog('case-view', opener);
}

function renderCase(fetchPhotos) {
  const c = caseData.case;
  $('#case-receipt').textContent = c.receipt_code || c.id;
  $('#case-title').textContent = c.title;
  const facts = [['f_status', STATUS[lang][c.status] || c.status], ['f_category', categoryName(c.category_id)],
    ['f_ward', unitName(c.ward_id)], ['f_unit', c.assigned_unit ? unitName(c.assigned_unit) : '–'],
    ['f_created', vnTime(c.created_at)], ['f_received', vnTime(c.received_at)],
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
  const words = t('ev');
  $('#case-events').replaceChildren(...caseData.events.map((e) => {
    const li = document.createElement('li');
    li.dataset.kind = e.kind;
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = vnTime(e.created_at);
    const what = document.createElement('strong');
    what.textContent = e.kind === 'status' ? (STATUS[lang][e.status] || e.status)
      : e.kind === 'assignment' ? `${words.assignment} ${unitName(e.unit_id || '')}`
        : e.kind === 'rating' ? `${words.rating} ${e.stars}★` : words[e.kind] || e.kind;
    li.append(when, what);
    if (e.note) li.append(' — ' + e.note);
    if (e.author_role) li.append(` (${t('roles')[e.author_role] || e.author_role})`);
    return li;
  }));
  renderPhotos(fetchPhotos);
}

// The case's photos: thumbnails fetched with the bearer token (the photo endpoint decides
// who may see them) and shown as blob URLs, each a link that opens the full photo.
function renderPhotos(fetchPhotos) {
  const photos = caseData.photos || [];
  $('#case-photos-none').hidden = photos.length > 0;
  if (!fetchPhotos) {  // a language switch: only the words change
    $('#case-photos').querySelectorAll('li').forEach((li, i) => photoWords(li, photos[i], i));
    return;
  }
  $('#case-photos').replaceChildren(...photos.map((p, i) => {
    const li = document.createElement('li');
    li.dataset.sha = p.sha256;
    const a = document.createElement('a');
    a.className = 'photo-link';
    a.href = `/v1/photos/${p.sha256}?size=full`;
    const img = document.createElement('img');
    a.append(img);
    a.addEventListener('click', (ev) => { ev.preventDefault(); showPhoto(p, a); });
    const caption = document.createElement('span');
    caption.className = 'caption';
    li.append(a, caption);
    photoWords(li, p, i);
    request(`/v1/photos/${p.sha256}?size=thumb`, { headers: { Accept: 'image/*' } })
      .then((res) => res.blob())
      .then((blob) => { const u = URL.createObjectURL(blob); blobUrls.push(u); img.src = u; })
      .catch((e) => { li.querySelector('.caption').textContent += ' · ' + (e.status === 404 ? t('photo_missing') : e.message); });
    return li;
  }));
}
function photoWords(li, p, i) {
  const what = t('photo_of')[p.role] || p.role;
  li.querySelector('img').alt = t('photo_alt')(what, i + 1);
  li.querySelector('.caption').textContent = `${what} · ${vnTime(p.created_at)}`;
}
async function showPhoto(p, opener) {
  try {
    const res = await request(`/v1/photos/${p.sha256}?size=full`, { headers: { Accept: 'image/*' } });
    const u = URL.createObjectURL(await res.blob());
    blobUrls.push(u);
    $('#photo-full').src = u;
    $('#photo-full').alt = t('photo_of')[p.role] || p.role;
    $('#photo-open').href = u;
    openDialog('photo-view', opener);
  } catch (e) {
    $('#status-line').textContent = e.message;
  }
}
function releasePhotos() {
  while (blobUrls.length) URL.revokeObjectURL(blobUrls.pop());
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
