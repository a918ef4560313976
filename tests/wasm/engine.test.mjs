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
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => /^--([^=]+)=(.*)$/.exec(a)).filter(Boolean).map((m) => [m[1], m[2]]));
if (!args.core || !args.syncserver) {
  console.error('usage: engine.test.mjs --core=q11core.js --syncserver=PATH');
  process.exit(2);
}

let step = 0;
function check(ok, what) {
  step += 1;
  if (!ok) throw new Error(`check ${step} failed: ${what}`);
  console.log(`ok ${step} - ${what}`);
}

// Result codes of devicecore.h.
const Q11 = { OK: 0, NOT_FOUND: 2, ALREADY_EXISTS: 3, UNAUTHENTICATED: 5, UNAVAILABLE: 8 };

// --- The real server, as a child process on a loopback port ---------------------------------
const tmp = mkdtempSync(join(tmpdir(), 'q11-wasm-'));
const data = join(tmp, 'server');
let server = null;
let port = 0;

function syncserver(...cli) {
  return execFileSync(args.syncserver, cli, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function healthy(p) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: p, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

// Starts `syncserver serve` (port 0 the first time: a free one; the same one on a restart,
// so the devices keep their server URL) and waits until /healthz answers.
async function startServer() {
  const portFile = join(data, 'syncserver.port');
  rmSync(portFile, { force: true });
  // Tests sync far more often than people do: no rate limits.
  server = spawn(args.syncserver, ['serve', `--data=${data}`, `--port=${port}`,
    '--login-per-minute=0', '--register-per-hour=0', '--sync-per-minute=0',
    '--max-connections-per-address=0', '--refused-entries-per-hour=0'],
  { stdio: ['ignore', 'ignore', openSync(join(tmp, 'server.log'), 'a')] });
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`syncserver exited (${server.exitCode})`);
    if (existsSync(portFile)) {
      const p = Number(readFileSync(portFile, 'utf8').trim());
      if (p > 0 && await healthy(p)) { port = p; return; }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('syncserver did not answer /healthz within 20 s');
}

async function stopServer() {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
}

// The server's own view: `syncserver report cases` lists every case it holds.
function serverCases() {
  const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);  // UTC+7
  const out = syncserver('report', 'cases', `--data=${data}`, `--from=${today}`, `--to=${today}`,
    '--json');
  const parsed = JSON.parse(out);
  return Array.isArray(parsed) ? parsed : parsed.cases;
}

// --- A small PNG of noise (the photo a phone would attach) ----------------------------------
function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function png(width, height) {
  const chunk = (type, body) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);  // 8-bit RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  let seed = 12345;
  for (let i = 0; i < rows.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    rows[i] = i % (width * 3 + 1) === 0 ? 0 : seed >>> 24;
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

// --- The engine ------------------------------------------------------------------------------
const require = createRequire(import.meta.url);
const createQ11Core = require(args.core);
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
  syncserver('user', 'add', `--data=${data}`, '--name=canbo.p04', '--password=mat-khau-p04',
    '--role=official', '--unit=p04');
  await startServer();
  const url = `http://127.0.0.1:${port}`;
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
  await stopServer();
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
  await startServer();
  check(`http://127.0.0.1:${port}` === url, 'the server is back on the same port');
  r = sync(citizen);
  check(r.rc === Q11.OK, `q11_sync once the server is back: ${r.err || r.out}`);
  const summary = JSON.parse(r.out);
  check(summary.pending_after === 0 && outbox(citizen) === 0,
    `the outbox is empty after sync (pushed ${summary.pushed}, pending_after ${summary.pending_after})`);
  r = sync(citizen);
  check(r.rc === Q11.OK, 'a second sync is harmless');
  let cases = serverCases();
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
  r = call(official, 'case_status', [S, S, S], [ids[0], 'accepted', 'Đã tiếp nhận, chuyển Phòng QLĐT']);
  check(r.rc === Q11.OK, `the official accepts the case offline-first: ${r.err || 'ok'}`);
  r = sync(official);
  check(r.rc === Q11.OK && outbox(official) === 0, `the official's change is pushed: ${r.err || 'ok'}`);
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
  const got = Buffer.from(M.FS.readFile(r.out));
  const isPng = got.subarray(0, 8).equals(photo.subarray(0, 8));
  check(isPng && got.readUInt32BE(16) === 64 && got.readUInt32BE(20) === 48,
    `the downloaded photo is the 64×48 PNG (${got.length} bytes)`);
  r = call(official, 'photo_fetch', [S, 'number'], [photoId, 1], 'string');
  const thumb = r.rc === Q11.OK ? M.FS.readFile(r.out) : new Uint8Array();
  check(thumb.length > 0 && (thumb[0] === 0xff || thumb[0] === 0x89 || thumb[0] === 0x52),
    `the thumbnail arrives as an image (${thumb.length} bytes)`);

  // Offline again for the official: the next change waits in the outbox and lands once.
  await stopServer();
  r = call(official, 'case_status', [S, S, S], [ids[1], 'accepted', 'Tiếp nhận khi mất mạng']);
  check(r.rc === Q11.OK, 'the official accepts another case with the server down');
  r = sync(official);
  check(r.rc === Q11.UNAVAILABLE && outbox(official) === 1,
    `Q11_UNAVAILABLE and the change stays queued (${r.rc}, outbox ${outbox(official)})`);
  await startServer();
  check(sync(official).rc === Q11.OK && outbox(official) === 0, 'it lands when the server is back');
  check(sync(citizen).rc === Q11.OK && show(citizen, ids[1]).status === 'accepted',
    'and reaches the citizen');
  cases = serverCases();
  check(cases.length === ids.length, `the server holds exactly the ${ids.length} reports (${cases.length})`);

  call(citizen, 'close', [], []);
  call(official, 'close', [], []);
} catch (e) {
  failed = true;
  console.error(`not ok - ${e.message}`);
  const log = join(tmp, 'server.log');
  if (existsSync(log)) console.error(`--- syncserver's log:\n${readFileSync(log, 'utf8')}`);
} finally {
  await stopServer();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
