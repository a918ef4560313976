// Parts both apps show of a report: its facts, history, photos and what the server said
// about its changes (refusals, parked conflicts, merges and rule overrides).
import { h, facts, fill } from './dom.js';
import { t, statusName, vnTime, getLang, errorText } from './i18n.js';

export function nameOf(list, id) {
  const item = (list || []).find((x) => x.id === id);
  if (!item) return id || '';
  return getLang() === 'en' ? item.name_en || item.name_vi : item.name_vi;
}

// The deadline that counts: the announced expected date, else the deadline.
export function deadlineText(r) {
  const at = r.expected_at || r.due_at;
  return at ? vnTime(at) : t('noDeadline');
}

export function syncBadge(r) {
  const s = r.sync_state || 'synced';
  return h('span', { class: `badge sync-${s}` }, t('syncState')[s] || s);
}

export function statusBadge(r) {
  return h('span', { class: `badge status-${r.status}` }, statusName(r.status));
}

export function reportFacts(ctx, r) {
  const ref = ctx.state.reference;
  return facts([
    [t('receiptCode'), r.receipt_code ? h('span', { class: 'code' }, r.receipt_code) : ''],
    [t('status'), statusBadge(r)],
    [t('kind'), t('kindName')[r.kind] || r.kind],
    [t('category'), nameOf(ref.categories, r.category)],
    [t('ward'), nameOf(ref.units, r.ward)],
    [t('unit'), r.assigned_unit ? nameOf(ref.units, r.assigned_unit) : ''],
    [t('address'), r.address || ''],
    [t('location'), r.lat !== null && r.lat !== undefined ? `${Number(r.lat).toFixed(5)}, ${Number(r.lon).toFixed(5)}` : ''],
    [t('createdAt'), vnTime(r.created_at)],
    [t('receivedAt'), vnTime(r.received_at)],
    [t('deadline'), h('span', {}, r.due_at ? vnTime(r.due_at) : t('noDeadline'),
      r.overdue ? h('span', { class: 'badge overdue' }, ' ', t('overdue')) : '')],
    [t('expected'), vnTime(r.expected_at)],
    [t('resolvedAt'), vnTime(r.resolved_at)],
    [t('duplicateOf'), r.duplicate_of || ''],
    [t('syncLabel'), syncBadge(r)],
  ]);
}

export function historyList(r) {
  const events = r.events || [];
  if (!events.length) return h('p', {}, t('noHistory'));
  return h('ol', { class: 'history' }, events.map((e) => {
    const what = e.kind === 'status' && e.status ? statusName(e.status)
      : e.kind === 'rating' && e.stars ? `${t('eventKind').rating}: ${'★'.repeat(e.stars)} (${e.stars}/5)`
        : (t('eventKind')[e.kind] || e.kind);
    return h('li', {},
      h('span', { class: 'when' }, vnTime(e.created_at, false)), ' ',
      h('strong', {}, what),
      e.note ? h('span', { class: 'note' }, ' — ', e.note) : '');
  }));
}

// The server's word on this report's changes (q11_report_show_json "sync"). With `ctx`, each
// message has its "Đã xem" button (q11_settled_discard, as in the home screen's list);
// `onChange` redraws after one is dismissed.
export function syncMessages(r, ctx, onChange) {
  const s = r.sync || {};
  const items = [
    ...(s.rejected || []).map((m) => [t('rejectedMsg'), m, 'error']),
    ...(s.parked || []).map((m) => [t('parkedMsg'), m, 'warn']),
    ...(s.merged_notes || []).map((m) => [t('mergedMsg'), m, 'info']),
  ];
  if (!items.length) return null;
  return h('section', { class: 'card sync-messages', 'aria-labelledby': 'sync-msg-h' },
    h('h2', { id: 'sync-msg-h' }, t('syncMessages')),
    h('ul', {}, items.map(([label, m, kind]) => h('li', { class: `msg ${kind}` },
      h('strong', {}, label), ': ', explain(kind, m.message), m.settled_at ? ` (${vnTime(m.settled_at)}) ` : ' ',
      ctx && m.seq !== undefined ? dismissButton(ctx, m.seq, onChange) : ''))));
}

// A refusal or a parked conflict in the user's language first (what it means for them), then
// the server's own message (English / Vietnamese, naming rows by id) as the detail.
function explain(kind, message) {
  const what = kind === 'error' ? t('rejectedExplain') : kind === 'warn' ? t('parkedExplain') : '';
  if (!what) return message || '';
  return [what, message ? h('span', { class: 'server-detail' }, ' ', t('serverDetail'), ' ', message) : ''];
}

function dismissButton(ctx, seq, onChange) {
  return h('button', { type: 'button', class: 'link', onclick: async () => {
    const d = await ctx.engine.call('q11_settled_discard', seq);
    if (d.rc !== 0) ctx.say(errorText(d), 'error');
    await onChange();
  } }, t('dismiss'));
}

// Photos as thumbnail buttons; the full photo opens on demand in a dialog. Taken on this
// device: the original is here (no thumbnail is made locally). Others: the thumbnail the
// server made, downloaded at sync or now.
export function photoGallery(ctx, photos, heading, urls) {
  if (!photos.length) return null;
  const list = h('ul', { class: 'photos' });
  photos.forEach((p, i) => {
    const n = i + 1;
    const mine = p.local === 'unsent' || p.local === 'sent' || p.local === 'refused';
    const slot = h('span', { class: 'thumb-placeholder' }, '…');
    const button = h('button', { type: 'button', class: 'thumb', 'aria-label': t('openPhoto', n),
      onclick: () => openPhoto(ctx, p, n, urls, button) }, slot);
    list.append(h('li', {}, button));
    // A photo's row arrives before its bytes have reached the server (they go up after the
    // change that names them): try again a few times while the screen shows it.
    const load = (attempt) => ctx.engine.photoBytes(p.id, !mine).then((r) => {
      if (r.rc !== 0) {
        slot.textContent = t('photoNotHere');
        if (attempt < 4 && ctx.state.online) setTimeout(() => { if (slot.isConnected) load(attempt + 1); }, 1500 * 2 ** attempt);
        return;
      }
      const url = URL.createObjectURL(new Blob([r.value], { type: mine ? p.mime : 'image/jpeg' }));
      urls.push(url);
      slot.replaceWith(h('img', { src: url, alt: t('photoAlt', n), loading: 'lazy' }));
    });
    load(0);
  });
  return h('section', { class: 'card' }, h('h2', {}, heading), list);
}

async function openPhoto(ctx, p, n, urls, opener) {
  const r = await ctx.engine.photoBytes(p.id, false);
  if (r.rc !== 0) {
    ctx.say(errorText(r), 'error');
    return;
  }
  const url = URL.createObjectURL(new Blob([r.value], { type: p.mime || 'image/jpeg' }));
  urls.push(url);
  const close = h('button', { type: 'button', class: 'primary', onclick: () => dialog.close() }, t('closePhoto'));
  const dialog = h('dialog', { class: 'photo-dialog', 'aria-label': t('photoAlt', n) },
    h('img', { src: url, alt: t('photoAlt', n) }), close);
  dialog.addEventListener('close', () => {
    dialog.remove();
    opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}

export function revokeAll(urls) {
  for (const u of urls) URL.revokeObjectURL(u);
  urls.length = 0;
}

// What the server settled changes with (refused, parked, merged) until the user has read
// it: a refused filing leaves no report to show it on, so the home screens list them.
export async function settledPanel(ctx, onChange) {
  const r = await ctx.engine.call('q11_settled_json');
  const items = r.rc === 0 ? r.value || [] : [];
  if (!items.length) return null;
  const label = { rejected: t('rejectedMsg'), parked: t('parkedMsg'), merged: t('mergedMsg') };
  // The server's message names rows by id: say which report it is about, with a link, when
  // the report is on this device (a refused filing is not).
  const screen = ctx.state.account && ctx.state.account.role === 'citizen' ? '#/phan-anh/' : '#/ho-so/';
  const about = async (m) => {
    const links = [];
    for (const id of m.report_ids || []) {
      const r = await ctx.engine.call('q11_report_show_json', id);
      if (r.rc !== 0) continue;
      links.push(h('a', { href: screen + encodeURIComponent(id) },
        r.value.receipt_code ? `${r.value.receipt_code} — ${r.value.title}` : r.value.title));
    }
    return links.length ? [h('br'), t('aboutReport'), ' ', ...links.flatMap((a, i) => (i ? [', ', a] : [a])), ' '] : [];
  };
  const abouts = await Promise.all(items.map(about));
  return h('section', { class: 'card sync-messages', 'aria-labelledby': 'settled-h' },
    h('h2', { id: 'settled-h' }, t('serverMessages')),
    h('ul', {}, items.map((m, i) => h('li', { class: `msg ${m.verdict === 'rejected' ? 'error' : m.verdict === 'parked' ? 'warn' : 'info'}` },
      h('strong', {}, label[m.verdict] || m.verdict), ': ', explain(m.verdict === 'rejected' ? 'error' : m.verdict === 'parked' ? 'warn' : 'info', m.message), ...abouts[i],
      m.settled_at ? ` (${vnTime(m.settled_at)}) ` : ' ',
      dismissButton(ctx, m.seq, onChange)))));
}

// A report's screen as both apps draw it into `info`: the heading, its facts and text, the
// server's messages, the result, the photos (the report's and the result's, `resultFirst`
// for the citizen, who waits for the answer) and the history. Returns the report, or null
// after drawing the engine's error (the caller then clears its actions).
export async function drawReport(ctx, id, info, urls, refresh, { heading, resultFirst }) {
  const r = await ctx.engine.call('q11_report_show_json', id);
  if (r.rc !== 0) {
    info.replaceChildren(h('h1', {}, t('caseTitle')), h('p', { role: 'alert' }, errorText(r)));
    return null;
  }
  const rep = r.value;
  const ph = await ctx.engine.call('q11_photo_list_json', id);
  const photos = ph.rc === 0 ? ph.value : [];
  revokeAll(urls);
  const reportPhotos = photoGallery(ctx, photos.filter((p) => p.role !== 'result'), t('reportPhotos'), urls);
  const resultPhotos = photoGallery(ctx, photos.filter((p) => p.role === 'result'), t('resultPhotos'), urls);
  fill(info,
    heading(rep),
    h('div', { class: 'card' }, reportFacts(ctx, rep), rep.description ? h('p', { class: 'body' }, rep.description) : ''),
    syncMessages(rep, ctx, refresh),
    rep.result ? h('section', { class: 'card result' }, h('h2', {}, t('result')), h('p', {}, rep.result)) : '',
    ...(resultFirst ? [resultPhotos, reportPhotos] : [reportPhotos, resultPhotos]),
    h('section', { class: 'card' }, h('h2', {}, t('history')), historyList(rep)));
  return rep;
}
