// Browser test of the landing page (/) and the web app's entry (/app/) served by syncserver
// (syncserver/src/public/app_handlers.cc), in Debian's headless chromium at phone width. Run by
// landing_page_driver.cc (ctest "web: landing page"). Standalone:
//   node landing_page.test.mjs --url=http://127.0.0.1:PORT [--screenshots=PREFIX]
// Exits non-zero on the first failed check.
import { launchChromium, makeCheck, parseArgs } from './harness.mjs';

const args = parseArgs();
const url = args.url ?? process.env.Q11_URL;
const shots = args.screenshots ?? 'landing_page';
const executablePath = args.chromium ?? process.env.Q11_CHROMIUM ?? '/usr/bin/chromium';
if (!url) {
  console.error('usage: node landing_page.test.mjs --url=URL [--screenshots=PREFIX]');
  process.exit(2);
}

const check = makeCheck();
const chrome = await launchChromium(executablePath, { viewport: { width: 390, height: 844 } });
const browser = chrome.browser;
let failed = false;
const page = browser.pages()[0] ?? await browser.newPage();
const problems = [];
const foreign = [];
page.on('pageerror', (e) => problems.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
page.on('request', (r) => { if (!r.url().startsWith(url)) foreign.push(r.url()); });

// Whether the page's policy lets it compile WebAssembly ('wasm-unsafe-eval').
const canCompileWasm = () => page.evaluate(async () => {
  try {
    await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    return true;
  } catch (e) {
    return false;
  }
});

try {
  const res = await page.goto(`${url}/`);
  check(res.status() === 200, 'GET / answers 200');
  const headers = res.headers();
  check((headers['content-security-policy'] || '').includes("default-src 'none'"),
    'the landing page runs no script (its policy)');
  check(headers['x-frame-options'] === 'DENY', 'X-Frame-Options: DENY');
  check(await page.locator('html').getAttribute('lang') === 'vi', 'the page is Vietnamese');
  const body = await page.textContent('body');
  check(body.includes('Quận 11') && body.includes('Quận 11 online / CĐĐH'), 'it names the product');
  check(await page.locator('[lang=en]').count() >= 4, 'with English beside the Vietnamese');
  check(await page.evaluate(() => getComputedStyle(document.body).maxWidth) === '704px',
    "its own style sheet applies (CSP style-src 'self')");
  check(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
    'nothing overflows a 390 px phone');
  await page.screenshot({ path: `${shots}_phone.png`, fullPage: true });
  await page.setViewportSize({ width: 320, height: 640 });
  check(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
    'nor a 320 px one');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${shots}_desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });

  // The links, by their accessible names, in keyboard order.
  const links = [
    ['/app/', /Quận 11 online \/ CĐĐH/],
    ['/tra-cuu', /Tra cứu phản ánh/],
    ['/monitor', /Bảng theo dõi của lãnh đạo/],
    ['/admin', /Trang quản trị/],
  ];
  for (const [href, name] of links) {
    const link = page.getByRole('link', { name });
    check(await link.count() === 1 && await link.getAttribute('href') === href,
      `a link named ${name} goes to ${href}`);
  }
  for (const [href] of links) {
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement.getAttribute('href')) === href,
      `Tab reaches ${href} next`);
  }
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  check(outline !== 'none', 'the focused link shows a focus ring');
  for (const [href] of links.slice(1)) {
    const r = await page.request.get(`${url}${href}`);
    check(r.status() === 200, `${href} answers 200`);
  }
  check(!await canCompileWasm(), 'the landing page may not compile WebAssembly');

  // Enter on the first link opens the app.
  await page.goto(`${url}/`);
  await page.keyboard.press('Tab');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check(page.url() === `${url}/app/`, 'Enter on the app link opens /app/');
  check(await canCompileWasm(), "/app/ may compile WebAssembly ('wasm-unsafe-eval')");
  const manifest = await page.request.get(`${url}/app/manifest.webmanifest`);
  check(manifest.headers()['content-type'] === 'application/manifest+json',
    'the manifest has its MIME type');
  check(JSON.parse(await manifest.text()).start_url !== undefined, 'the manifest is JSON');
  const redirect = await page.goto(`${url}/app`);
  check(redirect.url() === `${url}/app/` && redirect.status() === 200, '/app leads to /app/');

  await page.goto(`${url}/admin`);
  check(!await canCompileWasm(), 'the admin console may not compile WebAssembly');
  check(foreign.length === 0, `no request leaves the server (${foreign.join(', ')})`);
  check(!problems.some((p) => /Content Security Policy|Refused/.test(p)),
    `no resource blocked by a policy (${problems.join('; ')})`);
} catch (e) {
  failed = true;
  console.error(String(e));
} finally {
  await chrome.close();
}
process.exit(failed ? 1 : 0);
