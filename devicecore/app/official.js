// "CĐĐH", the officials' app: the unit's cases (filters, search, soonest deadline first) and
// a case with its history, photos, what the server said about it, and every action of the
// workflow with the response templates. Every action is a local write that works offline;
// the engine and then the server check the rules (docs/workflow.md).
import { h, fill, field, select, resizePhoto, uid } from './dom.js';
import { t, statusName, STATUSES, errorText, getLang } from './i18n.js';
import { nameOf, deadlineText, syncBadge, statusBadge, revokeAll, settledPanel, drawReport } from './views.js';

// ---- the list ---------------------------------------------------------------------------

function named(list) {
  const lang = getLang();
  return list.map((x) => [x.id, lang === 'en' ? x.name_en || x.name_vi : x.name_vi]);
}

export async function officialHome(ctx) {
  const ref = ctx.state.reference;
  const f = ctx.state.filters;
  const status = select('status', [['', t('allStatuses')], ...STATUSES.map((s) => [s, statusName(s)])], f.status || '');
  const ward = select('ward', [['', t('allWards')], ...named(ref.units.filter((u) => u.kind === 'ward'))], f.ward || '');
  const category = select('category', [['', t('allCategories')], ...named(ref.categories)], f.category || '');
  const overdue = h('input', { type: 'checkbox', name: 'overdue', id: uid('overdue'), checked: !!f.overdue });
  const search = h('input', { type: 'search', name: 'search', value: f.search || '' });
  const count = h('p', { class: 'hint', role: 'status' });
  const list = h('div', { class: 'list-holder' });
  const settled = h('div');

  async function refresh() {
    fill(settled, await settledPanel(ctx, refresh));
    Object.assign(f, { status: status.value, ward: ward.value, category: category.value,
      overdue: overdue.checked, search: search.value.trim() });
    const filter = { order: 'deadline' };
    for (const k of ['status', 'ward', 'category', 'search']) if (f[k]) filter[k] = f[k];
    if (f.overdue) filter.overdue = true;
    const r = await ctx.engine.call('q11_report_find_json', JSON.stringify(filter));
    if (r.rc !== 0) {
      list.replaceChildren(h('p', { role: 'alert' }, errorText(r)));
      return;
    }
    const cases = r.value || [];
    count.textContent = t('caseCount', cases.length);
    list.replaceChildren(cases.length ? h('ul', { class: 'reports' }, cases.map((c) => h('li', { class: `report-item${c.overdue ? ' is-overdue' : ''}` },
      h('a', { href: `#/ho-so/${encodeURIComponent(c.id)}` },
        h('span', { class: 'title' }, c.title),
        h('span', { class: 'meta' },
          c.receipt_code ? h('span', { class: 'code' }, c.receipt_code) : '',
          statusBadge(c), syncBadge(c),
          c.overdue ? h('span', { class: 'badge overdue' }, t('overdue')) : ''),
        h('span', { class: 'meta small' },
          `${nameOf(ref.units, c.ward)} · ${nameOf(ref.categories, c.category)} · ${t('deadline')}: ${deadlineText(c)}`)))))
      : h('p', {}, t('noCases')));
  }
  for (const c of [status, ward, category, overdue]) c.addEventListener('change', refresh);
  const form = h('form', { class: 'card filters', role: 'search', onsubmit: (e) => { e.preventDefault(); refresh(); } },
    h('h2', {}, t('filters')),
    field(t('search'), search),
    h('div', { class: 'grid' }, field(t('status'), status), field(t('ward'), ward), field(t('category'), category)),
    h('div', { class: 'check' }, overdue, h('label', { for: overdue.id }, t('overdueOnly'))),
    h('button', { type: 'submit', class: 'primary' }, t('applyFilters')));
  await refresh();
  return { node: h('section', {}, h('h1', {}, t('cases')), settled, form, count, list), refresh };
}

// ---- the actions -------------------------------------------------------------------------

// What staff may do from each status (docs/workflow.md's table; leaders have the extra
// rows). The engine and the server decide; this only keeps impossible choices out of the list.
const OPEN = ['new', 'accepted', 'assigned', 'in_progress', 'reopened'];
function actionsFor(status, role) {
  const leader = role === 'leader' || role === 'admin';
  const next = {
    new: ['accepted', 'rejected', 'duplicate', 'in_progress'],
    accepted: ['assign', 'in_progress', 'rejected', 'duplicate'],
    assigned: ['in_progress', 'rejected', 'duplicate'],
    in_progress: ['resolved', 'assign'],
    resolved: ['closed', 'in_progress', ...(leader ? ['reopened'] : [])],
    closed: leader ? ['in_progress', 'reopened'] : [],
    reopened: ['assign', 'in_progress', 'resolved'],
    rejected: leader ? ['accepted'] : [],
    duplicate: leader ? ['accepted'] : [],
  }[status] || [];
  const out = [...next];
  if (OPEN.includes(status)) {
    if (!out.includes('assign')) out.push('assign');
    out.push('progress');
  }
  out.push('comment');
  return out;
}
// The status a template answers for each action.
const TEMPLATE_STATUS = { progress: 'in_progress', assign: 'assigned', comment: '' };
const NEEDS_NOTE = new Set(['rejected', 'resolved', 'reopened', 'progress', 'comment']);

function actionForm(ctx, rep, done) {
  const ref = ctx.state.reference;
  const templates = ref.templates || [];
  const acts = actionsFor(rep.status, ctx.state.account.role);
  const action = select('action', acts.map((a) => [a, t('act')[a]]), acts[0]);
  const template = h('select', { name: 'template' });
  const note = h('textarea', { name: 'note', rows: 4, id: uid('note') });
  const noteLabel = h('label', { for: note.id });
  // A retired unit (docs/units.md) is no longer offered; its cases went to its successor.
  const units = ref.units.filter((u) => u.kind !== 'retired');
  const unit = select('unit', named(units), rep.assigned_unit || '');
  const original = h('input', { name: 'original', autocapitalize: 'characters', placeholder: 'Q11-XXXX-XXXX' });
  const date = h('input', { name: 'expected-date', type: 'date' });
  const time = h('input', { name: 'expected-time', type: 'time' });
  const resultPhotos = h('input', { name: 'result-photos', type: 'file', accept: 'image/*', multiple: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const parts = {
    unit: field(t('assignUnit'), unit),
    original: field(t('original'), original),
    expected: h('div', { class: 'grid' }, field(t('expectedDate'), date), field(t('expectedTime'), time)),
    photos: field(t('resultPhotosInput'), resultPhotos),
  };
  const templateField = field(t('template'), template);

  function update() {
    const a = action.value;
    noteLabel.textContent = a === 'rejected' ? t('reason') : a === 'resolved' ? t('resultText') : t('note');
    parts.unit.hidden = a !== 'assign';
    parts.original.hidden = a !== 'duplicate';
    parts.expected.hidden = a !== 'progress';
    parts.photos.hidden = a !== 'resolved';
    const st = a in TEMPLATE_STATUS ? TEMPLATE_STATUS[a] : a;
    const fitting = templates.filter((x) => !st || x.status === st);
    template.replaceChildren(h('option', { value: '' }, t('noTemplate')),
      ...fitting.map((x) => h('option', { value: x.id }, x.title_vi)));
    templateField.hidden = fitting.length === 0;
    error.textContent = '';
  }
  action.addEventListener('change', update);
  template.addEventListener('change', () => {
    const x = templates.find((y) => y.id === template.value);
    if (x) note.value = x.body_vi;
  });
  update();

  const submit = h('button', { type: 'submit', class: 'primary' }, t('doAction'));
  const form = h('form', { class: 'card', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const a = action.value;
    const text = note.value.trim();
    if (NEEDS_NOTE.has(a) && !text) {
      error.textContent = t('required', noteLabel.textContent);
      note.focus();
      return;
    }
    submit.disabled = true;
    let r;
    try {
      if (a === 'assign') {
        r = await ctx.engine.call('q11_case_assign', rep.id, unit.value, text || null);
      } else if (a === 'duplicate') {
        if (!original.value.trim()) {
          error.textContent = t('required', t('original'));
          original.focus();
          return;
        }
        r = await ctx.engine.call('q11_case_duplicate', rep.id, original.value.trim(), text || null);
      } else if (a === 'progress') {
        if (!date.value) {
          error.textContent = t('required', t('expectedDate'));
          date.focus();
          return;
        }
        // A date alone means 17:00 that day in Vietnam (docs/workflow.md, typed times).
        const expected = time.value ? `${date.value}T${time.value}:00+07:00` : date.value;
        r = await ctx.engine.call('q11_case_progress', rep.id, text, expected);
      } else if (a === 'comment') {
        r = await ctx.engine.call('q11_case_comment', rep.id, text);
      } else {
        if (a === 'resolved' && resultPhotos.files.length) {
          const buffers = [];
          for (const file of [...resultPhotos.files].slice(0, 6)) buffers.push(await resizePhoto(file));
          const p = await ctx.engine.attachPhotos(rep.id, buffers);
          if (p.rc !== 0) { r = p; return; }
        }
        r = await ctx.engine.call('q11_case_status', rep.id, a, text || null);
      }
    } finally {
      submit.disabled = false;
      if (r && r.rc !== 0) {
        error.textContent = errorText(r);
        action.focus();
      }
    }
    if (r && r.rc === 0) await done(t('act')[a]);
  } },
  h('h2', {}, t('actions')),
  field(t('action'), action),
  parts.unit, parts.original, parts.expected,
  templateField,
  h('div', { class: 'field' }, noteLabel, note),
  parts.photos,
  error,
  submit);
  return form;
}

// ---- one case ---------------------------------------------------------------------------

export async function caseScreen(ctx, id) {
  const urls = [];
  const info = h('div');
  const actions = h('div');
  let lastStatus = null;
  const node = h('section', {}, h('p', {}, h('a', { href: '#/' }, '← ', t('back'))), info, actions);

  async function done(what) {
    ctx.say(`${what}: ${t('actionDone')}`, 'ok');
    await ctx.afterWrite();
    lastStatus = null;  // redraw the form for the new status
    await refresh();
    info.querySelector('h1')?.focus();
  }

  async function refresh() {
    const rep = await drawReport(ctx, id, info, urls, refresh, {
      heading: (rep) => h('h1', { tabindex: -1 }, `${rep.receipt_code ? rep.receipt_code + ' · ' : ''}${rep.title}`),
      resultFirst: false,
    });
    if (!rep) {
      actions.replaceChildren();
      return;
    }
    if (rep.status !== lastStatus) {
      lastStatus = rep.status;
      actions.replaceChildren(actionForm(ctx, rep, done));
    }
  }
  await refresh();
  return { node, refresh, dispose: () => revokeAll(urls) };
}
