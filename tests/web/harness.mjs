// What the browser tests share: their command line, numbered checks, and Debian's headless
// chromium under playwright-core with a fresh profile (the flags this machine needs: no
// sandbox as root, no GPU, no background connections to the outside).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// --name=value arguments as an object; `repeated` names collect every value in an array.
export function parseArgs(repeated = []) {
  const args = Object.fromEntries(repeated.map((name) => [name, []]));
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (!m) { console.error(`unexpected argument ${a}`); process.exit(2); }
    if (repeated.includes(m[1])) args[m[1]].push(m[2]); else args[m[1]] = m[2];
  }
  return args;
}

// check(ok, what): prints "ok N - what", or throws on the first failure.
export function makeCheck() {
  let step = 0;
  return (ok, what) => {
    step += 1;
    if (!ok) throw new Error(`check ${step} failed: ${what}`);
    console.log(`ok ${step} - ${what}`);
  };
}

// A persistent context on a new profile; close() also removes the profile. `options` go to
// launchPersistentContext (viewport, acceptDownloads, ...).
export async function launchChromium(executablePath, options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'q11-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: executablePath ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    ...options,
  });
  return {
    browser,
    profile,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
