// Browser test of the admin console (syncserver/web/admin/) in Debian's headless chromium,
// driven by playwright-core. Run by tests/web/admin_console_driver.cc (ctest "web: admin
// console"), which starts the real server with three parked conflicts (a status, a unit, a
// citizen's edit) and checks afterwards that the decisions reached a device. Standalone:
//   node admin_console.test.mjs --url=http://127.0.0.1:PORT --conflict=ID --receipt=CODE \
//        --title=TITLE --unit-conflict=ID --citizen-conflict=ID --citizen-name=NAME \
//        [--user=admin --password=PW --screenshot=FILE --chromium=PATH]
// Exits non-zero on the first failed check.
import { launchChromium, makeCheck, parseArgs } from './harness.mjs';

const args = parseArgs();
const url = args.url;
const conflictId = args.conflict;
const receipt = args.receipt;
const title = args.title;
const unitConflict = args['unit-conflict'];
const citizenConflict = args['citizen-conflict'];
const citizenName = args['citizen-name'];
const user = args.user ?? 'admin';
const password = args.password ?? 'admin-2026';
const screenshot = args.screenshot ?? 'admin_console.png';
const executablePath = args.chromium ?? '/usr/bin/chromium';
if (!url || !conflictId || !receipt || !title || !unitConflict || !citizenConflict || !citizenName) {
  console.error('usage: node admin_console.test.mjs --url=URL --conflict=ID --receipt=CODE --title=T ' +
    '--unit-conflict=ID --citizen-conflict=ID --citizen-name=NAME [...]');
  process.exit(2);
}

const check = makeCheck();
const shot = (name) => screenshot.replace(/\.png$/, '') + `-${name}.png`;

// A fresh profile (user data dir) per run: playwright passes it as --user-data-dir.
const chrome = await launchChromium(executablePath, { viewport: { width: 1280, height: 900 } });
const browser = chrome.browser;
let failed = false;
const page = browser.pages()[0] ?? await browser.newPage();
const consoleErrors = [];
// The refused sign-in is logged by chromium as a failed resource load: expected.
page.on('console', (m) => {
  if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(String(e)));
const text = async (locator) => (await locator.textContent()).trim();

// At phone width: nothing wider than the screen, every control a 44 px tap target.
async function checkPhone(what) {
  const sizes = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
    small: [...document.querySelectorAll('#console-view button, #console-view select, #console-view input, header button')]
      .filter((el) => el.offsetParent !== null)
      .map((el) => { const r = el.getBoundingClientRect(); return { el: el.id || el.className || el.tagName, w: r.width, h: r.height }; })
      .filter((r) => r.w < 44 || r.h < 44),
  }));
  check(sizes.scroll <= sizes.inner, `${what} at 360 px: no horizontal scroll (page ${sizes.scroll} px, screen ${sizes.inner} px)`);
  check(sizes.small.length === 0, `${what} at 360 px: every control is at least 44×44 px ${JSON.stringify(sizes.small)}`);
}

async function openDetail(id) {
  await page.locator(`#list tbody tr[data-id="${id}"] button.open`).click();
  await page.locator('#detail').waitFor({ state: 'visible' });
  await page.waitForFunction((cid) => document.querySelector('#d-id').textContent === cid, id);
}

try {
  const res = await page.goto(`${url}/admin`);
  check(res.status() === 200, 'GET /admin answers 200');
  const headers = res.headers();
  check((headers['content-security-policy'] || '').includes("default-src 'self'"),
    'the page carries a strict Content-Security-Policy');
  check(headers['x-content-type-options'] === 'nosniff', 'X-Content-Type-Options: nosniff');
  check(await page.locator('#login-form').isVisible(), 'the sign-in form is shown');
  check((await text(page.locator('#login-submit'))) === 'Đăng nhập', 'labels are Vietnamese by default');

  // A wrong password is refused with a message.
  await page.fill('#login-name', user);
  await page.fill('#login-password', password + '-wrong');
  await page.click('#login-submit');
  await page.locator('#login-error').filter({ hasText: /./ }).waitFor();
  check(await page.locator('#console-view').isHidden(), 'a wrong password does not sign in');

  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#console-view').waitFor({ state: 'visible' });
  check(true, `signed in as ${user}`);

  // The list speaks of the case: its receipt code, title, ward and what is in conflict.
  const row = page.locator(`#list tbody tr[data-id="${conflictId}"]`);
  await row.waitFor();
  const rowText = await row.textContent();
  check(rowText.includes(receipt) && rowText.includes(title), `the list shows the case ${receipt} "${title}"`);
  check(rowText.includes('Phường 4'), 'the list shows the ward by name');
  check(rowText.includes('Trạng thái') && !rowText.includes('status'), 'the list names the item in words (Trạng thái)');
  check(/cán bộ canbo\.b/i.test(rowText), 'the list says who changed it: cán bộ canbo.b');
  check(/\d\d\/\d\d\/\d{4} \d\d:\d\d/.test(rowText), 'the list shows when, in Vietnam time');
  check((await page.locator('#list thead').textContent()).includes('UTC+7'), 'the time column is labelled UTC+7');

  // The status conflict: the case, both people, their notes, plain-word buttons.
  await openDetail(conflictId);
  check((await text(page.locator('#d-receipt'))) === receipt, `the detail names the receipt code ${receipt}`);
  check((await text(page.locator('#d-title'))) === title, 'and the title');
  check((await text(page.locator('#d-case dd[data-fact="f_ward"]'))) === 'Phường 4', 'and the ward by name');
  const serverSide = await text(page.locator('#side-server'));
  const deviceSide = await text(page.locator('#side-device'));
  check(serverSide.includes('cán bộ canbo.a') && serverSide.includes('Đã tiếp nhận, tổ dân phố kiểm tra'),
    `the server's side: who (canbo.a) and their note (${serverSide})`);
  check(deviceSide.includes('cán bộ canbo.b') && deviceSide.includes('Không thuộc thẩm quyền phường'),
    `the device's side: who (canbo.b) and their note (${deviceSide})`);
  const line = page.locator('#three-way tbody tr[data-column="status"]');
  check(await line.count() === 1, 'the three-way view has a line for the status');
  check((await text(line.locator('td.label'))) === 'Trạng thái', 'labelled in words');
  check(await line.locator('td.v-device.differs').count() === 1 && await line.locator('td.v-server.differs').count() === 1,
    'the differing values are highlighted');
  check((await text(line.locator('td.v-server'))) === 'đã tiếp nhận' && (await text(line.locator('td.v-device'))) === 'từ chối',
    'the values in words: đã tiếp nhận (server), từ chối (device)');
  const keep = await text(page.locator('#take-server'));
  const use = await text(page.locator('#take-device'));
  check(keep.startsWith('Giữ thay đổi của cán bộ canbo.a'), `keep button in plain words: "${keep}"`);
  check(use.startsWith('Dùng thay đổi của cán bộ canbo.b'), `use button in plain words: "${use}"`);

  // English labels.
  await page.click('#lang');
  await page.waitForFunction(() => document.querySelector('#take-device').textContent.startsWith('Use '));
  check((await text(page.locator('#take-device'))).startsWith("Use official canbo.b") &&
        (await text(page.locator('#take-device'))).endsWith("'s change"),
    `the console switches to English: "${await text(page.locator('#take-device'))}"`);
  check((await text(page.locator('#take-server'))).startsWith('Keep official canbo.a'), 'keep, in English');
  check((await text(line.locator('td.label'))) === 'Status', 'item labels in English');
  await page.screenshot({ path: shot('detail'), fullPage: true });
  await page.click('#take-device');
  await page.locator('#d-result.ok').waitFor();
  check((await text(page.locator('#d-result'))).includes('Resolved'), 'resolving shows the success message');
  check(await page.locator(`#list tbody tr[data-id="${conflictId}"]`).count() === 0, 'the conflict leaves the open list');
  check(await page.locator('#take-device').isDisabled(), 'the decided conflict cannot be decided again');
  await page.click('#lang');  // back to Vietnamese
  await page.waitForFunction(() => document.documentElement.lang === 'vi');

  // The unit conflict: a third unit picked from the list of the server's units.
  await openDetail(unitConflict);
  const unitLine = page.locator('#three-way tbody tr[data-column="assigned_unit"]');
  check((await text(unitLine.locator('td.label'))) === 'Đơn vị được giao', 'the unit item is labelled in words');
  check((await text(unitLine.locator('td.v-server'))) === 'Phòng Quản lý đô thị' &&
        (await text(unitLine.locator('td.v-device'))) === 'Đội Thanh tra địa bàn Quận 11',
    'both units are shown by name');
  const unitNotes = await text(page.locator('#side-server')) + ' | ' + await text(page.locator('#side-device'));
  check(unitNotes.includes('Chuyển Phòng Quản lý đô thị xử lý') && unitNotes.includes('Giao Đội Thanh tra địa bàn'),
    'each side shows its assignment note');
  await unitLine.locator('select.choice').selectOption('edit');
  const pick = unitLine.locator('select.edit-unit');
  await pick.waitFor({ state: 'visible' });
  check(await unitLine.locator('input').count() === 0, 'no free text field for a unit');
  const names = await pick.locator('option').allTextContents();
  check(names.includes('Phòng Tài nguyên và Môi trường') && names.includes('Phường 4') && !names.some((n) => /^phong-|^p\d\d$/.test(n)),
    `the units are listed by name (${names.length} choices)`);
  await pick.selectOption({ label: 'Phòng Tài nguyên và Môi trường' });
  await page.click('#resolve');
  await page.locator('#d-result.ok').waitFor();
  const decided = await text(unitLine.locator('td.decide'));
  check(decided === 'Phòng Tài nguyên và Môi trường', `the chosen unit is the decision (${decided})`);

  // The citizen's edit: the citizen appears by pseudonym only.
  await openDetail(citizenConflict);
  const citizenSide = await text(page.locator('#side-device h3'));
  check(/người dân cd-[a-z0-9]+/.test(citizenSide), `the citizen is named by pseudonym: "${citizenSide}"`);
  check((await text(page.locator('#take-device'))).startsWith('Dùng thay đổi của người dân cd-'), 'in the buttons too');
  check((await text(page.locator('#take-server'))) === 'Giữ nguyên nội dung hiện có',
    'nobody changed the title on the server: keep what it has now');
  const body = await page.evaluate(() => document.body.innerText);
  check(!body.includes(citizenName), `the citizen's account name (${citizenName}) appears nowhere on the page`);

  // Phone width: the list and a conflict, cards instead of wide tables.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(100);
  await checkPhone('a conflict');
  await page.screenshot({ path: shot('phone'), fullPage: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await checkPhone('the list');

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click('.tab[data-state="resolved"]');
  const done = page.locator(`#list tbody tr[data-id="${conflictId}"]`);
  await done.waitFor();
  check((await done.textContent()).includes(user), 'the history tab lists it, resolved by the admin');
  await openDetail(conflictId);
  const history = await text(page.locator('#three-way tbody tr[data-column="status"] td.decide'));
  check(history === 'từ chối', `the history shows the decision (${history})`);
  check(await page.locator('#take-device').isDisabled(), 'a resolved conflict cannot be resolved again');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
  check(consoleErrors.length === 0, `no errors in the browser console ${consoleErrors.join('; ')}`);
} catch (e) {
  failed = true;
  console.error(String(e && e.stack ? e.stack : e));
  try { await page.screenshot({ path: shot('failure'), fullPage: true }); } catch {}
} finally {
  await chrome.close();
}
process.exit(failed ? 1 : 0);
