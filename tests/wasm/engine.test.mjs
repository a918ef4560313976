// ctest "wasm: engine against the real server": devicecore compiled to WebAssembly
// (q11core.js/.wasm, the web app's engine) loaded in node and driven through its C API
// against the real syncserver of this build, started here on a loopback port:
// register, log in (a wrong password is refused), file reports with a photo offline, a
// stopped server (Q11_UNAVAILABLE, nothing lost), sync (each report reaches the server
// exactly once, checked with the server's own CLI), an official's device handling the
// case, the citizen's device seeing it, and the photo coming back to the official.
// HTTP goes through fetch_transport.cc's node bridge (a worker thread; see docs/app.md).
//
//   node engine.test.mjs --core=build/wasm/q11core.js --syncserver=build/syncserver/syncserver
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

import { makeCheck, parseArgs, png, pngSize, Q11, Server } from './support.mjs';

const args = parseArgs('engine.test.mjs --core=q11core.js --syncserver=PATH', ['core', 'syncserver']);
const check = makeCheck();
const server = new Server(args.syncserver);

// --- The engine ------------------------------------------------------------------------------
const require = createRequire(import.meta.url);
const createQ11Core = require(resolve(args.core));
// The wasm bytes are handed over directly: emscripten 3.1.6 would otherwise try node's fetch
// on a file path.
const M = await createQ11Core({ wasmBinary: readFileSync(join(dirname(args.core), 'q11core.wasm')) });

// Calls q11_<name>(db, ...args[, out]) and returns {rc, out, err}. `out`: 'string' for a
// char** OUT (freed with q11_free), 'int' for int*, 'int64' for int64_t*, undefined for none.
function call(db, name, types, values, out) {
  const slot = out ? M._malloc(8) : 0;
  if (slot) { M.setValue(slot, 0, 'i32'); M.setValue(slot + 4, 0, 'i32'); }
  const rc = M.ccall(`q11_${name}`, 'number', ['number', ...types, ...(out ? ['number'] : [])],
    [db, ...values, ...(out ? [slot] : [])]);
  let value;
  if (out === 'string') {
    const p = M.getValue(slot, 'i32');
    value = p ? M.UTF8ToString(p) : null;
    if (p) M._q11_free(p);
  } else if (out === 'int' || out === 'int64') {
    value = M.getValue(slot, 'i32');  // counts here are small
  }
  if (slot) M._free(slot);
  const err = rc === Q11.OK ? '' : M.UTF8ToString(M._q11_errmsg(db));
  return { rc, out: value, err };
}

function open(path) {
  const slot = M._malloc(4);
  const rc = M.ccall('q11_open', 'number', ['string', 'number'], [path, slot]);
  const db = M.getValue(slot, 'i32');
  M._free(slot);
  check(rc === Q11.OK, `q11_open ${path}: ${rc === Q11.OK ? 'ok' : M.UTF8ToString(M._q11_errmsg(db))}`);
  return db;
}

// A POST from node itself (not through the engine), for the long poll.
function postJson(target, contentType, body, bearer) {
  return new Promise((resolve, reject) => {
    const req = request(target, { method: 'POST', headers: { 'Content-Type': contentType,
      Authorization: `Bearer ${bearer}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const S = 'string';
const sync = (db) => call(db, 'sync', [], [], 'string');
const outbox = (db) => call(db, 'outbox_count', [], [], 'int64').out;
const show = (db, id) => JSON.parse(call(db, 'report_show_json', [S], [id], 'string').out);
function fileReport(db, title, description) {
  const r = call(db, 'report_new', [S, S, S, S, S, 'number', 'number', 'number'],
    ['phan_anh', 'chieu-sang', 'p04', title, description, 10.7626, 106.6502, 1], 'string');
  check(r.rc === Q11.OK && r.out, `filed "${title}" offline: ${r.err || r.out}`);
  return r.out;
}

let failed = false;
try {
  server.addUser('canbo.p04', 'mat-khau-p04', 'official', 'p04');
  await server.start();
  const url = server.url;
  M.FS.mkdir('/q11');

  // Register, then the login rules.
  const citizen = open('/q11/citizen.db');
  let r = call(citizen, 'register', [S, S, S, S, S], [url, 'lan.nguyen', 'mat-khau-lan', '0907654321', null]);
  check(r.rc === Q11.OK, `q11_register over the node bridge: ${r.err || 'ok'}`);
  r = call(citizen, 'register', [S, S, S, S, S], [url, 'lan.nguyen', 'khac-mat-khau', null, null]);
  check(r.rc === Q11.ALREADY_EXISTS, `registering a taken name: Q11_ALREADY_EXISTS (${r.rc}: ${r.err})`);
  check(call(citizen, 'logout', [], []).rc === Q11.OK, 'q11_logout');
  r = call(citizen, 'login', [S, S, S], [url, 'lan.nguyen', 'sai-mat-khau']);
  check(r.rc === Q11.UNAUTHENTICATED, `a wrong password: Q11_UNAUTHENTICATED (${r.rc}: ${r.err})`);
  r = call(citizen, 'login', [S, S, S], [url, 'lan.nguyen', 'mat-khau-lan']);
  check(r.rc === Q11.OK, `q11_login with the right password: ${r.err || 'ok'}`);
  r = call(citizen, 'login', [S, S, S], ['http://192.0.2.1:8080', 'lan.nguyen', 'mat-khau-lan']);
  check(r.rc === 1 && /HTTPS/.test(r.err),
    `plain http to another machine is refused before any request (${r.rc}: ${r.err})`);

  // Offline: the server is down while three reports and a photo are filed.
  await server.stop();
  const titles = ['Đèn đường hỏng trước số 12', 'Cống nghẹt ở hẻm 34', 'Cây đổ chắn lối đi'];
  const ids = titles.map((t) => fileReport(citizen, t, `${t} — phản ánh từ WebAssembly`));
  const photo = png(64, 48);
  M.FS.writeFile('/q11/den-duong.png', photo);
  r = call(citizen, 'photo_attach', [S, S], [ids[0], '/q11/den-duong.png'], 'string');
  check(r.rc === Q11.OK && r.out, `q11_photo_attach offline: ${r.err || r.out}`);
  const photoId = r.out;
  const queued = outbox(citizen);
  check(queued >= 3, `the outbox holds the three reports (${queued} entries)`);
  r = sync(citizen);
  check(r.rc === Q11.UNAVAILABLE, `q11_sync with the server stopped: Q11_UNAVAILABLE (${r.rc}: ${r.err})`);
  check(outbox(citizen) === queued, 'nothing left the outbox');
  const list = JSON.parse(call(citizen, 'report_list_json', [], [], 'string').out);
  check(ids.every((id) => list.some((x) => x.id === id)), 'the three reports are listed on the device');
  const offlineReceipt = show(citizen, ids[0]).receipt_code;
  check(/^Q11-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(offlineReceipt ?? ''),
    `the receipt code is there at once, offline (${offlineReceipt})`);

  // Back online: one sync lands everything, exactly once.
  await server.start();
  check(server.url === url, 'the server is back on the same port');
  r = sync(citizen);
  check(r.rc === Q11.OK, `q11_sync once the server is back: ${r.err || r.out}`);
  const summary = JSON.parse(r.out);
  check(summary.pending_after === 0 && outbox(citizen) === 0,
    `the outbox is empty after sync (pushed ${summary.pushed}, pending_after ${summary.pending_after})`);
  r = sync(citizen);
  check(r.rc === Q11.OK, 'a second sync is harmless');
  let cases = server.cases();
  for (let i = 0; i < ids.length; i++) {
    const n = cases.filter((c) => c.id === ids[i] || c.report_id === ids[i]).length;
    check(n === 1, `the server holds "${titles[i]}" exactly once (${n})`);
  }
  const receipt = show(citizen, ids[0]).receipt_code;
  check(receipt === offlineReceipt, `the receipt code stays the same after sync (${receipt})`);

  // The official's device (a second handle in the same module) handles the case.
  const official = open('/q11/official.db');
  r = call(official, 'login', [S, S, S], [url, 'canbo.p04', 'mat-khau-p04']);
  check(r.rc === Q11.OK, `the official logs in: ${r.err || 'ok'}`);
  r = sync(official);
  check(r.rc === Q11.OK, `the official's device pulls: ${r.err || 'ok'}`);
  check(show(official, ids[0]).title === titles[0], 'the official sees the citizen\'s report');
  // Live updates as the web app does them: the engine builds the long-poll request, the
  // app sends it itself without blocking the engine (here: node's http, asynchronously).
  r = call(citizen, 'wait_request_json', ['number'], [30], 'string');
  check(r.rc === Q11.OK, `q11_wait_request_json: ${r.err || 'ok'}`);
  const wait = JSON.parse(r.out);
  const woken = postJson(url + wait.path, wait.content_type, wait.body, wait.bearer);
  check(await server.awaitWaiting(1), 'the citizen\'s wait sleeps on the server');
  r = call(official, 'case_status', [S, S, S], [ids[0], 'accepted', 'Đã tiếp nhận, chuyển Phòng QLĐT']);
  check(r.rc === Q11.OK, `the official accepts the case offline-first: ${r.err || 'ok'}`);
  r = sync(official);
  check(r.rc === Q11.OK && outbox(official) === 0, `the official's change is pushed: ${r.err || 'ok'}`);
  const answer = await woken;
  check(answer.status === 200 && JSON.parse(answer.body).changed === true,
    `the citizen's pending wait answers "changed" (${answer.status} ${answer.body})`);
  r = sync(citizen);
  check(r.rc === Q11.OK, 'the citizen syncs');
  const seen = show(citizen, ids[0]);
  check(seen.status === 'accepted', `the citizen's device shows the new status (${seen.status})`);

  // The photo: uploaded by the citizen's sync, fetched by the official.
  const photos = JSON.parse(call(official, 'photo_list_json', [S], [ids[0]], 'string').out);
  check(photos.length === 1 && photos[0].id === photoId, `the official's device lists the photo (${photos.length})`);
  r = call(official, 'photo_fetch', [S, 'number'], [photoId, 0], 'string');
  check(r.rc === Q11.OK && r.out, `q11_photo_fetch downloads the photo: ${r.err || r.out}`);
  // The server keeps a re-encoded copy without metadata (docs/security.md), so the bytes
  // differ from the phone's; the picture is the same size.
  const got = M.FS.readFile(r.out);
  const size = pngSize(got);
  check(size && size.width === 64 && size.height === 48,
    `the downloaded photo is the 64×48 PNG (${got.length} bytes)`);
  r = call(official, 'photo_fetch', [S, 'number'], [photoId, 1], 'string');
  const thumb = r.rc === Q11.OK ? M.FS.readFile(r.out) : new Uint8Array();
  check(thumb.length > 0 && (thumb[0] === 0xff || thumb[0] === 0x89 || thumb[0] === 0x52),
    `the thumbnail arrives as an image (${thumb.length} bytes)`);

  // Offline again for the official: the next change waits in the outbox and lands once.
  await server.stop();
  r = call(official, 'case_status', [S, S, S], [ids[1], 'accepted', 'Tiếp nhận khi mất mạng']);
  check(r.rc === Q11.OK, 'the official accepts another case with the server down');
  r = sync(official);
  check(r.rc === Q11.UNAVAILABLE && outbox(official) === 1,
    `Q11_UNAVAILABLE and the change stays queued (${r.rc}, outbox ${outbox(official)})`);
  await server.start();
  check(sync(official).rc === Q11.OK && outbox(official) === 0, 'it lands when the server is back');
  check(sync(citizen).rc === Q11.OK && show(citizen, ids[1]).status === 'accepted',
    'and reaches the citizen');
  cases = server.cases();
  check(cases.length === ids.length, `the server holds exactly the ${ids.length} reports (${cases.length})`);

  call(citizen, 'close', [], []);
  call(official, 'close', [], []);
} catch (e) {
  failed = true;
  console.error(`not ok - ${e.message}`);
  server.printLog();
} finally {
  await server.close();
}
process.exit(failed ? 1 : 0);
