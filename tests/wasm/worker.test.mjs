// ctest "wasm: engine in chromium's Web Worker": the engine as the web app runs it. Headless
// chromium loads /app/q11core.js and /app/q11core.wasm from the real syncserver of this
// build (on a loopback port) into a dedicated Web Worker, where fetch_transport.cc speaks
// synchronous XMLHttpRequest to the same origin: register, a wrong password, reports and a
// photo filed while the server is down (the network error is Q11_UNAVAILABLE, the outbox
// keeps them), sync once it is back (each report on the server exactly once, the photo
// uploaded with PATCH), and an official's handle in the same worker downloading the photo
// (GET with Range, binary answer). Only the small test page and its worker script are
// supplied by the test (page.route); everything else is the server's.
// Skipped (77) when chromium or playwright-core is missing, except in CI (CI set, or
// Q11_REQUIRE_BROWSER=1), as the other browser tests.
//
//   node worker.test.mjs --syncserver=PATH --playwright=tests/web/node_modules/playwright-core
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { makeCheck, parseArgs, png, pngSize, Q11, Server } from './support.mjs';

const args = parseArgs('worker.test.mjs --syncserver=PATH --playwright=DIR [--chromium=PATH]',
  ['syncserver', 'playwright']);
const chromiumPath = args.chromium || process.env.Q11_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath) || !existsSync(join(args.playwright, 'index.mjs'))) {
  console.log(`SKIP: needs ${chromiumPath} and ${args.playwright} (run scripts/install-deps)`);
  const ci = process.env.CI;
  const must = (ci && ci !== 'false') || process.env.Q11_REQUIRE_BROWSER === '1';
  process.exit(must ? 1 : 77);
}
const { chromium } = await import(pathToFileURL(join(args.playwright, 'index.mjs')).href);
const check = makeCheck();
const server = new Server(args.syncserver);

// The worker: loads the engine the server serves and answers {id, op, args} messages.
// call: q11_<name>(db, ...values[, out]) → {rc, out, err, ms}, as engine.test.mjs's call().
const workerScript = `
importScripts('/app/q11core.js');
let M;
const ready = createQ11Core({ locateFile: (file) => '/app/' + file }).then((m) => { M = m; });
function call(db, name, types, values, out) {
  const slot = out ? M._malloc(8) : 0;
  if (slot) M.setValue(slot, 0, 'i32');
  const t0 = performance.now();
  const rc = M.ccall('q11_' + name, 'number', ['number', ...types, ...(out ? ['number'] : [])],
                     [db, ...values, ...(out ? [slot] : [])]);
  const ms = performance.now() - t0;
  let value = null;
  if (out === 'string') {
    const p = M.getValue(slot, 'i32');
    value = p ? M.UTF8ToString(p) : null;
    if (p) M._q11_free(p);
  } else if (out === 'int64') {
    value = M.getValue(slot, 'i32');
  }
  if (slot) M._free(slot);
  return { rc, out: value, err: rc ? M.UTF8ToString(M._q11_errmsg(db)) : '', ms };
}
onmessage = async ({ data: { id, op, args } }) => {
  try {
    await ready;
    let result;
    if (op === 'mkdir') M.FS.mkdir(args[0]);
    else if (op === 'writeFile') M.FS.writeFile(args[0], new Uint8Array(args[1]));
    else if (op === 'readFile') result = Array.from(M.FS.readFile(args[0]));
    else if (op === 'open') {
      const slot = M._malloc(4);
      const rc = M.ccall('q11_open', 'number', ['string', 'number'], [args[0], slot]);
      result = { rc, db: M.getValue(slot, 'i32') };
      M._free(slot);
    } else if (op === 'call') result = call(...args);
    postMessage({ id, result });
  } catch (e) {
    postMessage({ id, error: String((e && e.stack) || e) });
  }
};
`;
const pageHtml = `<!doctype html><html lang="en"><meta charset="utf-8"><title>q11 engine</title>
<script>
  const engine = new Worker('/wasm-test/worker.js');
  const pending = new Map();
  let next = 0;
  engine.onmessage = ({ data }) => { pending.get(data.id)(data); pending.delete(data.id); };
  window.rpc = (op, args) => new Promise((resolve) => {
    const id = next++;
    pending.set(id, resolve);
    engine.postMessage({ id, op, args });
  });
</script>`;

const browser = await chromium.launch({
  executablePath: chromiumPath, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let failed = false;
try {
  server.addUser('canbo.p04', 'mat-khau-p04', 'official', 'p04');
  await server.start();
  const url = server.url;
  const page = await browser.newPage();
  await page.route('**/wasm-test/*', (route) => {
    const script = route.request().url().endsWith('/worker.js');
    route.fulfill({ status: 200, contentType: script ? 'text/javascript' : 'text/html',
      body: script ? workerScript : pageHtml });
  });
  await page.goto(`${url}/wasm-test/index.html`);
  const rpc = async (op, ...a) => {
    const answer = await page.evaluate(([o, x]) => window.rpc(o, x), [op, a]);
    if (answer.error) throw new Error(`worker: ${answer.error}`);
    return answer.result;
  };
  const S = 'string';
  const call = (db, name, types, values, out) => rpc('call', db, name, types, values, out);

  await rpc('mkdir', '/q11');
  const opened = await rpc('open', '/q11/citizen.db');
  check(opened.rc === Q11.OK, 'q11_open in the worker (the .wasm streamed from /app/)');
  const citizen = opened.db;
  let r = await call(citizen, 'register', [S, S, S, S, S], [url, 'minh.tran', 'mat-khau-minh', null, null]);
  check(r.rc === Q11.OK, `q11_register over synchronous XMLHttpRequest: ${r.err || 'ok'}`);
  r = await call(citizen, 'login', [S, S, S], [url, 'minh.tran', 'sai-mat-khau']);
  check(r.rc === Q11.UNAUTHENTICATED, `a wrong password: Q11_UNAUTHENTICATED (${r.rc}: ${r.err})`);
  r = await call(citizen, 'login', [S, S, S], [url, 'minh.tran', 'mat-khau-minh']);
  check(r.rc === Q11.OK, `q11_login: ${r.err || 'ok'}`);

  await server.stop();
  const titles = ['Vỉa hè bị lấn chiếm', 'Nước ngập sau mưa'];
  const ids = [];
  for (const title of titles) {
    r = await call(citizen, 'report_new', [S, S, S, S, S, 'number', 'number', 'number'],
      ['phan_anh', 'chieu-sang', 'p04', title, 'Phản ánh từ trình duyệt', 0, 0, 0], 'string');
    check(r.rc === Q11.OK, `filed "${title}" with the server down (${r.ms.toFixed(1)} ms)`);
    ids.push(r.out);
  }
  await rpc('writeFile', '/q11/anh.png', [...png(64, 48)]);
  r = await call(citizen, 'photo_attach', [S, S], [ids[0], '/q11/anh.png'], 'string');
  check(r.rc === Q11.OK, `q11_photo_attach: ${r.err || r.out}`);
  const photoId = r.out;
  r = await call(citizen, 'sync', [], [], 'string');
  check(r.rc === Q11.UNAVAILABLE, `q11_sync with the server down: Q11_UNAVAILABLE (${r.err})`);
  r = await call(citizen, 'outbox_count', [], [], 'int64');
  check(r.out === 3, `the outbox keeps the reports and the photo (${r.out})`);

  await server.start();
  r = await call(citizen, 'sync', [], [], 'string');
  check(r.rc === Q11.OK, `q11_sync once the server is back (${r.ms.toFixed(0)} ms): ${r.err || 'ok'}`);
  const summary = JSON.parse(r.out);
  check(summary.pending_after === 0 && summary.photos.uploaded === 1,
    `everything left the outbox, the photo was uploaded (${summary.photos.uploaded})`);
  const cases = server.cases();
  for (let i = 0; i < ids.length; i++) {
    const n = cases.filter((c) => c.id === ids[i]).length;
    check(n === 1, `the server holds "${titles[i]}" exactly once (${n})`);
  }

  const official = (await rpc('open', '/q11/official.db')).db;
  r = await call(official, 'login', [S, S, S], [url, 'canbo.p04', 'mat-khau-p04']);
  check(r.rc === Q11.OK, `the official logs in from the same worker: ${r.err || 'ok'}`);
  r = await call(official, 'sync', [], [], 'string');
  check(r.rc === Q11.OK, `the official's device pulls: ${r.err || 'ok'}`);
  r = await call(official, 'photo_fetch', [S, 'number'], [photoId, 0], 'string');
  check(r.rc === Q11.OK, `q11_photo_fetch (GET with Range, binary answer): ${r.err || r.out}`);
  const size = pngSize(await rpc('readFile', r.out));
  check(size && size.width === 64 && size.height === 48, 'the photo arrives whole: the 64×48 PNG');
} catch (e) {
  failed = true;
  console.error(`not ok - ${e.message}`);
  server.printLog();
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
