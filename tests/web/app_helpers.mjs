// What the app's browser tests (app.test.mjs, app_cases.test.mjs) share: the page sizes,
// waiting for the app, collecting page errors, logging in through the form, and each
// screen's axe-core check and screenshots.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 860 };
export const CODE = /Q11-[0-9A-Z]{4}-[0-9A-Z]{4}/;

// axe-core from tests/web/node_modules (pinned in package-lock.json), injected at test time.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export function watchErrors(page, errors) {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e}`));
  page.on('console', (m) => {
    // Failed loads are expected offline and when the server refuses on purpose.
    if (m.type() === 'error' && !/Failed to load resource|net::ERR_INTERNET_DISCONNECTED/.test(m.text())) errors.push(m.text());
  });
}

// The app sets body[data-ready] once its engine is open and the first screen is drawn.
export async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
}

export async function login(page, name, password) {
  await page.getByLabel('Tên đăng nhập', { exact: true }).fill(name);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
}

// axe-core on the page as it is: no serious or critical violation (a numbered check).
export async function axeCheck(check, page, screen) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(`${axeSource}\n;0`);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe: no serious or critical violation on "${screen}"` +
    (bad.length ? `: ${bad.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`).join('; ')}` : ''));
}

// Screenshots DIR/app-<screen>-<phone|desktop>.png, then back to the phone's size.
export async function shoot(out, page, screen) {
  for (const [label, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(size);
    await page.evaluate(() => window.scrollTo(0, 0));  // else the sticky header lands mid-page
    await page.screenshot({ path: join(out, `app-${screen}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(PHONE);
}
