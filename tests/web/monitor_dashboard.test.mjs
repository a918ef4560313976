// Browser test of the monitoring dashboard (syncserver/web/monitor/) in Debian's headless
// chromium, driven by playwright-core. Run by tests/web/monitor_dashboard_driver.cc (ctest
// "web: monitor dashboard"), which starts the real server on the hand-computed fixture of
// tests/support/monitor_fixture.h; the numbers below are that file's. Standalone:
//   node monitor_dashboard.test.mjs --url=http://127.0.0.1:PORT --from=2026-11-02 --to=2026-11-15 \
//        [--user=lanhdao --password=PW --screenshot=FILE --downloads=DIR --chromium=PATH]
// Exits non-zero on the first failed check.
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, makeCheck, parseArgs } from './harness.mjs';

const args = parseArgs();
const url = args.url;
const from = args.from ?? '2026-11-02';
const to = args.to ?? '2026-11-15';
const user = args.user ?? 'lanhdao';
const password = args.password ?? 'lanhdao-2026';
const screenshot = args.screenshot ?? 'monitor_dashboard.png';
const executablePath = args.chromium ?? '/usr/bin/chromium';
if (!url) {
  console.error('usage: node monitor_dashboard.test.mjs --url=URL [...]');
  process.exit(2);
}

const check = makeCheck();

const chrome = await launchChromium(executablePath, {
  acceptDownloads: true,
  viewport: { width: 1360, height: 900 },
});
const browser = chrome.browser;
const downloads = args.downloads ?? join(chrome.profile, 'downloads');
mkdirSync(downloads, { recursive: true });
let failed = false;
const page = browser.pages()[0] ?? await browser.newPage();
const consoleErrors = [];
page.on('console', (m) => {
  if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(String(e)));
// Nothing but the server itself: no CDN, no other host.
const foreign = [];
page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('blob:')) foreign.push(r.url()); });

const cellOf = (unit, col) => page.locator(`#units tbody tr[data-id="${unit}"] td[data-col="${col}"]`);
async function text(locator) { return (await locator.textContent()).trim(); }

try {
  const res = await page.goto(`${url}/monitor?from=${from}&to=${to}`);
  check(res.status() === 200, 'GET /monitor answers 200');
  check((res.headers()['content-security-policy'] || '').includes("default-src 'self'"),
    'the page carries a strict Content-Security-Policy');
  check((await text(page.locator('#login-submit'))) === 'Đăng nhập', 'labels are Vietnamese by default');

  // An official is not let in.
  await page.fill('#login-name', 'canbo.p04');
  await page.fill('#login-password', 'p04-2026');
  await page.click('#login-submit');
  await page.locator('#login-error').filter({ hasText: /./ }).waitFor();
  check(await page.locator('#dashboard-view').isHidden(), 'an official does not get the dashboard');

  await page.fill('#login-name', user);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#units tbody tr[data-id="q11"]').waitFor();
  check(true, `signed in as ${user}`);

  // The cards: the district's figures.
  const cards = { received: '7', open: '4', overdue: '2', 'on-time': '25.0%', resolve: '9.0', satisfaction: '3.50' };
  for (const [id, want] of Object.entries(cards)) {
    const got = await text(page.locator(`#card-${id} .value`));
    check(got === want, `card ${id} shows ${want} (got ${got})`);
  }
  // The unit table against the fixture.
  const expected = {
    q11: { received: '7', open: '4', in_progress: '1', resolved: '2', rejected: '1', overdue_now: '2',
      on_time_rate: '25.0%', accept_median_hours: '1.0', accept_p90_hours: '5.5', resolve_median_hours: '9.0',
      resolve_p90_hours: '30.5', reopen_rate: '66.7%', satisfaction: '3.50' },
    p04: { received: '4', open: '2', overdue_now: '2', on_time_rate: '25.0%', accept_median_hours: '0.5',
      accept_p90_hours: '5.5', reopen_rate: '66.7%' },
    p05: { received: '3', open: '2', rejected: '1', overdue_now: '0', on_time_rate: '–', accept_median_hours: '1.0',
      resolve_median_hours: '–' },
    'phong-qldt': { received: '1', in_progress: '1', overdue_now: '1', on_time_rate: '0.0%' },
  };
  for (const [unit, cols] of Object.entries(expected)) {
    for (const [col, want] of Object.entries(cols)) {
      const got = await text(cellOf(unit, col));
      check(got === want, `${unit} ${col} = ${want} (got ${got})`);
    }
  }
  const cats = await page.locator('#categories tbody tr').count();
  check(cats === 2, `the category table lists the 2 categories with reports (got ${cats})`);

  // Sorting: by received, most first.
  await page.click('#units thead th[data-col="received"]');
  const order = await page.locator('#units tbody tr').evaluateAll((rows) => rows.slice(0, 3).map((r) => r.dataset.id));
  check(order.join(',') === 'q11,p04,p05', `sorted by received: ${order}`);

  // The charts were drawn by the vendored Chart.js from the API's figures.
  const weeks = await page.evaluate(() => Chart.getChart('chart-weeks')?.data.datasets.map((d) => d.data.join('/')));
  check(weeks && weeks[0] === '3/4' && weeks[1] === '3/0', `weekly trend received 3/4, resolved 3/0 (got ${weeks})`);
  const ranked = await page.evaluate(() => Chart.getChart('chart-ranked')?.data.labels.length);
  check(ranked === 2, `units ranked by on-time rate: the 2 with a rate besides p05 (got ${ranked})`);
  const backlog = await page.evaluate(() => Chart.getChart('chart-backlog')?.data.datasets
    .reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0));
  check(backlog === 5, `backlog by age holds the 5 open cases (got ${backlog})`);
  const mapped = await page.evaluate(() => Chart.getChart('chart-map')?.data.datasets.map((d) => d.data.length).join('/'));
  check(mapped === '0/2', `the map shows the 2 located open cases, both overdue (got ${mapped})`);

  // Drill down: p04 → its overdue cases → one case's history.
  await page.click('#units tbody tr[data-id="p04"] a.drill');
  await page.locator('#overdue-view').waitFor({ state: 'visible' });
  const late = await page.locator('#overdue tbody tr').evaluateAll((rows) => rows.map((r) => r.cells[0].textContent));
  check(late.join(',') === 'Q11-AAAA-0003,Q11-AAAA-0007', `p04's overdue cases, most overdue first: ${late}`);
  await page.click('#overdue tbody tr:first-child');
  await page.locator('#case-view').waitFor({ state: 'visible' });
  check((await text(page.locator('#case-receipt'))) === 'Q11-AAAA-0003', 'the case view opens');
  check((await text(page.locator('#case-title'))) === 'Rác "tồn đọng", hẻm 12', 'with its Vietnamese title');
  const events = await page.locator('#case-events li').allTextContents();
  check(events.length === 3 && events[1].includes('Chuyển Phòng QLĐT') && events[2].includes('Đang thu gom'),
    `the full history: ${events.join(' | ')}`);
  check((await text(page.locator('#case-facts dd[data-fact="f_received"]'))) === '04/11/2026 09:00',
    'times are shown in Vietnam time');

  // CSV of the cases, through the bearer-authenticated download.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-cases')]);
  const file = join(downloads, download.suggestedFilename());
  await download.saveAs(file);
  const csv = readFileSync(file, 'utf8');
  check(csv.charCodeAt(0) === 0xfeff, 'the CSV starts with a UTF-8 byte-order mark');
  const lines = csv.slice(1).trim().split('\r\n');
  check(lines[0].startsWith('id,receipt_code,kind,category_id,ward_id,assigned_unit,status,title,created_at,received_at,accepted_at,assigned_at,due_at,expected_at,deadline,resolved_at,closed_at'),
    'the CSV header names every timestamp');
  check(lines.length === 8, `the CSV has the 7 cases of the period (got ${lines.length - 1})`);
  check(csv.includes('"Rác ""tồn đọng"", hẻm 12"') && csv.includes(",'=1+1 ngập lại,"),
    'titles are quoted and formulas neutralised');
  check(download.suggestedFilename() === `q11-ho-so_${from}_${to}.csv`, `file name ${download.suggestedFilename()}`);

  // English.
  await page.click('#lang');
  check((await text(page.locator('#card-overdue .label'))) === 'Overdue now', 'the dashboard switches to English');
  check((await text(page.locator('#units thead th[data-col="on_time_rate"]'))).startsWith('On-time'),
    'table headers in English');
  await page.click('#lang');

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
  check(foreign.length === 0, `no request leaves the server ${foreign.join(' ')}`);
  check(consoleErrors.length === 0, `no errors in the browser console ${consoleErrors.join('; ')}`);
} catch (e) {
  failed = true;
  console.error(String(e && e.stack ? e.stack : e));
  try { await page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-failure.png', fullPage: true }); } catch {}
} finally {
  await chrome.close();
}
process.exit(failed ? 1 : 0);
