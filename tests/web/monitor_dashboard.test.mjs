// Browser test of the monitoring dashboard (syncserver/web/monitor/) in Debian's headless
// chromium, driven by playwright-core. Run by tests/web/monitor_dashboard_driver.cc (ctest
// "web: monitor dashboard"), which starts the real server on the hand-computed fixture of
// tests/support/monitor_fixture.h (the numbers below are that file's), plus a report in p04
// with a photo a citizen's phone sent, overdue since the server's clock moved a month on
// (--photo-receipt). Standalone:
//   node monitor_dashboard.test.mjs --url=http://127.0.0.1:PORT --from=2026-11-02 --to=2026-11-15 \
//        --photo-receipt=CODE [--user=lanhdao --password=PW --screenshot=FILE --downloads=DIR
//        --chromium=PATH]
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
const photoReceipt = args['photo-receipt'];
if (!url || !photoReceipt) {
  console.error('usage: node monitor_dashboard.test.mjs --url=URL --photo-receipt=CODE [...]');
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
const shot = (name) => screenshot.replace(/\.png$/, '') + `-${name}.png`;

// Presses Tab until `selector` has the focus (at most `limit` times): keyboard only.
async function tabTo(selector, limit = 300) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((sel) => document.activeElement === document.querySelector(sel), selector)) return true;
    await page.keyboard.press('Tab');
  }
  return false;
}
const focused = () => page.evaluate(() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return { id: el.id, cls: el.className, text: el.textContent.trim().slice(0, 40),
    inOverdue: !!el.closest('#overdue-view'), inCase: !!el.closest('#case-view'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 };
});
async function noSideScroll(what) {
  const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  check(w.scroll <= w.inner, `${what} at 360 px: no horizontal scroll (page ${w.scroll} px, screen ${w.inner} px)`);
}

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
  // Column names in full words, with the English beside: no abbreviations such as "TV" or "P90".
  const heads = await page.locator('#units thead th').allTextContents();
  check(heads.every((h) => !/\bTV\b|\bP90\b/i.test(h)), `no abbreviated column names (${heads.join(' | ')})`);
  check(heads.some((h) => h.includes('Thời gian tiếp nhận, trung vị (giờ làm việc)') && h.includes('Time to accept, median')),
    'the median is named in words, Vietnamese with English');
  // Units and categories without a case in the period are listed, not dropped.
  const idle = await page.locator('#units tbody tr').evaluateAll((rows) => rows
    .filter((r) => r.querySelector('td[data-col="received"]').textContent === '0')
    .map((r) => ({ id: r.dataset.id, name: r.querySelector('th').textContent })));
  check(idle.length > 0, `units with 0 cases are in the table (${idle.map((u) => u.id).join(', ')})`);
  check((await text(cellOf(idle[0].id, 'on_time_rate'))) === '–', `${idle[0].id} shows no rate (–)`);
  const cats = await page.locator('#categories tbody tr').count();
  const idleCats = await page.locator('#categories tbody tr td[data-col="received"]').evaluateAll(
    (cells) => cells.filter((c) => c.textContent === '0').length);
  check(cats === idleCats + 2 && idleCats > 0,
    `the category table lists every category: the 2 with reports and ${idleCats} without (got ${cats})`);

  // Sorting: by received, most first.
  await page.click('#units thead th[data-col="received"]');
  const order = await page.locator('#units tbody tr').evaluateAll((rows) => rows.slice(0, 3).map((r) => r.dataset.id));
  check(order.join(',') === 'q11,p04,p05', `sorted by received: ${order}`);

  // The charts were drawn by the vendored Chart.js from the API's figures.
  const weeks = await page.evaluate(() => Chart.getChart('chart-weeks')?.data.datasets.map((d) => d.data.join('/')));
  check(weeks && weeks[0] === '3/4' && weeks[1] === '3/0', `weekly trend received 3/4, resolved 3/0 (got ${weeks})`);
  const units = await page.locator('#units tbody tr:not(.district)').count();
  const ranked = await page.evaluate(() => Chart.getChart('chart-ranked')?.data.labels);
  check(ranked.length === units, `every unit is ranked by on-time rate, not only those with a rate (${ranked.length} of ${units})`);
  check(ranked.some((l) => l === `${idle[0].name} · –`) && ranked.some((l) => l.endsWith(' · 0.0%')),
    `units without cases and at 0% are on the chart (${idle[0].name} · –, Phòng Quản lý đô thị · 0.0%)`);
  const backlog = await page.evaluate(() => Chart.getChart('chart-backlog')?.data.datasets
    .reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0));
  check(backlog === 6, `backlog by age holds the 6 open cases: the fixture's 5 and the phone's report (got ${backlog})`);
  const mapped = await page.evaluate(() => Chart.getChart('chart-map')?.data.datasets.map((d) => d.data.length).join('/'));
  check(mapped === '0/2', `the map shows the 2 located open cases, both overdue (got ${mapped})`);

  // Drill down: p04 → its overdue cases → one case's history.
  await page.click('#units tbody tr[data-id="p04"] button.drill');
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
  check((await text(page.locator('#case-view'))).includes('UTC+7'), 'and say so (UTC+7)');
  check((await text(page.locator('#case-facts dd[data-fact="f_ward"]'))) === 'Phường 4' &&
        (await text(page.locator('#case-facts dd[data-fact="f_unit"]'))) === 'Phòng Quản lý đô thị',
    'the ward and the unit by name');
  check(!(await page.locator('#case-photos-none').isHidden()), 'a case without photos says so');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  check(await page.locator('#overdue-view').isHidden(), 'Escape closes the detail views');

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

  // Keyboard only: Tab to p04, Enter opens its overdue cases, Space opens a case, Escape
  // closes each and gives the focus back where it was.
  await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
  check(await tabTo('#units tbody tr[data-id="p04"] button.drill'), 'Tab reaches the drill-down of p04');
  check((await focused()).outline, 'the focus is visible (an outline)');
  await page.keyboard.press('Enter');
  await page.locator('#overdue-view').waitFor({ state: 'visible' });
  check((await page.locator('#overdue-view').getAttribute('role')) === 'dialog' &&
        (await page.locator('#overdue-view').getAttribute('aria-labelledby')) === 'overdue-heading',
    'the overdue view is a labelled dialog');
  check((await focused()).inOverdue, 'Enter opens the overdue cases and moves the focus into them');
  check(await tabTo('#overdue tbody tr:first-child button.open-case', 20), 'Tab reaches the first overdue case');
  await page.keyboard.press(' ');
  await page.locator('#case-view').waitFor({ state: 'visible' });
  check((await focused()).inCase, 'Space opens the case and moves the focus into it');
  check((await text(page.locator('#case-receipt'))) === 'Q11-AAAA-0003', 'the case opened from the keyboard');
  await page.keyboard.press('Escape');
  check(await page.locator('#case-view').isHidden(), 'Escape closes the case');
  const back1 = await focused();
  check(back1.cls === 'open-case' && back1.text === 'Q11-AAAA-0003', `the focus returns to the case's button (${back1.text})`);
  await page.keyboard.press('Escape');
  check(await page.locator('#overdue-view').isHidden(), 'Escape closes the overdue cases');
  const back2 = await focused();
  check(back2.cls === 'drill' && back2.text === 'Phường 4', `the focus returns to the unit (${back2.text})`);

  // Photos: the phone's report, overdue a month later, in p04's drill-down of this month.
  const today = await page.evaluate(() => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10));
  const later = await page.evaluate(() => new Date(Date.now() + 7 * 3600 * 1000 + 31 * 86400000).toISOString().slice(0, 10));
  await page.fill('#p-from', today);
  await page.fill('#p-to', later);
  await page.click('#period button[type=submit]');
  await page.waitForFunction((d) => document.querySelector('#status-line').textContent.includes(d), later);
  await page.click('#units tbody tr[data-id="p04"] button.drill');
  const photoRow = page.locator(`#overdue tbody tr:has(button.open-case:text-is("${photoReceipt}"))`);
  await photoRow.waitFor();
  await photoRow.locator('button.open-case').click();
  await page.locator('#case-view').waitFor({ state: 'visible' });
  check((await text(page.locator('#case-receipt'))) === photoReceipt, `the phone's case ${photoReceipt} opens`);
  const thumb = page.locator('#case-photos img');
  check(await thumb.count() === 1, 'the case view shows its one photo');
  await page.waitForFunction(() => document.querySelector('#case-photos img')?.naturalWidth > 0);
  const thumbSize = await thumb.evaluate((img) => ({ w: img.naturalWidth, h: img.naturalHeight, src: img.src, alt: img.alt }));
  check(thumbSize.src.startsWith('blob:') && thumbSize.w > 0 && thumbSize.w < 800,
    `the thumbnail loads through the photo endpoint (${thumbSize.w}×${thumbSize.h})`);
  check(thumbSize.alt.includes('Ảnh của người dân'), `it is described (${thumbSize.alt})`);
  const link = page.locator('#case-photos a.photo-link');
  check((await link.getAttribute('href')).includes('size=full'), 'the thumbnail links to the full photo');
  await link.focus();
  await page.keyboard.press('Enter');
  await page.locator('#photo-view').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#photo-full').naturalWidth > 0);
  const full = await page.locator('#photo-full').evaluate((img) => img.naturalWidth);
  check(full === 800, `the full photo opens (${full} px wide)`);
  await page.screenshot({ path: shot('photo'), fullPage: false });
  await page.keyboard.press('Escape');
  check(await page.locator('#photo-view').isHidden() && (await focused()).cls === 'photo-link',
    'Escape closes the photo and the focus returns to its thumbnail');
  await page.screenshot({ path: shot('case'), fullPage: true });

  // A phone: the dashboard, the drill-down and the case fit the screen; wide tables scroll
  // inside their own box.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(200);
  await noSideScroll('the case view');
  await page.keyboard.press('Escape');
  await noSideScroll('the overdue cases');
  await page.keyboard.press('Escape');
  await page.evaluate(() => window.scrollTo(0, 0));
  await noSideScroll('the dashboard');
  const boxed = await page.locator('#units').evaluate((t) => {
    const box = t.closest('.table-scroll');
    return { scroll: box.scrollWidth, client: box.clientWidth, overflow: getComputedStyle(box).overflowX };
  });
  check(boxed.overflow === 'auto' && boxed.scroll > boxed.client,
    `the unit table scrolls inside its box (${boxed.scroll} px in ${boxed.client} px)`);
  await page.screenshot({ path: shot('phone'), fullPage: true });
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
