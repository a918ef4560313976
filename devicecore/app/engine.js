// The page's side of the engine worker (engine-worker.js): promises for its answers and a
// listener for its events. Every answer is {rc, value, errmsg, saved}; rc 0 is success.
let worker = null;
let nextId = 1;
const waiting = new Map();
const listeners = new Set();

export function startEngine(options = {}) {
  worker = new Worker('engine-worker.js');
  worker.onmessage = (e) => {
    const msg = e.data;
    if (msg.event) {
      for (const fn of listeners) fn(msg);
      return;
    }
    const pending = waiting.get(msg.id);
    if (!pending) return;
    waiting.delete(msg.id);
    pending(msg);
  };
  worker.onerror = (e) => {
    // A worker that fails to load (q11core.js missing) answers nothing: fail every caller.
    for (const [id, resolve] of waiting) resolve({ id, rc: 11, value: null, errmsg: e.message || 'the engine worker failed' });
    waiting.clear();
  };
  return send({ op: 'init', ...options, online: navigator.onLine });
}

function send(msg, transfer = []) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker.postMessage({ ...msg, id }, transfer);
  });
}

// q11_* function of devicecore.h without the handle: call('q11_report_show_json', id).
export function call(name, ...args) {
  return send({ op: 'call', name, args });
}
export function fileReport(report, photos) {
  return send({ op: 'fileReport', report, photos }, photos);
}
export function attachPhotos(reportId, photos) {
  return send({ op: 'attachPhotos', reportId, photos }, photos);
}
export function photoBytes(photoId, thumb) {
  return send({ op: 'photo', photoId, thumb });
}
export function sync(why) {
  return send({ op: 'sync', why });
}
export function setOnline(online) {
  worker.postMessage({ op: 'net', online });
}
export function setLive(on) {
  worker.postMessage({ op: 'live', on });
}
export function onEngineEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
