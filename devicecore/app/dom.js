// Small DOM helpers for the screens: element building without markup strings (so text from
// the engine is never parsed as HTML), labelled form fields, and photo resizing.

// h('p', {class: 'x', onclick: fn}, 'text', child, ...): attributes starting with "on" are
// listeners; false/null/undefined attributes and children are skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value' || k === 'checked' || k === 'selected') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === false || c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let fieldCounter = 0;
export const uid = (prefix) => `${prefix}-${++fieldCounter}`;

// A labelled control: {label, hint, control} where control is an <input>, <select> or
// <textarea> built by the caller. The hint is tied to it with aria-describedby.
export function field(label, control, hint) {
  const id = control.id || (control.id = uid('f'));
  const parts = [h('label', { for: id }, label)];
  if (hint) {
    const hid = uid('hint');
    control.setAttribute('aria-describedby', hid);
    parts.push(h('p', { class: 'hint', id: hid }, hint));
  }
  parts.push(control);
  return h('div', { class: 'field' }, parts);
}

export function select(name, options, value, attrs = {}) {
  return h('select', { name, ...attrs },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
}

// A definition list from [term, value] pairs, skipping empty values.
export function facts(pairs) {
  return h('dl', { class: 'facts' },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

// The photo as the engine stores it: longest side at most `maxSide` pixels, re-encoded as
// JPEG (so EXIF, GPS and other metadata do not survive), orientation applied.
export async function resizePhoto(file, maxSide = 1600) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const hgt = Math.max(1, Math.round(bitmap.height * scale));
    const draw = (ctx) => {
      ctx.fillStyle = '#fff';  // transparent PNGs become white, not black
      ctx.fillRect(0, 0, w, hgt);
      ctx.drawImage(bitmap, 0, 0, w, hgt);
    };
    let blob;
    if (typeof OffscreenCanvas !== 'undefined') {
      const canvas = new OffscreenCanvas(w, hgt);
      draw(canvas.getContext('2d'));
      blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
    } else {
      const canvas = h('canvas', { width: w, height: hgt });
      draw(canvas.getContext('2d'));
      blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    }
    return await blob.arrayBuffer();
  } finally {
    bitmap.close();
  }
}

// el.replaceChildren without the null/false/'' a conditional part leaves (replaceChildren
// would show them as the text "null").
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false && c !== ''));
}
