// What the WebAssembly engine's tests share: numbered checks, the real syncserver of this
// build as a child process on a loopback port, the server's own view of its cases, a small
// PNG to attach, and the C API's result codes.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

// Result codes of devicecore.h.
export const Q11 = {
  OK: 0, INVALID_ARGUMENT: 1, NOT_FOUND: 2, ALREADY_EXISTS: 3, UNAUTHENTICATED: 5,
  UNAVAILABLE: 8,
};

// --name=value arguments as an object.
export function parseArgs(usage, required) {
  const args = Object.fromEntries(process.argv.slice(2)
    .map((a) => /^--([^=]+)=(.*)$/.exec(a)).filter(Boolean).map((m) => [m[1], m[2]]));
  if (required.some((name) => !args[name])) {
    console.error(`usage: ${usage}`);
    process.exit(2);
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

// `syncserver serve` on a fresh data folder in a temporary directory (removed by close()).
export class Server {
  constructor(binary) {
    this.binary = binary;
    this.tmp = mkdtempSync(join(tmpdir(), 'q11-wasm-'));
    this.data = join(this.tmp, 'server');
    this.log = join(this.tmp, 'server.log');
    this.port = 0;
    this.child = null;
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  cli(...args) {
    return execFileSync(this.binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  addUser(name, password, role, unit) {
    this.cli('user', 'add', `--data=${this.data}`, `--name=${name}`, `--password=${password}`,
      `--role=${role}`, ...(unit ? [`--unit=${unit}`] : []));
  }

  // Starts the server (port 0 the first time: a free one; the same one on a restart, so the
  // devices keep their server URL) and waits until /healthz answers.
  async start() {
    const portFile = join(this.data, 'syncserver.port');
    rmSync(portFile, { force: true });
    // Tests sync far more often than people do: no rate limits.
    this.child = spawn(this.binary, ['serve', `--data=${this.data}`, `--port=${this.port}`,
      '--login-per-minute=0', '--register-per-hour=0', '--sync-per-minute=0',
      '--max-connections-per-address=0', '--refused-entries-per-hour=0'],
    { stdio: ['ignore', 'ignore', openSync(this.log, 'a')] });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`syncserver exited (${this.child.exitCode})`);
      if (existsSync(portFile)) {
        const p = Number(readFileSync(portFile, 'utf8').trim());
        if (p > 0 && await healthy(p)) { this.port = p; return; }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('syncserver did not answer /healthz within 20 s');
  }

  // Polls /healthz until `n` devices' waits for changes sleep on the server ("waiting"):
  // the server's own count, not a guess at how long a request takes to get there.
  async awaitWaiting(n, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const health = await getJson(this.port, '/healthz');
      if (health && health.waiting >= n) return true;
      await new Promise((r) => setTimeout(r, 5));
    }
    return false;
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }

  // The server's own view: `syncserver report cases` lists every case received today
  // (Vietnam time).
  cases() {
    const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
    return JSON.parse(this.cli('report', 'cases', `--data=${this.data}`, `--from=${today}`,
      `--to=${today}`, '--json')).cases;
  }

  printLog() {
    if (existsSync(this.log)) console.error(`--- syncserver's log:\n${readFileSync(this.log, 'utf8')}`);
  }

  async close() {
    await this.stop();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

function getJson(port, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        try { resolve(JSON.parse(text)); } catch { resolve(null); }
      });
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => { req.destroy(); resolve(null); });
    req.end();
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

// A PNG of noise, `width`×`height` RGB: the photo a phone would attach.
export function png(width, height) {
  const crc32 = (bytes) => {
    let c = ~0;
    for (const b of bytes) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type, body) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);  // 8-bit RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  let seed = 12345;
  for (let i = 0; i < rows.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    rows[i] = i % (width * 3 + 1) === 0 ? 0 : seed >>> 24;  // filter byte 0, then noise
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

// The size a PNG's header states.
export function pngSize(bytes) {
  const b = Buffer.from(bytes);
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  if (b.length < 24 || !b.subarray(0, 8).equals(signature)) return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
