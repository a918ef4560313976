// The engine worker: devicecore compiled to WebAssembly (q11core.js/.wasm) running in a
// dedicated Web Worker, answering the page's messages by calling the C API of
// devicecore/include/devicecore/devicecore.h. The sync logic is the engine's; this file only
// moves strings in and out, keeps the database durable (storage.js) and runs the long poll
// for live updates.
//
// Messages in:  {id, op: "init" | "call" | "fileReport" | "attachPhotos" | "photo" | "sync", ...}
//               {op: "net", online} and {op: "live", on} (no answer)
// Answers:      {id, rc, value, errmsg, saved?}  (rc as Q11_*; value parsed from JSON)
// Events out:   {event: "changed", why}  the database changed under the page (another tab,
//                                       a live update): render again
//               {event: "net", online}  what the last network attempt found
//               {event: "synced", rc, value, errmsg, why}
//
// Every engine call runs under the Web Lock "q11-device" (one tab at a time); a tab that finds
// a newer stored generation than it loaded reloads the image and reopens the handle first.
// After a call that writes, the changed files are persisted before the answer goes back.
'use strict';
importScripts('storage.js', 'q11core.js');

const DIR = '/q11';
const DB_PATH = DIR + '/device.db';
const PHOTO_DIR = DB_PATH + '.photos';  // devicecore keeps photos next to the database
const TMP_DIR = '/tmp/q11-upload';
const IMAGE_FILES = ['device.db', 'device.db-wal'];

const Q11_OK = 0, Q11_NOT_FOUND = 2, Q11_UNAUTHENTICATED = 5, Q11_UNAVAILABLE = 8;
const Q11_INTERNAL = 11, Q11_MISUSE = 21;

// name → [argument types after the handle ("s" string or null, "i" int, "d" double,
//         "l" int64: passed as two 32-bit halves, as emscripten legalizes i64 parameters
//         without WASM_BIGINT),
//         OUT kind ("" none, "s" string, "j" JSON string, "i" int, "l" int64)]
const API = {
  q11_report_new_v2: ['s', 's'],
  q11_report_list_json: ['', 'j'],
  q11_report_show_json: ['s', 'j'],
  q11_report_find_json: ['s', 'j'],
  q11_report_sync_state: ['s', 'i'],
  q11_report_withdraw: ['s', ''],
  q11_report_edit: ['sss', ''],
  q11_report_rate: ['sis', ''],
  q11_report_reopen: ['ss', ''],
  q11_case_status: ['sss', ''],
  q11_case_progress: ['sss', ''],
  q11_case_assign: ['sss', ''],
  q11_case_deadline: ['sss', ''],
  q11_case_duplicate: ['sss', ''],
  q11_case_comment: ['ss', 's'],
  q11_resolve_report_id: ['s', 's'],
  q11_reference_json: ['', 'j'],
  q11_account_json: ['', 'j'],
  q11_login: ['sss', ''],
  q11_register: ['sssss', ''],
  q11_logout: ['', ''],
  q11_sync: ['', 'j'],
  q11_outbox_count: ['', 'l'],
  q11_outbox_json: ['', 'j'],
  q11_settled_json: ['', 'j'],
  q11_settled_discard: ['l', ''],
  q11_photo_attach: ['ss', 's'],
  q11_photo_list_json: ['s', 'j'],
  q11_photo_fetch: ['si', 's'],
  q11_wait_request_json: ['i', 'j'],
};
// Calls that only read: every other one is followed by a persist. (A read that wrote after
// all is caught by the files' signature, see dirty().)
const READS = new Set(['q11_report_list_json', 'q11_report_show_json', 'q11_report_find_json',
  'q11_report_sync_state', 'q11_resolve_report_id', 'q11_reference_json', 'q11_account_json',
  'q11_outbox_count', 'q11_outbox_json', 'q11_settled_json', 'q11_photo_list_json']);

let M = null;          // the emscripten module
let db = 0;            // q11_db*
let store = null;      // Q11Storage backend
let loadedGen = 0;     // generation of the image the in-memory files came from
let persistedPhotos = new Map();  // photo file name → size, as stored
let lastSignature = '';
const channel = new BroadcastChannel('q11-device');

// ---- the C API -------------------------------------------------------------------------

function errmsg() {
  return db ? M.UTF8ToString(M._q11_errmsg(db)) : 'the database is not open';
}

function call(name, args = []) {
  const spec = API[name];
  if (!spec) return { rc: Q11_MISUSE, value: null, errmsg: 'unknown function ' + name };
  const [sig, out] = spec;
  const allocs = [];
  const cstr = (s) => {
    if (s === null || s === undefined) return 0;
    const str = String(s);
    const n = M.lengthBytesUTF8(str) + 1;
    const p = M._malloc(n);
    M.stringToUTF8(str, p, n);
    allocs.push(p);
    return p;
  };
  try {
    const cargs = [db];
    for (let i = 0; i < sig.length; i++) {
      const t = sig[i];
      if (t === 'l') {
        const v = Number(args[i]);
        cargs.push(v % 4294967296 | 0, Math.floor(v / 4294967296) | 0);
      } else {
        cargs.push(t === 's' ? cstr(args[i]) : t === 'd' ? Number(args[i]) : (args[i] | 0));
      }
    }
    let outPtr = 0;
    if (out) {
      outPtr = M._malloc(8);
      allocs.push(outPtr);
      M.setValue(outPtr, 0, 'i32');
      M.setValue(outPtr + 4, 0, 'i32');
      cargs.push(outPtr);
    }
    const rc = M['_' + name](...cargs);
    if (rc !== Q11_OK) return { rc, value: null, errmsg: errmsg() };
    let value = null;
    if (out === 's' || out === 'j') {
      const p = M.getValue(outPtr, 'i32');
      if (p) {
        value = M.UTF8ToString(p);
        M._q11_free(p);
        if (out === 'j') value = JSON.parse(value);
      }
    } else if (out === 'i') {
      value = M.getValue(outPtr, 'i32');
    } else if (out === 'l') {
      value = (M.getValue(outPtr, 'i32') >>> 0) + M.getValue(outPtr + 4, 'i32') * 4294967296;
    }
    return { rc, value, errmsg: '' };
  } catch (e) {
    // A trap or an exception escaping the engine: a bug, reported as such.
    return { rc: Q11_INTERNAL, value: null, errmsg: 'engine failure in ' + name + ': ' + e };
  } finally {
    for (const p of allocs) M._free(p);
  }
}

// ---- the in-memory files and their durable copy ----------------------------------------

function exists(path) {
  try { M.FS.stat(path); return true; } catch (e) { return false; }
}
function mkdirs(path) {
  let cur = '';
  for (const part of path.split('/').filter(Boolean)) {
    cur += '/' + part;
    if (!exists(cur)) M.FS.mkdir(cur);
  }
}
function photoFiles() {
  const out = new Map();
  if (!exists(PHOTO_DIR)) return out;
  for (const name of M.FS.readdir(PHOTO_DIR)) {
    if (name === '.' || name === '..') continue;
    const st = M.FS.stat(PHOTO_DIR + '/' + name);
    if (M.FS.isFile(st.mode)) out.set(name, st.size);
  }
  return out;
}
// Sizes and modification times of the image files and the photo folder: when it differs
// from the last persisted one, something was written.
function signature() {
  const parts = [];
  for (const f of IMAGE_FILES) {
    try {
      const st = M.FS.stat(DIR + '/' + f);
      parts.push(f, st.size, +st.mtime);
    } catch (e) { parts.push(f, '-'); }
  }
  for (const [n, s] of photoFiles()) parts.push(n, s);
  return parts.join('|');
}
const dirty = () => signature() !== lastSignature;

function openDb() {
  const pp = M._malloc(4);
  const path = M._malloc(M.lengthBytesUTF8(DB_PATH) + 1);
  try {
    M.setValue(pp, 0, 'i32');
    M.stringToUTF8(DB_PATH, path, M.lengthBytesUTF8(DB_PATH) + 1);
    const rc = M._q11_open(path, pp);
    db = M.getValue(pp, 'i32');
    if (rc !== Q11_OK) {
      const msg = errmsg();
      if (db) M._q11_close(db);
      db = 0;
      throw new Error('cannot open the device database: ' + msg);
    }
  } finally {
    M._free(pp);
    M._free(path);
  }
}
function closeDb() {
  if (db) M._q11_close(db);
  db = 0;
}

// Replaces the in-memory files by the stored image and photos, and reopens the handle.
async function reloadFromStore() {
  closeDb();
  const head = await store.head();
  const image = await store.load();
  for (const f of IMAGE_FILES) { try { M.FS.unlink(DIR + '/' + f); } catch (e) { /* none */ } }
  if (image) for (const [name, bytes] of image.files) M.FS.writeFile(DIR + '/' + name, bytes);
  const stored = await store.listPhotos();
  mkdirs(PHOTO_DIR);
  const local = photoFiles();
  for (const name of local.keys()) if (!stored.has(name)) M.FS.unlink(PHOTO_DIR + '/' + name);
  for (const [name, size] of stored) {
    if (local.get(name) !== size) M.FS.writeFile(PHOTO_DIR + '/' + name, await store.readPhoto(name));
  }
  persistedPhotos = stored;
  // A newest slot that failed its checksum must not make every later call reload again.
  loadedGen = Math.max(image ? image.generation : 0, head);
  openDb();
  lastSignature = signature();
  return image !== null;
}

async function persist() {
  const files = new Map();
  for (const f of IMAGE_FILES) {
    if (exists(DIR + '/' + f)) files.set(f, M.FS.readFile(DIR + '/' + f));
  }
  const now = photoFiles();
  const puts = new Map();
  for (const [name, size] of now) {
    if (persistedPhotos.get(name) !== size) puts.set(name, M.FS.readFile(PHOTO_DIR + '/' + name));
  }
  const deletes = [...persistedPhotos.keys()].filter((n) => !now.has(n));
  const generation = Math.max(loadedGen, await store.head()) + 1;
  await store.commit(generation, files, puts, deletes);
  loadedGen = generation;
  persistedPhotos = now;
  lastSignature = signature();
  channel.postMessage({ generation });
}

// Runs fn (which calls the engine) alone: one at a time in this tab (the queue), one tab at a
// time (the lock), on the newest stored image, and persists what it wrote before resolving.
let queue = Promise.resolve();
function exclusive(fn) {
  const run = () => navigator.locks.request('q11-device', async () => {
    const t0 = performance.now();
    if ((await store.head()) > loadedGen) await reloadFromStore();
    const t1 = performance.now();
    const result = await fn();
    const t2 = performance.now();
    let saved = false;
    if (result.wrote || dirty()) {
      try {
        await persist();
      } catch (e) {
        // The change is in memory only: say so (the next successful write stores it too).
        return { ...result.answer, rc: Q11_UNAVAILABLE, saved: false,
          errmsg: `không lưu được trên máy / could not store on this device: ${e && e.message ? e.message : e}` };
      }
      saved = true;
    }
    // Where the time went (ms), for the budgets of docs/app.md.
    const ms = { reload: t1 - t0, engine: t2 - t1, persist: performance.now() - t2 };
    return { ...result.answer, saved, ms };
  });
  const p = queue.then(run, run);
  queue = p.catch(() => {});
  return p;
}
function engineCall(name, args) {
  return exclusive(() => ({ answer: call(name, args), wrote: !READS.has(name) }));
}

// ---- composite operations --------------------------------------------------------------

let tmpCounter = 0;
function attachAll(reportId, photos) {
  mkdirs(TMP_DIR);
  const ids = [];
  for (const buf of photos) {
    const path = `${TMP_DIR}/photo-${Date.now()}-${tmpCounter++}.jpg`;
    M.FS.writeFile(path, new Uint8Array(buf));
    try {
      const r = call('q11_photo_attach', [reportId, path]);
      if (r.rc !== Q11_OK) return r;
      ids.push(r.value);
    } finally {
      M.FS.unlink(path);
    }
  }
  return { rc: Q11_OK, value: ids, errmsg: '' };
}

// Files a report and attaches its photos: {id, receipt_code, photos}. The report stays when a
// photo is refused (the answer then says which error, with the report's id in value).
function fileReport(report, photos) {
  return exclusive(() => {
    const r = call('q11_report_new_v2', [JSON.stringify(report)]);
    if (r.rc !== Q11_OK) return { answer: r, wrote: false };
    const id = r.value;
    const attached = attachAll(id, photos || []);
    const shown = call('q11_report_show_json', [id]);
    const value = { id, receipt_code: shown.value ? shown.value.receipt_code : null,
      photos: attached.rc === Q11_OK ? attached.value.length : 0 };
    if (attached.rc !== Q11_OK) return { answer: { ...attached, value }, wrote: true };
    return { answer: { rc: Q11_OK, value, errmsg: '' }, wrote: true };
  });
}

function photoBytes(photoId, thumb) {
  return exclusive(() => {
    const r = call('q11_photo_fetch', [photoId, thumb ? 1 : 0]);
    if (r.rc !== Q11_OK) return { answer: r, wrote: true };
    const bytes = M.FS.readFile(r.value);
    return { answer: { rc: Q11_OK, value: bytes.buffer, errmsg: '' }, wrote: true };
  });
}

// ---- sync and live updates -------------------------------------------------------------

let online = true;         // what the last network attempt found (shown by the page)
let browserOnline = true;  // what the browser says (the page forwards online/offline)
let liveWanted = false;
let liveRunning = false;
let liveAbort = null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function setNet(value) {
  if (value === online) return;
  online = value;
  postMessage({ event: 'net', online });
}

async function sync(why) {
  const r = await engineCall('q11_sync', []);
  if (r.rc === Q11_OK) setNet(true);
  else if (r.rc === Q11_UNAVAILABLE) setNet(false);
  // A sync the page asked for is answered; one the worker started itself is announced.
  if (why === 'reconnect' || why === 'live') {
    postMessage({ event: 'synced', why, rc: r.rc, value: r.value, errmsg: r.errmsg });
  }
  return r;
}

// The long poll: ask the engine for the request (it refreshes the token), send it with
// fetch (the engine is free meanwhile), sync when the server says something changed. Backs
// off after failures (1 s doubling to a minute); pauses while the browser is offline (the
// page's "online" event starts it again) and stops when nobody is logged in.
async function liveLoop() {
  if (liveRunning) return;
  liveRunning = true;
  let backoff = 1000;
  try {
    while (liveWanted && browserOnline) {
      const req = await engineCall('q11_wait_request_json', [25]);
      if (req.rc === Q11_NOT_FOUND || req.rc === Q11_UNAUTHENTICATED) break;
      if (req.rc !== Q11_OK) {
        if (req.rc === Q11_UNAVAILABLE) setNet(false);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 60000);
        continue;
      }
      const w = req.value;
      liveAbort = new AbortController();
      let res;
      try {
        res = await fetch(w.path, {
          method: 'POST',
          headers: { 'Content-Type': w.content_type, Authorization: 'Bearer ' + w.bearer },
          body: w.body,
          cache: 'no-store',
          signal: liveAbort.signal,
        });
      } catch (e) {
        if (!liveWanted) break;
        setNet(false);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 60000);
        continue;
      } finally {
        liveAbort = null;
      }
      setNet(true);
      if (res.status === 503 || res.status === 429) {
        const after = Number(res.headers.get('Retry-After')) || 5;
        await sleep(after * 1000);
        continue;
      }
      if (!res.ok) {
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 60000);
        continue;
      }
      backoff = 1000;
      const answer = await res.json().catch(() => ({}));
      if (answer.changed) await sync('live');
    }
  } finally {
    liveRunning = false;
  }
}

// Another tab persisted a newer image: tell the page, which renders again (and the next
// engine call reloads the image).
channel.onmessage = (e) => {
  if (e.data && e.data.generation > loadedGen) postMessage({ event: 'changed', why: 'tab' });
};

// ---- messages ---------------------------------------------------------------------------

async function init(options) {
  M = await createQ11Core({
    locateFile: (path) => new URL(path, self.location.href).href,
    print: () => {},
    printErr: (s) => console.warn('q11core:', s),
  });
  mkdirs(DIR);
  store = await Q11Storage.open(options.storage || 'auto');
  const answer = await navigator.locks.request('q11-device', async () => {
    const had = await reloadFromStore();
    // A new database: store it at once so every tab opens the same device.
    if (!had || dirty()) await persist();
    return { rc: Q11_OK, value: { storage: store.kind, version: M.UTF8ToString(M._q11_libversion()) }, errmsg: '' };
  });
  browserOnline = online = options.online !== false;
  return answer;
}

async function handle(msg) {
  switch (msg.op) {
    case 'init': return init(msg);
    case 'call': return engineCall(msg.name, msg.args || []);
    case 'fileReport': return fileReport(msg.report, msg.photos);
    case 'attachPhotos':
      return exclusive(() => ({ answer: attachAll(msg.reportId, msg.photos || []), wrote: true }));
    case 'photo': return photoBytes(msg.photoId, msg.thumb);
    case 'sync': return sync(msg.why || 'button');
    default: return { rc: Q11_MISUSE, value: null, errmsg: 'unknown operation ' + msg.op };
  }
}

self.onmessage = async (e) => {
  const msg = e.data || {};
  if (msg.op === 'net') {
    const was = browserOnline;
    browserOnline = !!msg.online;
    if (!browserOnline) {
      setNet(false);
      if (liveAbort) liveAbort.abort();
    } else if (!was && store) {
      // Back online: send what waited, then listen again.
      sync('reconnect').then(() => { if (liveWanted) liveLoop(); });
    }
    return;
  }
  if (msg.op === 'live') {
    liveWanted = !!msg.on;
    if (!liveWanted && liveAbort) liveAbort.abort();
    if (liveWanted && store && browserOnline) liveLoop();
    return;
  }
  let answer;
  try {
    answer = await handle(msg);
  } catch (err) {
    answer = { rc: Q11_INTERNAL, value: null, errmsg: String(err && err.message ? err.message : err) };
  }
  const transfer = answer && answer.value instanceof ArrayBuffer ? [answer.value] : [];
  postMessage({ id: msg.id, ...answer }, transfer);
};
