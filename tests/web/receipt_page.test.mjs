// Browser test of the public receipt page (/tra-cuu, syncserver/src/public/receipt_handlers.cc) in
// Debian's headless chromium, driven by playwright-core. Run by receipt_page_driver.cc
// (ctest "web: receipt page"), which starts the real server with a filed, accepted report.
// Standalone:
//   node receipt_page.test.mjs --url=http://127.0.0.1:PORT --code=Q11-XXXX-XXXX \
//        --secret=TEXT [--secret=...] [--screenshot=FILE]
// --secret: text that must appear nowhere on the page (the reporter's data). Exits
// non-zero on the first failed check.
import { launchChromium, makeCheck, parseArgs } from './harness.mjs';

const args = parseArgs(['secret']);
const secrets = args.secret;
const url = args.url ?? process.env.Q11_URL;
const code = args.code ?? process.env.Q11_RECEIPT;
const screenshot = args.screenshot ?? 'receipt_page.png';
const executablePath = args.chromium ?? process.env.Q11_CHROMIUM ?? '/usr/bin/chromium';
if (!url || !code) {
  console.error('usage: node receipt_page.test.mjs --url=URL --code=CODE [--secret=T ...]');
  process.exit(2);
}

const check = makeCheck();

const chrome = await launchChromium(executablePath);
const browser = chrome.browser;
let failed = false;
const page = browser.pages()[0] ?? await browser.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
// A blocked resource (a CSP violation, "Refused to ...") shows as a console error; the 404
// and 400 answers the test asks for are logged as failed loads: expected.
page.on('console', (m) => {
  if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text());
});
try {
  const res = await page.goto(`${url}/tra-cuu`);
  check(res.status() === 200, 'GET /tra-cuu answers 200 without an account');
  const headers = res.headers();
  check((headers['content-security-policy'] || '').includes("default-src 'none'"),
    "the page's Content-Security-Policy allows nothing but itself");
  check(headers['x-frame-options'] === 'DENY', 'X-Frame-Options: DENY');
  check(headers['cache-control'] === 'no-store', 'Cache-Control: no-store');
  check(await page.locator('html').getAttribute('lang') === 'vi', 'the page is Vietnamese');
  check((await page.textContent('body')).includes('Track a report'), '...with English beside it');
  check(await page.evaluate(() => getComputedStyle(document.body).maxWidth) === '640px',
    "the page's own style sheet applies (CSP style-src 'self')");

  // A citizen types the code as read aloud: lower case, spaces.
  const typed = code.slice(4).replace('-', ' ').toLowerCase();
  await page.fill('#code', typed);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  check(page.url().includes('/tra-cuu?code='), 'the form submits to the page itself (GET)');
  await page.waitForSelector('#result');
  check((await page.textContent('#result h2')).trim() === code, 'the canonical code is shown');
  check((await page.textContent('#status')).includes('Đã tiếp nhận'), 'the status is shown');
  check((await page.locator('#history li').count()) >= 1, 'the staff history is listed');
  const html = await page.content();
  for (const s of secrets) check(!html.includes(s), `no reporter data on the page ("${s}")`);

  await page.fill('#code', 'Q11-2222-2222');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  check((await page.textContent('#error')).includes('Không tìm thấy'), 'an unknown code says so');
  await page.goto(`${url}/tra-cuu?code=%3Cimg%20src=x%20onerror=alert(1)%3E`);
  check(await page.locator('img').count() === 0, 'typed markup is escaped, not rendered');
  check(pageErrors.length === 0, `no script errors or blocked resources (${pageErrors.join('; ')})`);
  await page.goto(`${url}/tra-cuu?code=${encodeURIComponent(code)}`);
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  failed = true;
  console.error(String(e));
} finally {
  await chrome.close();
}
process.exit(failed ? 1 : 0);
