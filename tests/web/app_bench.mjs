// The web app's budgets (issue 14, docs/app.md "Budgets"), measured and printed, never
// asserted: run by scripts/bench-app against a real syncserver it started on loopback.
//   node app_bench.mjs --url=http://127.0.0.1:PORT --citizen=NAME:PASSWORD [--runs=5]
//        [--chromium=/usr/bin/chromium]
// Figures, each a median over --runs unless said otherwise:
//   1. bytes: every file of the service worker's shell, as the server sends it to a browser
//      that accepts gzip, and what that takes over a 2G (EDGE, 236.8 kbit/s) link;
//   2. first visit: from navigation to the login form on an empty profile;
//   3. cold start: a browser started again on the same profile, offline, from navigation to
//      the list of reports showing (the shell from the service worker, the database from
//      OPFS);
//   4. saving a report: from the engine call to its durable write (100 reports, median and
//      95th percentile), and through the form, from the click on "Gửi phản ánh" to the
//      receipt code on screen;
//   5. syncing 100 queued reports against the local server.
import { request as httpRequest } from 'node:http';
import { chromium } from 'playwright-core';
import { launchChromium, parseArgs } from './harness.mjs';

const args = parseArgs();
const url = args.url;
const runs = Number(args.runs ?? 5);
const [citizenName, citizenPassword] = (args.citizen ?? '').split(':');
const executablePath = args.chromium ?? '/usr/bin/chromium';
if (!url || !citizenName) {
  console.error('usage: node app_bench.mjs --url=URL --citizen=NAME:PASSWORD [--runs=N]');
  process.exit(2);
}
const app = `${url}/app/`;
const PHONE = { width: 390, height: 844 };
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const EDGE_BITS_PER_SECOND = 236_800;

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const pct = (v, p) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(v.length * p))];
const ms = (x) => `${x.toFixed(1)} ms`;

// GET with or without gzip; the bytes that crossed the wire (the body as sent).
function download(path, gzip) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, app), { headers: gzip ? { 'Accept-Encoding': 'gzip' } : {} }, (res) => {
      let n = 0;
      res.on('data', (c) => { n += c.length; });
      res.on('end', () => resolve({ status: res.statusCode, bytes: n, encoding: res.headers['content-encoding'] ?? 'identity' }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function shellSizes() {
  const sw = await (await fetch(new URL('sw.js', app))).text();
  const list = /const SHELL = \[([^\]]*)\]/.exec(sw);
  if (!list) throw new Error('sw.js has no SHELL list');
  const files = ['sw.js', ...list[1].split(',').map((s) => s.trim().replace(/^'|'$/g, '')).filter(Boolean)];
  let raw = 0, wire = 0, engineWire = 0;
  for (const f of files) {
    const plain = await download(f, false);
    const packed = await download(f, true);
    if (plain.status !== 200 || packed.status !== 200) throw new Error(`${f}: HTTP ${plain.status}/${packed.status}`);
    raw += plain.bytes;
    wire += packed.bytes;
    if (f.startsWith('q11core')) engineWire += packed.bytes;
  }
  return { files: files.length, raw, wire, engineWire };
}

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
}

async function main() {
  const sizes = await shellSizes();
  console.log(`1. shell + engine, ${sizes.files} files: ${(sizes.raw / 1024).toFixed(0)} KiB raw, ` +
    `${(sizes.wire / 1024).toFixed(0)} KiB gzip as served (engine ${(sizes.engineWire / 1024).toFixed(0)} KiB, ` +
    `shell ${((sizes.wire - sizes.engineWire) / 1024).toFixed(0)} KiB); budget 1024 KiB; ` +
    `over 2G (EDGE 236.8 kbit/s): ${((sizes.wire * 8) / EDGE_BITS_PER_SECOND).toFixed(1)} s`);

  // 2. First visit on a fresh profile, every time.
  const firsts = [];
  for (let i = 0; i < runs; i++) {
    const c = await launchChromium(executablePath, { viewport: PHONE });
    const page = c.browser.pages()[0] ?? await c.browser.newPage();
    const t0 = Date.now();
    await page.goto(app);
    await ready(page);
    await page.getByLabel('Tên đăng nhập', { exact: true }).waitFor();
    firsts.push(Date.now() - t0);
    await c.close();
  }
  console.log(`2. first visit, empty profile, to the login form: median ${ms(median(firsts))} (of ${runs}: ${firsts.join(', ')} ms)`);

  // One profile for the rest: log in, let the service worker install, keep 20 reports.
  const citizen = await launchChromium(executablePath, { viewport: PHONE });
  let page = citizen.browser.pages()[0] ?? await citizen.browser.newPage();
  await page.goto(app);
  await ready(page);
  await page.getByLabel('Tên đăng nhập', { exact: true }).fill(citizenName);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(citizenPassword);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await page.getByRole('button', { name: 'Gửi phản ánh mới' }).waitFor({ timeout: 60000 });
  await page.evaluate(() => navigator.serviceWorker.ready);

  // 4b. Through the form (10 reports): click to receipt code on screen.
  const formSaves = [];
  for (let i = 0; i < 10; i++) {
    await page.getByRole('button', { name: 'Gửi phản ánh mới' }).click();
    await page.getByLabel('Lĩnh vực', { exact: true }).selectOption({ index: 1 });
    await page.getByLabel('Phường', { exact: true }).selectOption({ index: 1 });
    await page.getByLabel('Tiêu đề', { exact: true }).fill(`Đo thời gian qua biểu mẫu ${i}`);
    await page.getByLabel('Nội dung', { exact: true }).fill('Phản ánh dùng để đo thời gian lưu.');
    const t0 = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Gửi phản ánh', exact: true }).click();
    await page.locator('#receipt-code').waitFor();
    formSaves.push((await page.evaluate(() => performance.now())) - t0);
    await page.goto(app);
    await ready(page);
  }

  // 4a and 5. The engine: 100 saves (call + durable write), then one sync of all 100.
  const engine = await page.evaluate(async () => {
    const e = await import('/app/engine.js');
    e.setLive(false);
    await e.sync('bench-before');  // the 10 above go first: the timed sync carries 100
    const saves = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      const r = await e.fileReport({ kind: 'gop_y', category: 'khac', ward: 'p04',
        title: `Đo thời gian ${i}`, description: 'Góp ý dùng để đo thời gian lưu và đồng bộ.' }, []);
      if (r.rc !== 0) return { error: r.errmsg };
      saves.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const s = await e.sync('bench');
    const sync = performance.now() - t0;
    e.setLive(true);
    return { saves, sync, rc: s.rc, pushed: s.value && s.value.pushed, errmsg: s.errmsg };
  });
  if (engine.error || engine.rc !== 0) throw new Error(`engine: ${engine.error || engine.errmsg}`);
  console.log(`4. saving a report: engine call + durable write, 100 reports: median ${ms(median(engine.saves))}, ` +
    `p95 ${ms(pct(engine.saves, 0.95))}, worst ${ms(Math.max(...engine.saves))}; ` +
    `through the form, click to receipt on screen (10): median ${ms(median(formSaves))}, ` +
    `worst ${ms(Math.max(...formSaves))}; budget 100 ms`);
  console.log(`5. syncing ${engine.pushed} queued reports against the local server: ${ms(engine.sync)}; budget 1000 ms`);

  // 4c. Every durable write stores the whole database image (docs/app.md, "Storage"): how
  // saving grows with a device holding 1,110 reports instead of 110.
  const big = await page.evaluate(async () => {
    const e = await import('/app/engine.js');
    e.setLive(false);
    for (let i = 0; i < 1000; i++) {
      const r = await e.fileReport({ kind: 'gop_y', category: 'khac', ward: 'p04',
        title: `Lấp đầy ${i}`, description: 'Góp ý để đo một cơ sở dữ liệu lớn hơn.' }, []);
      if (r.rc !== 0) return { error: r.errmsg };
    }
    const saves = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const r = await e.fileReport({ kind: 'gop_y', category: 'khac', ward: 'p04',
        title: `Đo khi lớn ${i}`, description: 'Góp ý để đo một cơ sở dữ liệu lớn hơn.' }, []);
      if (r.rc !== 0) return { error: r.errmsg };
      saves.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const s = await e.sync('bench-big');
    const sync = performance.now() - t0;
    const est = await navigator.storage.estimate();
    e.setLive(true);
    return { saves, sync, pushed: s.value && s.value.pushed, rc: s.rc, errmsg: s.errmsg, usage: est.usage };
  });
  if (big.error || big.rc !== 0) throw new Error(`engine (1,110 reports): ${big.error || big.errmsg}`);
  console.log(`4c. saving with 1,140 reports on the device (storage in use ${(big.usage / 1048576).toFixed(1)} MiB): ` +
    `median ${ms(median(big.saves))}, p95 ${ms(pct(big.saves, 0.95))} (30 reports); then syncing ${big.pushed} queued: ${ms(big.sync)}`);

  // 3. Cold start: the browser closed and started again on the same profile, offline.
  const colds = [];
  const profile = citizen.profile;
  await citizen.browser.close();
  for (let i = 0; i < runs; i++) {
    const ctx = await chromium.launchPersistentContext(profile, { executablePath, headless: true, viewport: PHONE, args: FLAGS });
    await ctx.setOffline(true);
    page = ctx.pages()[0] ?? await ctx.newPage();
    const t0 = Date.now();
    await page.goto(app);
    await ready(page);
    await page.locator('ul.reports li.report-item').nth(1139).waitFor({ timeout: 60000 });  // all 1,140 shown
    colds.push(Date.now() - t0);
    await ctx.close();
  }
  await citizen.close().catch(() => {});
  console.log(`3. cold start, browser restarted offline, 1,140 reports on the device, to the list: ` +
    `median ${ms(median(colds))} (of ${runs}: ${colds.join(', ')} ms); budget 2000 ms`);
}

main().catch((e) => {
  console.error(`app_bench: ${e.stack || e}`);
  process.exit(1);
});
