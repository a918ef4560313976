// "Quận 11 online", the citizens' app: my reports, filing a new one (offline, with photos
// resized on the phone), the receipt at once, and a report's status, deadline, history,
// result, rating and reopening.
import { h, fill, field, select, resizePhoto } from './dom.js';
import { t, vnTime, errorText, getLang } from './i18n.js';
import { nameOf, deadlineText, syncBadge, statusBadge, revokeAll, settledPanel, drawReport } from './views.js';

const MAX_PHOTOS = 6;

// ---- my reports -------------------------------------------------------------------------

export async function citizenHome(ctx) {
  const list = h('div', { class: 'list-holder' });
  const settled = h('div');
  const node = h('section', {},
    h('h1', {}, t('myReports')),
    h('button', { type: 'button', class: 'primary big', onclick: () => ctx.go('#/moi') }, t('newReport')),
    settled, list);
  async function refresh() {
    fill(settled, await settledPanel(ctx, refresh));
    const r = await ctx.engine.call('q11_report_list_json');
    if (r.rc !== 0) {
      list.replaceChildren(h('p', { role: 'alert' }, errorText(r)));
      return;
    }
    const reports = r.value || [];
    if (!reports.length) {
      list.replaceChildren(h('p', {}, t('noReports')));
      return;
    }
    list.replaceChildren(h('ul', { class: 'reports' }, reports.map((rep) => h('li', { class: 'report-item' },
      h('a', { href: `#/phan-anh/${encodeURIComponent(rep.id)}` },
        h('span', { class: 'title' }, rep.title),
        h('span', { class: 'meta' },
          rep.receipt_code ? h('span', { class: 'code' }, rep.receipt_code) : '',
          statusBadge(rep), syncBadge(rep),
          rep.overdue ? h('span', { class: 'badge overdue' }, t('overdue')) : ''),
        h('span', { class: 'meta small' }, `${t('deadline')}: ${deadlineText(rep)}`))))));
  }
  await refresh();
  return { node, refresh };
}

// ---- filing -----------------------------------------------------------------------------

function options(list, placeholder) {
  const lang = getLang();
  return [['', placeholder], ...list.map((x) => [x.id, lang === 'en' ? x.name_en || x.name_vi : x.name_vi])];
}

export function newReportScreen(ctx) {
  const ref = ctx.state.reference;
  const wards = ref.units.filter((u) => u.kind === 'ward');
  const photos = [];  // {buffer, url} resized, in order
  const urls = [];
  let location = null;

  const kindName = 'kind-' + Math.random().toString(36).slice(2);
  const kindPhanAnh = h('input', { type: 'radio', name: kindName, value: 'phan_anh', id: 'kind-pa', checked: true });
  const kindGopY = h('input', { type: 'radio', name: kindName, value: 'gop_y', id: 'kind-gy' });
  const kind = h('fieldset', { class: 'field' }, h('legend', {}, t('kind')),
    h('div', { class: 'radio' }, kindPhanAnh, h('label', { for: 'kind-pa' }, t('kindPhanAnh'))),
    h('div', { class: 'radio' }, kindGopY, h('label', { for: 'kind-gy' }, t('kindGopY'))));
  const category = select('category', options(ref.categories, t('choose')), '', { required: true });
  const ward = select('ward', options(wards, t('choose')), '', { required: true });
  const title = h('input', { name: 'title', required: true, maxlength: 200 });
  const description = h('textarea', { name: 'description', rows: 4, required: true, maxlength: 5000 });
  const address = h('input', { name: 'address', autocomplete: 'street-address' });
  const gpsStatus = h('p', { class: 'hint', role: 'status' });
  const gpsClear = h('button', { type: 'button', class: 'link', hidden: true, onclick: () => {
    location = null;
    gpsStatus.textContent = '';
    gpsClear.hidden = true;
  } }, t('gpsClear'));
  const gpsButton = h('button', { type: 'button', onclick: () => {
    if (!navigator.geolocation) { gpsStatus.textContent = t('gpsFailed'); return; }
    gpsStatus.textContent = t('gpsWorking');
    navigator.geolocation.getCurrentPosition((pos) => {
      location = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      gpsStatus.textContent = t('gpsOk', location.lat, location.lon);
      gpsClear.hidden = false;
    }, () => { gpsStatus.textContent = t('gpsFailed'); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  } }, t('useGps'));
  // "Ảnh" offers the gallery and the camera (the phone asks which); the camera button opens
  // the camera at once (capture), through an input kept out of sight and out of the tab order.
  const photoInput = h('input', { name: 'photos', type: 'file', accept: 'image/*', multiple: true });
  const cameraInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', hidden: true, tabindex: -1 });
  const cameraButton = h('button', { type: 'button', onclick: () => cameraInput.click() }, t('takePhoto'));
  const previews = h('ul', { class: 'photos' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary big' }, t('submitReport'));

  function drawPreviews() {
    previews.replaceChildren(...photos.map((p, i) => h('li', {},
      h('img', { src: p.url, alt: t('photoAlt', i + 1) }),
      h('button', { type: 'button', class: 'link', onclick: () => {
        photos.splice(i, 1);
        drawPreviews();
        photoInput.focus();
      } }, t('removePhoto', i + 1)))));
  }
  const addPhotos = async (input) => {
    error.textContent = '';
    for (const file of [...input.files]) {
      if (photos.length >= MAX_PHOTOS) break;
      try {
        const buffer = await resizePhoto(file);
        const url = URL.createObjectURL(new Blob([buffer], { type: 'image/jpeg' }));
        urls.push(url);
        photos.push({ buffer, url });
      } catch (e) {
        error.textContent = `${file.name}: ${errorText({ rc: 1, errmsg: String(e.message || e) })}`;
      }
    }
    input.value = '';
    drawPreviews();
  };
  photoInput.addEventListener('change', () => addPhotos(photoInput));
  cameraInput.addEventListener('change', () => addPhotos(cameraInput));

  const form = h('form', { class: 'card', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    // The server takes a report only with a description (1-5000 bytes): say so now, not at sync.
    const missing = [[category, t('category'), true], [ward, t('ward'), true], [title, t('title'), false],
      [description, t('description'), false]]
      .find(([c]) => !c.value.trim());
    if (missing) {
      const [c, label, choose] = missing;
      error.textContent = choose ? t('requiredChoose', label) : t('required', label);
      c.setAttribute('aria-invalid', 'true');
      c.focus();
      return;
    }
    submit.disabled = true;
    const report = {
      kind: kindGopY.checked ? 'gop_y' : 'phan_anh',
      category: category.value,
      ward: ward.value,
      title: title.value.trim(),
      description: description.value.trim(),
    };
    if (location) { report.lat = location.lat; report.lon = location.lon; }
    if (address.value.trim()) report.address = address.value.trim();
    // Each photo's buffer goes to the worker (transferred): copies, so a retry still has them.
    const r = await ctx.engine.fileReport(report, photos.map((p) => p.buffer.slice(0)));
    submit.disabled = false;
    // Filed and stored (saved), perhaps with a photo refused: the receipt. Else the error.
    if (r.rc !== 0 && !(r.value && r.value.id && r.saved)) {
      error.textContent = errorText(r);
      submit.focus();
      return;
    }
    if (r.rc !== 0) ctx.say(errorText(r), 'error');  // filed, but a photo was refused
    // The receipt at once from the answer (already durable); the header catches up after.
    ctx.state.lastFiled = { id: r.value.id, receipt_code: r.value.receipt_code, title: report.title };
    ctx.go(`#/bien-nhan/${encodeURIComponent(r.value.id)}`);
    ctx.afterWrite();
  } },
  kind,
  field(t('category'), category),
  field(t('ward'), ward),
  field(t('title'), title),
  field(t('description'), description),
  h('fieldset', { class: 'field' }, h('legend', {}, t('location')),
    h('div', { class: 'row' }, gpsButton, gpsClear), gpsStatus,
    field(t('address'), address, t('addressHint'))),
  field(t('photos'), photoInput, t('photosHint')),
  h('div', { class: 'row' }, cameraButton, cameraInput),
  previews,
  error,
  h('div', { class: 'row' }, submit, h('a', { href: '#/', class: 'button-like' }, t('cancel'))));
  for (const c of [category, ward, title, description]) c.addEventListener('input', () => c.removeAttribute('aria-invalid'));

  return {
    node: h('section', {}, h('h1', {}, t('newReportTitle')), form),
    keep: true,  // a live update must not wipe what is being typed
    dispose: () => revokeAll(urls),
  };
}

// ---- the receipt ------------------------------------------------------------------------

export async function receiptScreen(ctx, id) {
  const just = ctx.state.lastFiled && ctx.state.lastFiled.id === id ? ctx.state.lastFiled : null;
  const r = just ? { rc: 0, value: just } : await ctx.engine.call('q11_report_show_json', id);
  const rep = r.rc === 0 ? r.value : null;
  const saved = ctx.state.online ? t('saved') : t('savedOffline');
  const node = h('section', {},
    h('h1', {}, t('receiptTitle')),
    rep ? h('div', { class: 'card receipt' },
      h('p', {}, saved),
      h('p', { class: 'receipt-line' }, `${t('receiptCode')}: `, h('strong', { class: 'code big', id: 'receipt-code' }, rep.receipt_code || '—')),
      h('p', {}, rep.title),
      h('p', { class: 'hint' }, t('receiptNote')),
      h('div', { class: 'row' },
        h('a', { class: 'button-like primary', href: `#/phan-anh/${encodeURIComponent(id)}` }, t('viewReport')),
        h('a', { class: 'button-like', href: '#/' }, t('back'))))
      : h('p', { role: 'alert' }, errorText(r)));
  return { node, keep: true };
}

// ---- one report -------------------------------------------------------------------------

export async function reportScreen(ctx, id) {
  const urls = [];
  const info = h('div');
  const actions = h('div');
  let lastStatus = null;
  const node = h('section', {}, h('p', {}, h('a', { href: '#/' }, '← ', t('back'))), info, actions);

  async function refresh() {
    const rep = await drawReport(ctx, id, info, urls, refresh,
      { heading: (rep) => h('h1', {}, rep.title), resultFirst: true });
    if (!rep) {
      actions.replaceChildren();
      return;
    }
    // The forms are redrawn only when the status moved (what is typed survives an update).
    if (rep.status !== lastStatus || rep.rating?.stars !== actions.dataset.stars) {
      lastStatus = rep.status;
      actions.dataset.stars = rep.rating?.stars;
      actions.replaceChildren(...citizenActions(ctx, rep, refresh));
    }
  }
  await refresh();
  return { node, refresh, dispose: () => revokeAll(urls) };
}

function citizenActions(ctx, rep, refresh) {
  const out = [];
  const done = async (r, what) => {
    if (r.rc !== 0) {
      ctx.say(errorText(r), 'error');
      return false;
    }
    ctx.say(`${what} ${ctx.state.online ? t('saved') : t('savedOffline')}`, 'ok');
    await ctx.afterWrite();
    await refresh();
    return true;
  };
  if (rep.status === 'resolved' || rep.status === 'closed') {
    if (rep.rating) {
      out.push(h('p', { class: 'card' }, t('yourRating', rep.rating.stars), rep.rating.comment ? ` — ${rep.rating.comment}` : ''));
    } else {
      const stars = select('stars', [['5', '5 ★★★★★'], ['4', '4 ★★★★'], ['3', '3 ★★★'], ['2', '2 ★★'], ['1', '1 ★']], '5');
      const comment = h('textarea', { name: 'comment', rows: 2 });
      out.push(h('form', { class: 'card', onsubmit: async (e) => {
        e.preventDefault();
        await done(await ctx.engine.call('q11_report_rate', rep.id, Number(stars.value), comment.value.trim() || null), t('sendRating') + ':');
      } }, h('h2', {}, t('rating')), field(t('stars'), stars), field(t('comment'), comment),
      h('button', { type: 'submit', class: 'primary' }, t('sendRating'))));
    }
    const reason = h('textarea', { name: 'reason', rows: 2, required: true });
    const err = h('p', { class: 'form-error', role: 'alert' });
    // novalidate: the browser's own bubble would stop the submit in its own language, before
    // the app's message in words (and aria-invalid) could show.
    out.push(h('form', { class: 'card', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) {
        err.textContent = t('required', t('reopenReason'));
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      err.textContent = '';
      reason.removeAttribute('aria-invalid');
      await done(await ctx.engine.call('q11_report_reopen', rep.id, reason.value.trim()), t('reopen') + ':');
    } }, h('h2', {}, t('reopen')), field(t('reopenReason'), reason), err,
    h('button', { type: 'submit' }, t('reopen'))));
  }
  if (rep.status === 'new') {
    // Withdrawing cannot be undone: the first tap asks, the second one does it.
    const box = h('div', { class: 'card' });
    const ask = () => {
      const yes = h('button', { type: 'button', class: 'danger', onclick: async () => {
        const r = await ctx.engine.call('q11_report_withdraw', rep.id);
        if (r.rc !== 0) { ctx.say(errorText(r), 'error'); return; }
        ctx.say(t('withdrawn'), 'ok');
        await ctx.afterWrite();
        ctx.go('#/');
      } }, t('withdrawConfirm'));
      box.replaceChildren(h('p', { role: 'alert' }, t('withdrawQuestion')),
        h('p', {}, yes, ' ', h('button', { type: 'button', onclick: () => { offer(); box.querySelector('button').focus(); } }, t('withdrawCancel'))));
      yes.focus();
    };
    const offer = () => box.replaceChildren(h('button', { type: 'button', class: 'danger', onclick: ask }, t('withdraw')));
    offer();
    out.push(box);
  }
  return out;
}

export { nameOf, vnTime };
