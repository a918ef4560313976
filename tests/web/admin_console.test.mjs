// Browser test of the admin console (syncserver/web/admin/) in Debian's headless chromium,
// driven by playwright-core. Run by tests/web/admin_console_driver.cc (ctest "web: admin
// console"), which starts the real server with a parked conflict and checks afterwards that
// the resolution reached a device. Standalone:
//   node admin_console.test.mjs --url=http://127.0.0.1:PORT --conflict=ID \
//        [--user=admin --password=PW --column=status --screenshot=FILE]
// (or the environment variables Q11_URL, Q11_CONFLICT_ID, Q11_ADMIN_USER, Q11_ADMIN_PASSWORD,
// Q11_COLUMN, Q11_SCREENSHOT, Q11_CHROMIUM). Exits non-zero on the first failed check.
import { launchChromium, makeCheck, parseArgs } from './harness.mjs';

const args = parseArgs();
const opt = (name, env, fallback) => args[name] ?? process.env[env] ?? fallback;
const url = opt('url', 'Q11_URL');
const conflictId = opt('conflict', 'Q11_CONFLICT_ID');
const user = opt('user', 'Q11_ADMIN_USER', 'admin');
const password = opt('password', 'Q11_ADMIN_PASSWORD', 'admin-2026');
const column = opt('column', 'Q11_COLUMN', 'status');
const screenshot = opt('screenshot', 'Q11_SCREENSHOT', 'admin_console.png');
const executablePath = opt('chromium', 'Q11_CHROMIUM', '/usr/bin/chromium');
if (!url || !conflictId) {
  console.error('usage: node admin_console.test.mjs --url=URL --conflict=ID [...]');
  process.exit(2);
}

const check = makeCheck();

// A fresh profile (user data dir) per run: playwright passes it as --user-data-dir.
const chrome = await launchChromium(executablePath);
const browser = chrome.browser;
let failed = false;
const page = browser.pages()[0] ?? await browser.newPage();
const consoleErrors = [];
// The refused sign-in is logged by chromium as a failed resource load: expected.
page.on('console', (m) => {
  if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(String(e)));
try {
  const res = await page.goto(`${url}/admin`);
  check(res.status() === 200, 'GET /admin answers 200');
  const headers = res.headers();
  check((headers['content-security-policy'] || '').includes("default-src 'self'"),
    'the page carries a strict Content-Security-Policy');
  check(headers['x-content-type-options'] === 'nosniff', 'X-Content-Type-Options: nosniff');
  check(await page.locator('#login-form').isVisible(), 'the sign-in form is shown');
  check((await page.locator('#login-submit').textContent()).trim() === 'Đăng nhập',
    'labels are Vietnamese by default');

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

  const row = page.locator(`#list tbody tr[data-id="${conflictId}"]`);
  await row.waitFor();
  check(await row.isVisible(), `conflict ${conflictId} is listed as open`);
  check((await row.textContent()).includes(column), `the list names the column ${column}`);

  await row.click();
  await page.locator('#detail').waitFor({ state: 'visible' });
  check((await page.locator('#d-id').textContent()) === conflictId, 'the three-way view opens');
  const line = page.locator(`#three-way tbody tr[data-column="${column}"]`);
  check(await line.count() === 1, `the three-way view has a line for ${column}`);
  check(await line.locator('td.v-device.differs').count() === 1 &&
        await line.locator('td.v-server.differs').count() === 1,
    `the differing column ${column} is highlighted (device and server)`);
  const device = (await line.locator('td.v-device').textContent()).trim();
  const server = (await line.locator('td.v-server').textContent()).trim();
  check(device !== server, `device (${device}) and server (${server}) values are shown`);

  // English labels.
  await page.click('#lang');
  check((await page.locator('#take-device').textContent()).trim() === 'Take device values',
    'the console switches to English');
  // The open conflict is rebuilt with English labels; wait for it before acting on it.
  await page.waitForFunction(() =>
    document.querySelector('#three-way select.choice option')?.textContent === 'server');

  await page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-detail.png', fullPage: true });
  await page.click('#take-device');
  await page.locator('#d-result.ok').waitFor();
  check((await page.locator('#d-result').textContent()).includes('Resolved'),
    'resolving shows the success message');
  check(await page.locator(`#list tbody tr[data-id="${conflictId}"]`).count() === 0,
    'the conflict leaves the open list');

  await page.click('.tab[data-state="resolved"]');
  const done = page.locator(`#list tbody tr[data-id="${conflictId}"]`);
  await done.waitFor();
  check((await done.textContent()).includes(user), 'the history tab lists it, resolved by the admin');
  await done.click();
  await page.locator('#detail').waitFor({ state: 'visible' });
  const decided = (await page.locator(`#three-way tbody tr[data-column="${column}"] td`).last()
    .textContent()).trim();
  check(decided === device, `the history shows the decision (${column} = ${decided})`);
  check(await page.locator('#take-device').isDisabled(), 'a resolved conflict cannot be resolved again');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
  check(consoleErrors.length === 0, `no errors in the browser console ${consoleErrors.join('; ')}`);
} catch (e) {
  failed = true;
  console.error(String(e && e.stack ? e.stack : e));
  try { await page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-failure.png', fullPage: true }); } catch {}
} finally {
  await chrome.close();
}
process.exit(failed ? 1 : 0);
