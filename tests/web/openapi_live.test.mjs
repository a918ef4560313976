// ctest "openapi: live answers" (openapi_driver.cc starts the servers and prepares the data):
// calls every operation of docs/openapi.yaml on the real server, as a citizen, an official,
// a leader, an admin, anonymously and with an Open311 API key, with the error cases (no or a
// bad token, unknown ids, bad bodies, wrong methods, bodies over a cap, rate limits), and
// checks each real answer against the description: the status is one the operation names,
// the content type one of its media types, the required headers (Retry-After, Upload-Offset,
// ETag, Content-Range, ...) are there and fit, and the body fits the schema, which must name
// every field the server sends (openapi_lib.mjs, strict). What the test sends is held to the
// description too (parameter and field names). Every operation must have answered with
// success at least once.
//
// --url: the main server; --limited-url: one with every limit tight (openapi_driver.cc).
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { parseArgs, makeCheck } from './harness.mjs';
import { loadDescription, operations, findOperation, checkAnswer, checkRequest, makeAjv, strict, routerKnows } from './openapi_lib.mjs';

const args = parseArgs();
const check = makeCheck();
const api = await loadDescription(args.description);
const ops = operations(api);
const ajv = makeAjv();
const S = args.url, L = args['limited-url'];

// ---- HTTP ------------------------------------------------------------------------------

// One request on a fresh connection; the answer's bytes as they came (no decompression, no
// redirects). `body`: a Buffer or string; `chunked`: send it without Content-Length.
function request(base, method, path, { headers = {}, body, chunked = false } = {}) {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined && !chunked) h['content-length'] = Buffer.byteLength(body);
    const req = http.request({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// A request written by hand: `head` without a body length at all (neither Content-Length
// nor chunked), which no HTTP client sends. The answer is parsed just enough.
function rawRequest(base, head) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(head));
    const chunks = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const lines = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(lines[0].split(' ')[1]), headers, body: all.subarray(split + 4) });
    });
  });
}

// ---- Checking ---------------------------------------------------------------------------

const seen = new Map(); // operation key -> Set of statuses
const samples = new Map(); // path template -> a concrete path that answered with success
function record(found, status) {
  if (!seen.has(found.key)) seen.set(found.key, new Set());
  seen.get(found.key).add(status);
}

// Sends one request, checks the status is `expect` (the scenario reached the case it means)
// and the answer (and, unless `invalid`, the request) fits the description. Returns the answer.
async function call(what, expect, base, method, path, options = {}) {
  const { token, json, form, invalid = false } = options;
  const headers = { ...(options.headers ?? {}) };
  let body = options.body;
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) {
    body = typeof json === 'string' ? json : JSON.stringify(json);
    headers['content-type'] ??= 'application/json';
  }
  if (form !== undefined) {
    body = new URLSearchParams(Object.entries(form).filter(([, v]) => v !== undefined)).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const res = options.raw ? await rawRequest(base, options.raw) : await request(base, method, path, { headers, body, chunked: options.chunked });
  return verify(what, expect, { method, path, headers, body: body === undefined ? undefined : Buffer.from(body) }, res, invalid);
}

function verify(what, expect, req, res, invalid) {
  const pathOnly = req.path.split('?')[0];
  let found = findOperation(ops, req.method, pathOnly);
  // A wrong method's 405 is described on the path's other operations.
  if (!found && res.status === 405) {
    const other = ops.find((o) => o.regex.test(pathOnly) && o.op.responses['405']);
    if (other) found = findOperation(ops, other.method, pathOnly);
    invalid = true;
  }
  const problems = [];
  if (res.status !== expect) problems.push(`expected ${expect}, got ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
  if (!found) {
    problems.push(`${req.method} ${pathOnly} fits no operation of the description`);
  } else {
    problems.push(...checkAnswer(ajv, found, req, res));
    if (!invalid) problems.push(...checkRequest(ajv, found, req));
    record(found, res.status);
    if (!invalid && res.status < 400 && !samples.has(found.template)) samples.set(found.template, pathOnly);
  }
  check(problems.length === 0, `${what}: ${req.method} ${req.path.slice(0, 90)} → ${res.status}${problems.length ? '\n  ' + problems.join('\n  ') : ''}`);
  return res;
}

const jsonOf = (res) => JSON.parse(res.body.toString('utf8'));

// ---- The sync envelope (docs/protocol.md) ----------------------------------------------

const CRC32C = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32c(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC32C[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function lengthPrefixed(text) {
  const b = Buffer.from(text);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(b.length);
  return Buffer.concat([len, b]);
}
function section(type, payload) {
  const h = Buffer.alloc(16);
  h.writeUInt8(type, 0);
  h.writeUInt8(0, 1); // raw
  h.writeUInt16LE(0, 2);
  h.writeUInt32LE(payload.length, 4);
  h.writeUInt32LE(payload.length, 8);
  h.writeUInt32LE(crc32c(payload), 12);
  return Buffer.concat([h, payload]);
}
// A sync request (message type 1) with its header, a pull from `cursor`, and `extra`
// sections ([type, payload] pairs: 4 full pull, 5 known epoch).
function syncRequest(deviceId, cursor, extra = []) {
  const numbers = Buffer.alloc(12);
  numbers.writeBigUInt64LE(BigInt(cursor), 0);
  numbers.writeUInt32LE(0, 8); // max_pull_rows: the server's default
  const header = Buffer.concat([lengthPrefixed(deviceId), numbers, lengthPrefixed('openapi-live-test/1')]);
  const head = Buffer.from([0x51, 0x31, 0x31, 0x53, 1, 1, 1 + extra.length, 0]);
  return Buffer.concat([head, section(1, header), ...extra.map(([type, payload]) => section(type, Buffer.from(payload)))]);
}
// Reads a sync response: the envelope's framing, each raw section's CRC, the header section.
function readSyncResponse(bytes) {
  if (bytes.subarray(0, 4).toString('latin1') !== 'Q11S') throw new Error('no Q11S magic');
  if (bytes[4] !== 1 || bytes[5] !== 2) throw new Error(`version ${bytes[4]}, message type ${bytes[5]}`);
  const count = bytes.readUInt16LE(6);
  const sections = new Map();
  let at = 8;
  for (let i = 0; i < count; i++) {
    const type = bytes[at], codec = bytes[at + 1];
    const raw = bytes.readUInt32LE(at + 4), stored = bytes.readUInt32LE(at + 8), crc = bytes.readUInt32LE(at + 12);
    const payload = bytes.subarray(at + 16, at + 16 + stored);
    if (payload.length !== stored) throw new Error(`section ${type} is cut short`);
    if (codec === 0 && (raw !== stored || crc32c(payload) !== crc)) throw new Error(`section ${type}: bad length or CRC-32C`);
    if (sections.has(type)) throw new Error(`section ${type} twice`);
    sections.set(type, { codec, payload });
    at += 16 + stored;
  }
  if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes after the last section`);
  const h = sections.get(16);
  if (!h || h.codec !== 0) throw new Error('no raw response header (section 16)');
  return {
    sections: [...sections.keys()],
    cursor: h.payload.readBigUInt64LE(0),
    hasMore: h.payload[8],
    serverTimeMs: Number(h.payload.readBigUInt64LE(9)),
    pullRows: h.payload.readUInt32LE(17),
    epoch: sections.get(20)?.payload.toString('latin1'),
  };
}

// ---- Health -----------------------------------------------------------------------------

await call('alive', 200, S, 'GET', '/healthz');
{
  // X-Request-Id: a sane one comes back as sent, anything else is replaced by the server's.
  const mine = await call('alive, with a request id', 200, S, 'GET', '/healthz', { headers: { 'x-request-id': 'q11-0123456789abcdef' } });
  check(mine.headers['x-request-id'] === 'q11-0123456789abcdef', `the request's own id comes back: ${mine.headers['x-request-id']}`);
  const bad = await call('alive, with an unusable request id', 200, S, 'GET', '/healthz', { headers: { 'x-request-id': 'x'.repeat(65) }, invalid: true });
  check(/^[0-9a-f]{16}$/.test(bad.headers['x-request-id'] ?? ''), `an unusable id is replaced by the server's: ${bad.headers['x-request-id']}`);
}
await call('a wrong method', 405, S, 'POST', '/healthz');
await call('ready', 200, S, 'GET', '/readyz');
await call('not ready: the disk floor is above the disk', 503, L, 'GET', '/readyz');
{
  const routed = routerKnows(args.sources).paths.includes('/metrics');
  if (routed) {
    await call('metrics from the loopback', 200, S, 'GET', '/metrics');
    await call('metrics: a wrong token, from the loopback too', 401, S, 'GET', '/metrics', { token: 'not-the-metrics-token' });
  } else {
    // Described ahead of the router: until request_router.cc (or a Route* function) knows
    // it, the server must not answer it either (routed elsewhere, the route scan would miss it).
    const res = await request(S, 'GET', '/metrics');
    check(res.status === 404, `/metrics: not in the router's source, and the server answers ${res.status}` +
      (res.status === 404 ? ' (no such endpoint): skipped until it is routed' : ': routed where openapi_lib.mjs does not look'));
  }
}
const unknown = await request(S, 'GET', '/v1/no-such-endpoint');
check(unknown.status === 404 && ajv.validate(strict(api.components.schemas.Error), jsonOf(unknown)),
  'an unknown route: 404 with the Error shape the description gives');

// ---- Accounts ---------------------------------------------------------------------------

const pw = args.password;
await call('login: not JSON', 400, S, 'POST', '/v1/login', { json: '{"name":', invalid: true });
await call('login: no password', 400, S, 'POST', '/v1/login', { json: { name: 'dan' }, invalid: true });
await call('login: a wrong password', 401, S, 'POST', '/v1/login', { json: { name: 'dan', password: 'sai-mat-khau' } });
// khoa logs in, then an operator disables the account (`syncserver user disable`, beside the
// running server): the token khoa holds is refused everywhere (below), and so is a login.
const disabled = jsonOf(await call('login as a citizen about to be disabled', 200, S, 'POST', '/v1/login', { json: { name: 'khoa', password: pw } }));
execFileSync(args.syncserver, ['user', 'disable', `--data=${args.data}`, '--name=khoa']);
await call('login: a disabled account', 403, S, 'POST', '/v1/login', { json: { name: 'khoa', password: pw } });
await call('login: GET', 405, S, 'GET', '/v1/login');
await call('login: no body length', 411, S, 'POST', '/v1/login', {
  raw: 'POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n',
  invalid: true,
});
const session = {};
for (const [role, name] of [['citizen', 'dan'], ['official', 'canbo.a'], ['leader', 'lanhdao'], ['admin', 'quantri']]) {
  const res = await call(`login as the ${role}`, 200, S, 'POST', '/v1/login', { json: { name, password: pw, device_id: null } });
  session[role] = jsonOf(res);
  check(session[role].role === role, `the ${role}'s session says role ${session[role].role}`);
}
await call('sign-up: a bad name', 400, S, 'POST', '/v1/register', { json: { name: 'X!', password: 'mat-khau-dai' }, invalid: true });
const signup = { name: 'openapi.lan', password: 'mat-khau-lan-2026', phone: '0907654321', email: 'lan@example.vn' };
session.lan = jsonOf(await call('sign-up with a phone and an e-mail', 201, S, 'POST', '/v1/register', { json: signup }));
await call('sign-up: the name is taken', 409, S, 'POST', '/v1/register', { json: signup });
await call('sign-up: a body over 16 KiB', 413, S, 'POST', '/v1/register', { json: { ...signup, name: 'x'.repeat(20000) }, invalid: true });
await call('refresh', 200, S, 'POST', '/v1/refresh', { json: { refresh_token: session.lan.refresh_token } });
// The same token again within the 30 s grace (an answer lost on a bad link): a sibling.
const renewed = jsonOf(await call('refresh: the same token again at once', 200, S, 'POST', '/v1/refresh', { json: { refresh_token: session.lan.refresh_token } }));
await call('refresh: an unknown token', 401, S, 'POST', '/v1/refresh', { json: { refresh_token: '0'.repeat(64) } });
await call('refresh: not JSON', 400, S, 'POST', '/v1/refresh', { json: '[]', invalid: true });
await call('logout: no token', 401, S, 'POST', '/v1/logout', { json: { refresh_token: renewed.refresh_token } });
await call('logout', 204, S, 'POST', '/v1/logout', { token: renewed.token, json: { refresh_token: renewed.refresh_token } });
session.lan = jsonOf(await call('login again after logout', 200, S, 'POST', '/v1/login', { json: { name: signup.name, password: signup.password } }));

const limitedSession = jsonOf(await call('login on the limited server', 200, L, 'POST', '/v1/login', { json: { name: 'dan', password: pw } }));
await call('login: rate limited', 429, L, 'POST', '/v1/login', { json: { name: 'dan', password: pw } });
await call('sign-up on the limited server', 201, L, 'POST', '/v1/register', { json: { name: 'openapi.mai', password: 'mat-khau-mai-2026' } });
await call('sign-up: rate limited', 429, L, 'POST', '/v1/register', { json: { name: 'openapi.hoa', password: 'mat-khau-hoa-2026' } });

// ---- Sync and the long poll --------------------------------------------------------------

const syncType = { 'content-type': 'application/x-q11-sync' };
const device = 'openapi-live-device-1';
let endCursor; // the end of the main server's change log, as the pull from 0 reached it
{
  const res = await call('sync: a pull from 0', 200, S, 'POST', '/v1/sync', { token: session.citizen.token, headers: syncType, body: syncRequest(device, 0) });
  const r = readSyncResponse(res.body);
  check(r.sections.includes(16) && r.pullRows > 0 && r.cursor > 0n && Math.abs(r.serverTimeMs - Date.now()) < 600000,
    `the sync response's envelope: sections ${r.sections.join(',')}, ${r.pullRows} rows, cursor ${r.cursor}`);
  check(r.hasMore === 0, 'the pull from 0 brought everything in one page');
  check(/^[0-9a-f]{32}$/.test(r.epoch ?? ''), `the answer names the server's epoch (section 20): ${r.epoch}`);
  endCursor = r.cursor;
  // Sections 4 and 5: a full pull from the epoch the device knows, as a rebuilding device sends.
  const full = readSyncResponse((await call('sync: a full pull with the known epoch', 200, S, 'POST', '/v1/sync', { token: session.citizen.token, headers: syncType, body: syncRequest(device, 0, [[4, [1]], [5, r.epoch]]) })).body);
  check(full.epoch === r.epoch && full.cursor === r.cursor && full.pullRows === r.pullRows, `the full pull: cursor ${full.cursor}, ${full.pullRows} rows`);
  // Another epoch (the server was restored since): nothing applied or pulled, the same cursor, has_more.
  const other = readSyncResponse((await call('sync: the device knows another epoch', 200, S, 'POST', '/v1/sync', { token: session.citizen.token, headers: syncType, body: syncRequest(device, 3, [[5, 'an-epoch-before-the-restore']]) })).body);
  check(other.epoch === r.epoch && other.cursor === 3n && other.hasMore === 1 && other.pullRows === 0 && !other.sections.includes(18),
    `another epoch: sections ${other.sections.join(',')}, cursor ${other.cursor}, has_more ${other.hasMore}`);
}
await call('sync: a full pull section that is not 0x01', 400, S, 'POST', '/v1/sync', { token: session.citizen.token, headers: syncType, body: syncRequest(device, 0, [[4, [2]]]), invalid: true });
await call('sync: a known epoch that is not printable ASCII', 400, S, 'POST', '/v1/sync', { token: session.citizen.token, headers: syncType, body: syncRequest(device, 0, [[5, [7]]]), invalid: true });
await call('sync: not an envelope', 400, S, 'POST', '/v1/sync', { token: session.citizen.token, headers: syncType, body: 'Q11S but not really', invalid: true });
await call('sync: no token', 401, S, 'POST', '/v1/sync', { headers: syncType, body: syncRequest(device, 0) });
await call('sync: a bad token', 401, S, 'POST', '/v1/sync', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.bad', headers: syncType, body: syncRequest(device, 0) });
await call("sync: another account's device id", 403, S, 'POST', '/v1/sync', { token: session.official.token, headers: syncType, body: syncRequest(device, 0) });
await call('sync: GET', 405, S, 'GET', '/v1/sync');
await call('sync: over the body cap (1 KiB)', 413, L, 'POST', '/v1/sync', { token: limitedSession.token, headers: syncType, body: Buffer.alloc(2048, 7) });
await call('sync: rate limited', 429, L, 'POST', '/v1/sync', { token: limitedSession.token, headers: syncType, body: syncRequest(device, 0) });

const changed = jsonOf(await call('wait: changes already there', 200, S, 'POST', '/v1/changes/wait', { token: session.citizen.token, json: { device_id: device, cursor: '0', timeout_seconds: '1' } }));
check(changed.changed === true, 'the wait from 0 answered changed: true');
const quiet = jsonOf(await call('wait: nothing new within 1 s', 200, S, 'POST', '/v1/changes/wait', { token: session.citizen.token, json: { device_id: device, cursor: String(endCursor), timeout_seconds: '1' } }));
check(quiet.changed === false, 'the wait from the end of the log answered changed: false');
{
  // A cursor past the log's end is from a history the server no longer has (restored from a
  // backup): the device must sync at once to learn the new epoch.
  const started = Date.now();
  const past = jsonOf(await call('wait: a cursor past the end of the log', 200, S, 'POST', '/v1/changes/wait', { token: session.citizen.token, json: { device_id: device, cursor: String(endCursor + 1000n), timeout_seconds: '5' } }));
  check(past.changed === true && Date.now() - started < 2500, `the wait past the end answered changed: true at once (${Date.now() - started} ms)`);
}
await call('wait: a cursor that is not a number', 400, S, 'POST', '/v1/changes/wait', { token: session.citizen.token, json: { device_id: device, cursor: 'x' }, invalid: true });
await call('wait: no token', 401, S, 'POST', '/v1/changes/wait', { json: { device_id: device, cursor: '0' } });
{
  // The limited server holds one watcher: a second wait meanwhile is refused.
  const body = JSON.stringify({ device_id: 'openapi-waiter', cursor: args['limited-cursor'], timeout_seconds: '3' });
  const headers = { authorization: `Bearer ${limitedSession.token}`, 'content-type': 'application/json' };
  const first = request(L, 'POST', '/v1/changes/wait', { headers, body });
  for (let i = 0; i < 100; i++) {
    if (jsonOf(await request(L, 'GET', '/healthz')).waiting >= 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await call('wait: too many devices wait', 503, L, 'POST', '/v1/changes/wait', { headers, body });
  verify('the held wait times out', 200, { method: 'POST', path: '/v1/changes/wait', headers, body: Buffer.from(body) }, await first, false);
}

// ---- Photos ------------------------------------------------------------------------------

const P = args.photo, Q = args['pending-photo'];
const original = readFileSync(args['pending-photo-file']);
check(createHash('sha256').update(original).digest('hex') === Q, 'the pending photo file hashes to its row');
const citizen = session.citizen.token;
check(jsonOf(await call('photo status: complete', 200, S, 'GET', `/v1/photos/${P}/status`, { token: citizen })).state === 'complete', 'the uploaded photo is complete');
check(jsonOf(await call('photo status: not sent yet', 200, S, 'GET', `/v1/photos/${Q}/status`, { token: citizen })).state === 'absent', 'the announced photo is absent');
await call('photo status: an unknown hash', 404, S, 'GET', `/v1/photos/${'0'.repeat(64)}/status`, { token: citizen });
await call('photo status: someone who cannot see the report', 404, S, 'GET', `/v1/photos/${P}/status`, { token: session.lan.token });
await call('photo status: no token', 401, S, 'GET', `/v1/photos/${P}/status`);
await call('photo status: PATCH', 405, S, 'PATCH', `/v1/photos/${P}/status`, { token: citizen });
await call('photo download', 200, S, 'GET', `/v1/photos/${P}`, { token: citizen });
await call('photo download: the thumbnail', 200, S, 'GET', `/v1/photos/${P}?size=thumb`, { token: session.official.token });
await call('photo download: a range', 206, S, 'GET', `/v1/photos/${P}`, { token: citizen, headers: { range: 'bytes=0-15' } });
await call('photo download: If-Range that no longer matches', 200, S, 'GET', `/v1/photos/${P}`, { token: citizen, headers: { range: 'bytes=0-15', 'if-range': '"stale"' } });
await call('photo download: a range past the end', 416, S, 'GET', `/v1/photos/${P}`, { token: citizen, headers: { range: 'bytes=99999999-' } });
await call('photo download: a bad size', 400, S, 'GET', `/v1/photos/${P}?size=huge`, { token: citizen, invalid: true });
await call('photo download: not uploaded yet', 404, S, 'GET', `/v1/photos/${Q}`, { token: citizen });
const octet = { 'content-type': 'application/octet-stream' };
const half = Math.floor(original.length / 2);
await call('photo upload: no offset', 400, S, 'PATCH', `/v1/photos/${Q}`, { token: citizen, headers: octet, body: original.subarray(0, 10), invalid: true });
await call('photo upload: an offset the server does not hold', 409, S, 'PATCH', `/v1/photos/${Q}?offset=5`, { token: citizen, headers: octet, body: original.subarray(5, 15) });
{
  const res = await call('photo upload: bytes that do not hash to the address', 400, S, 'PATCH', `/v1/photos/${Q}?offset=0`, { token: citizen, headers: octet, body: Buffer.alloc(original.length, 1) });
  const s = jsonOf(res);
  check(s.error === 'data_loss' && s.state === 'absent', `the mismatched upload was discarded (${s.error}, ${s.state})`);
}
await call('photo upload: chunked, no Content-Length', 411, S, 'PATCH', `/v1/photos/${Q}?offset=0`, { token: citizen, headers: octet, body: original.subarray(0, 10), chunked: true, invalid: true });
check(jsonOf(await call('photo upload: the first half', 200, S, 'PATCH', `/v1/photos/${Q}?offset=0`, { token: citizen, headers: octet, body: original.subarray(0, half) })).state === 'partial', 'half the photo is partial');
await call('photo upload: past the declared size', 413, S, 'PATCH', `/v1/photos/${Q}?offset=${half}`, { token: citizen, headers: octet, body: Buffer.concat([original.subarray(half), Buffer.from([0])]) });
check(jsonOf(await call('photo upload: the rest', 200, S, 'PATCH', `/v1/photos/${Q}?offset=${half}`, { token: citizen, headers: octet, body: original.subarray(half) })).state === 'complete', 'the photo is complete');
await call('photo upload: complete already', 200, S, 'PATCH', `/v1/photos/${Q}?offset=0`, { token: citizen, headers: octet, body: original.subarray(0, 10) });
await call('photo upload: no token', 401, S, 'PATCH', `/v1/photos/${Q}?offset=0`, { headers: octet, body: original.subarray(0, 10) });
await call('photo download: the thumbnail of the new photo', 200, S, 'GET', `/v1/photos/${Q}?size=thumb`, { token: citizen });
await call('photo: PUT', 405, S, 'PUT', `/v1/photos/${Q}`, { token: citizen });

// ---- Public reads ------------------------------------------------------------------------

const code = args.receipt;
{
  const view = jsonOf(await call('receipt lookup', 200, S, 'GET', `/public/receipts/${code}`));
  check(view.receipt_code === code && view.history.some((h) => h.status === 'accepted'), 'the receipt view shows the case accepted');
}
await call('receipt lookup: typed loosely', 200, S, 'GET', `/public/receipts/${encodeURIComponent(code.toLowerCase().replace(/-/g, ' '))}`);
await call('receipt lookup: not a code', 400, S, 'GET', '/public/receipts/nope');
await call('receipt lookup: an unknown code', 404, S, 'GET', '/public/receipts/Q11-2222-2222');
await call('receipt lookup: POST', 405, S, 'POST', `/public/receipts/${code}`);
// The limited server's one lookup a minute per address, spent at once: the receipt lookup, a
// ward's reports, the receipt page and Open311's tokens share it (kept together, so a slow
// run cannot see the minute refill it).
await call('receipt lookup on the limited server', 404, L, 'GET', '/public/receipts/Q11-2222-2222');
await call('receipt lookup: rate limited', 429, L, 'GET', '/public/receipts/Q11-2222-2222');
{
  const page = jsonOf(await call("a ward's reports", 200, S, 'GET', `/v1/public/reports?ward=${args.ward}`, { token: session.lan.token }));
  check(page.reports.length >= 1, `the ward lists ${page.reports.length} report(s), none with its receipt code (the schema says so)`);
}
await call("a ward's reports: paged", 200, S, 'GET', `/v1/public/reports?ward=${args.ward}&limit=1&offset=0`, { token: citizen });
await call("a ward's reports: an unknown ward", 400, S, 'GET', '/v1/public/reports?ward=nope', { token: citizen });
await call("a ward's reports: a limit of 0", 400, S, 'GET', `/v1/public/reports?ward=${args.ward}&limit=0`, { token: citizen, invalid: true });
await call("a ward's reports: no token", 401, S, 'GET', `/v1/public/reports?ward=${args.ward}`);
await call("a ward's reports: rate limited", 429, L, 'GET', `/v1/public/reports?ward=${args.ward}`, { token: limitedSession.token });
await call('the receipt page: rate limited', 429, L, 'GET', '/tra-cuu?code=Q11-2222-2222');
await call('Open311 token: rate limited', 429, L, 'GET', `/open311/v2/tokens/Q11-2222-2222.json`);

// ---- Admin: conflicts and contacts --------------------------------------------------------

const admin = session.admin.token;
const conflicts = jsonOf(await call('conflicts: the open ones', 200, S, 'GET', '/v1/admin/conflicts', { token: admin }));
check(conflicts.conflicts.some((c) => c.id === args.conflict), 'the parked conflict is listed');
await call('conflicts: every state, filtered', 200, S, 'GET', `/v1/admin/conflicts?state=all&table=reports&unit=${args.ward}&min_age_hours=0`, { token: admin });
await call('conflicts: a bad state', 400, S, 'GET', '/v1/admin/conflicts?state=bogus', { token: admin, invalid: true });
await call('conflicts: a citizen', 403, S, 'GET', '/v1/admin/conflicts', { token: citizen });
await call('conflicts: no token', 401, S, 'GET', '/v1/admin/conflicts');
await call('conflicts: POST', 405, S, 'POST', '/v1/admin/conflicts', { token: admin });
const conflictPath = `/v1/admin/conflicts/${args.conflict}`;
{
  const c = jsonOf(await call('a conflict', 200, S, 'GET', conflictPath, { token: admin }));
  check(c.resolution === null, 'the open conflict has no resolution');
  // What the console shows around it: the case by its receipt code, each side's author and
  // note, the column by name and kind.
  check(c.case?.receipt_code === args.receipt && c.user === 'canbo.b' && c.user_role === 'official' &&
    c.server_side.who?.name === 'canbo.a' && c.device_side.who?.name === 'canbo.b' &&
    c.device_side.notes.some((n) => n.status === 'rejected') &&
    c.columns.some((x) => x.column === 'status' && x.kind === 'status' && x.label_en === 'Status'),
    `the conflict's context: case ${c.case?.receipt_code}, server side ${c.server_side.who?.name}, device side ${c.device_side.who?.name}`);
}
await call('a conflict: unknown', 404, S, 'GET', '/v1/admin/conflicts/0000-unknown', { token: admin });
await call('resolve: a bad decision', 400, S, 'POST', `${conflictPath}/resolve`, { token: admin, json: { take: 'sideways' }, invalid: true });
await call('resolve: an official', 403, S, 'POST', `${conflictPath}/resolve`, { token: session.official.token, json: { take: 'device' } });
await call('resolve: take the device', 200, S, 'POST', `${conflictPath}/resolve`, { token: admin, json: { take: 'device' } });
await call('resolve: already resolved', 409, S, 'POST', `${conflictPath}/resolve`, { token: admin, json: { set: { status: 'accepted' } } });
await call('resolve: unknown', 404, S, 'POST', '/v1/admin/conflicts/0000-unknown/resolve', { token: admin, json: { take: 'server' } });
await call('resolve: GET', 405, S, 'GET', `${conflictPath}/resolve`, { token: admin });
check(jsonOf(await call('a resolved conflict', 200, S, 'GET', conflictPath, { token: admin })).resolution?.decision === 'device', 'the resolution is shown');
const contactPath = `/v1/admin/users/${signup.name}/contact`;
check(jsonOf(await call('a contact, read by an admin', 200, S, 'GET', contactPath, { token: admin })).phone === signup.phone, 'the admin reads the sealed phone');
await call('a contact, read by a leader', 200, S, 'GET', contactPath, { token: session.leader.token });
await call('a contact: an official', 403, S, 'GET', contactPath, { token: session.official.token });
await call('a contact: an unknown account', 404, S, 'GET', '/v1/admin/users/nobody/contact', { token: admin });
await call('a contact: no token', 401, S, 'GET', contactPath);

// ---- Monitoring ----------------------------------------------------------------------------

const leader = session.leader.token;
const day = (ms) => new Date(ms + 7 * 3600e3).toISOString().slice(0, 10); // Vietnam's calendar day
const period = `from=${day(Date.now() - 30 * 86400e3)}&to=${day(Date.now())}`;
check(jsonOf(await call('figures per unit', 200, S, 'GET', '/v1/monitor/units', { token: leader })).units.length > 0, 'the figures list units');
await call('figures per unit: a period', 200, S, 'GET', `/v1/monitor/units?${period}`, { token: session.admin.token });
await call('figures per unit: a bad date', 400, S, 'GET', '/v1/monitor/units?from=yesterday&to=today', { token: leader, invalid: true });
await call('figures per unit: an unknown parameter', 400, S, 'GET', '/v1/monitor/units?bogus=1', { token: leader, invalid: true });
await call('figures per unit: a citizen', 403, S, 'GET', '/v1/monitor/units', { token: citizen });
await call('figures per unit: no token', 401, S, 'GET', '/v1/monitor/units');
await call('figures per unit: POST', 405, S, 'POST', '/v1/monitor/units', { token: leader });
await call('figures as CSV', 200, S, 'GET', `/v1/monitor/units.csv?${period}`, { token: leader });
await call('cases as CSV', 200, S, 'GET', `/v1/monitor/cases.csv?${period}&unit=${args.ward}`, { token: leader });
await call('cases as CSV: an unknown unit', 404, S, 'GET', '/v1/monitor/cases.csv?unit=nope', { token: leader });
await call("a unit's overdue cases", 200, S, 'GET', `/v1/monitor/units/${args.ward}/overdue?${period}`, { token: leader });
await call("a unit's overdue cases: an unknown unit", 404, S, 'GET', '/v1/monitor/units/nope/overdue', { token: leader });
{
  const h = jsonOf(await call("a case's history", 200, S, 'GET', `/v1/monitor/cases/${args.report}`, { token: leader }));
  check(h.case.id === args.report && h.events.length > 0, `the case's history has ${h.events.length} event(s)`);
  check(h.photos.map((p) => p.sha256).sort().join() === [args.photo, args['pending-photo']].sort().join() && h.photos.every((p) => p.role === 'report'),
    `the case's history lists its ${h.photos.length} photo(s)`);
}
await call("a case's history: unknown", 404, S, 'GET', '/v1/monitor/cases/nope', { token: leader });

// ---- Pages ----------------------------------------------------------------------------------

await call('the landing page', 200, S, 'GET', '/');
await call('the landing page: HEAD', 200, S, 'HEAD', '/');
await call('the landing page: POST', 405, S, 'POST', '/');
await call("the landing page's style", 200, S, 'GET', '/home.css');
await call("the landing page's style: HEAD", 200, S, 'HEAD', '/home.css');
check((await call('to the app', 301, S, 'GET', '/app')).headers.location === '/app/', 'the redirect goes to /app/');
await call('to the app: HEAD', 301, S, 'HEAD', '/app');
const index = await call("the app's page", 200, S, 'GET', '/app/');
await call("the app's page: not modified", 304, S, 'GET', '/app/', { headers: { 'if-none-match': index.headers.etag } });
await call("the app's page: HEAD", 200, S, 'HEAD', '/app/');
check((await call("the app's script, gzip", 200, S, 'GET', '/app/app.js', { headers: { 'accept-encoding': 'gzip' } })).headers['content-encoding'] === 'gzip', 'sent gzip when accepted');
await call("the app's icon", 200, S, 'GET', '/app/icon-192.png');
await call("the app's manifest", 200, S, 'GET', '/app/manifest.webmanifest');
{
  const engine = await request(S, 'GET', '/app/q11core.wasm');
  verify("the app's engine (200, or 503 when built without emscripten)", engine.status === 503 ? 503 : 200,
    { method: 'GET', path: '/app/q11core.wasm' }, engine, false);
}
await call("the app: a file it does not have", 404, S, 'GET', '/app/nope.js');
await call("the app: no way out of it", 404, S, 'GET', '/app/..%2fhome.css', { invalid: true });
await call("the app's script: HEAD", 200, S, 'HEAD', '/app/app.js');
await call("the app's script: not modified", 304, S, 'HEAD', '/app/app.js', { headers: { 'if-none-match': (await request(S, 'GET', '/app/app.js')).headers.etag } });
await call("the app's script: DELETE", 405, S, 'DELETE', '/app/app.js');
await call('the receipt page', 200, S, 'GET', '/tra-cuu');
check((await call('the receipt page with a code', 200, S, 'GET', `/tra-cuu?code=${code}`)).body.toString().includes(code), 'the page shows the case');
await call('the receipt page: not a code', 400, S, 'GET', '/tra-cuu?code=nope!');
await call('the receipt page: an unknown code', 404, S, 'GET', '/tra-cuu?code=Q11-2222-2222');
await call('the receipt page: POST', 405, S, 'POST', '/tra-cuu');
await call('the receipt page, its English address', 200, S, 'GET', `/receipt?code=${code}`);
await call("the receipt page's style", 200, S, 'GET', '/tra-cuu.css');
await call('the dashboard', 200, S, 'GET', '/monitor');
await call('the dashboard, with a slash', 200, S, 'GET', '/monitor/');
await call("the dashboard's script", 200, S, 'GET', '/monitor/monitor.js');
await call('Chart.js', 200, S, 'GET', '/monitor/vendor/chart.umd.min.js');
await call("Chart.js's licence", 200, S, 'GET', '/monitor/vendor/chart.js.LICENSE.md');
await call('the dashboard: a file it does not have', 404, S, 'GET', '/monitor/nope.css', { invalid: true });
await call('the dashboard: POST', 405, S, 'POST', '/monitor');
await call('the admin console', 200, S, 'GET', '/admin');
await call('the admin console, with a slash', 200, S, 'GET', '/admin/');
await call("the admin console's script", 200, S, 'GET', '/admin/admin.js');
await call("the admin console's style", 200, S, 'GET', '/admin/admin.css');
await call('the admin console: a file it does not have', 404, S, 'GET', '/admin/nope.css', { invalid: true });
await call('the admin console: POST', 405, S, 'POST', '/admin');

// ---- Open311 ----------------------------------------------------------------------------------

const o311 = '/open311/v2';
await call('Open311 discovery, JSON', 200, S, 'GET', `${o311}/discovery.json`);
await call('Open311 discovery, XML', 200, S, 'GET', `${o311}/discovery.xml`);
await call('Open311 discovery: another jurisdiction', 404, S, 'GET', `${o311}/discovery.json?jurisdiction_id=elsewhere`);
await call('Open311 discovery: an unknown format', 400, S, 'GET', `${o311}/discovery.txt`, { invalid: true });
await call('Open311 services, JSON', 200, S, 'GET', `${o311}/services.json`);
await call('Open311 services, XML', 200, S, 'GET', `${o311}/services.xml?jurisdiction_id=q11`);
await call('Open311 services: DELETE', 405, S, 'DELETE', `${o311}/services.json`);
await call('Open311 service definition, JSON', 200, S, 'GET', `${o311}/services/${args.category}.json`);
await call('Open311 service definition, XML', 200, S, 'GET', `${o311}/services/${args.category}.xml`);
await call('Open311 service definition: unknown', 404, S, 'GET', `${o311}/services/nope.json`);
const listed = jsonOf(await call('Open311 requests', 200, S, 'GET', `${o311}/requests.json`));
check(listed.some((r) => r.service_request_id === args.report), 'the report is listed');
await call('Open311 requests, extended', 200, S, 'GET', `${o311}/requests.json?extensions=true&status=open,closed&service_code=${args.category}&page=1&page_size=10`);
await call('Open311 requests, XML', 200, S, 'GET', `${o311}/requests.xml`);
await call('Open311 requests: an unknown parameter', 400, S, 'GET', `${o311}/requests.json?bogus=1`, { invalid: true });
await call('Open311 requests: a bad status', 400, S, 'GET', `${o311}/requests.json?status=maybe`);
await call('Open311 request', 200, S, 'GET', `${o311}/requests/${args.report}.json?extensions=true`);
await call('Open311 request, XML', 200, S, 'GET', `${o311}/requests/${args.report}.xml`);
await call('Open311 request: unknown', 404, S, 'GET', `${o311}/requests/nope.json`);
await call('Open311 token', 200, S, 'GET', `${o311}/tokens/${code}.json`);
await call('Open311 token: unknown', 404, S, 'GET', `${o311}/tokens/Q11-2222-2222.xml`);
check(jsonOf(await call('Open311 updates', 200, S, 'GET', `${o311}/servicerequestupdates.json?service_request_id=${args.report}`)).length > 0, 'the status change is an update');
await call('Open311 updates, XML', 200, S, 'GET', `${o311}/servicerequestupdates.xml`);
await call('Open311 updates: an unknown parameter', 400, S, 'GET', `${o311}/servicerequestupdates.json?status=open`, { invalid: true });
const filing = {
  api_key: args['api-key'], service_code: args.category, 'attribute[ward]': args.ward, 'attribute[title]': 'Cống nghẹt',
  lat: '10.7634', long: '106.6502', description: 'Cống nghẹt, nước tràn vào hẻm', email: 'an@example.vn',
};
const filed = jsonOf(await call('Open311 filing, JSON', 201, S, 'POST', `${o311}/requests.json`, { form: filing }));
check(/^Q11-/.test(filed[0].token), `filed with receipt code ${filed[0].token}`);
await call('Open311 filing, XML', 201, S, 'POST', `${o311}/requests.xml`, { form: { ...filing, address_string: 'Hẻm 34 Lạc Long Quân', lat: undefined, long: undefined } });
await call('Open311 filing: a bad key', 403, S, 'POST', `${o311}/requests.json`, { form: { ...filing, api_key: 'o311_WRONG' } });
await call('Open311 filing: no key', 403, S, 'POST', `${o311}/requests.json`, { form: { service_code: args.category }, invalid: true });
await call('Open311 filing: an unknown field', 400, S, 'POST', `${o311}/requests.json`, { form: { ...filing, colour: 'red' }, invalid: true });
await call('Open311 filing: JSON instead of a form', 400, S, 'POST', `${o311}/requests.json`, { json: filing, invalid: true });
await call('Open311 filing: a body over 64 KiB', 413, S, 'POST', `${o311}/requests.json`, { form: { ...filing, description: 'x'.repeat(70000) }, invalid: true });
await call('Open311 filing: no body length', 411, S, 'POST', `${o311}/requests.json`, {
  raw: `POST ${o311}/requests.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n`,
  invalid: true,
});
check((await call('Open311 requests: PUT', 405, S, 'PUT', `${o311}/requests.json`)).headers.allow === 'GET, POST', 'Allow names GET and POST');
await call('Open311 filing on the limited server: a bad key', 403, L, 'POST', `${o311}/requests.json`, { form: { ...filing, api_key: 'o311_WRONG' } });
await call('Open311 filing: rate limited', 429, L, 'POST', `${o311}/requests.json`, { form: { ...filing, api_key: args['limited-api-key'] } });

// ---- Every operation, the same two refusals ------------------------------------------------

// Each operation that takes a bearer token refuses a bad one, and each path a method it does
// not take, with the answers the description gives (on the concrete paths that answered above).
for (const o of ops) {
  const sample = samples.get(o.template);
  const bearer = (o.op.security ?? []).some((s) => 'bearerAuth' in s && !(o.op.security ?? []).some((t) => Object.keys(t).length === 0));
  if (sample && bearer) await call(`${o.key}: a bad token`, 401, S, o.method.toUpperCase(), sample, { token: 'not-a-token', invalid: true });
}
for (const o of ops) {
  const sample = samples.get(o.template);
  const bearer = (o.op.security ?? []).some((s) => 'bearerAuth' in s);
  if (sample && bearer && o.op.responses['403']) {
    await call(`${o.key}: a disabled account's token`, 403, S, o.method.toUpperCase(), sample, { token: disabled.token, invalid: true });
  }
}
// Bodies: over each JSON endpoint's cap (413), and with no length at all (411).
for (const o of ops) {
  const sample = samples.get(o.template);
  const content = o.op.requestBody?.content ?? {};
  if (!sample || !(content['application/json'] || content['application/x-q11-sync'])) continue;
  if (o.op.responses['413'] && content['application/json']) {  // the sync's cap: tested on the limited server
    await call(`${o.key}: a body over its cap`, 413, S, o.method.toUpperCase(), sample, { token: admin, json: { x: 'a'.repeat(300 * 1024) }, invalid: true });
  }
  if (o.op.responses['411']) {
    await call(`${o.key}: no body length`, 411, S, o.method.toUpperCase(), sample, {
      raw: `${o.method.toUpperCase()} ${sample} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`,
      invalid: true,
    });
  }
}
for (const template of Object.keys(api.paths)) {
  const sample = samples.get(template);
  if (sample) await call(`${template}: a method it does not take`, 405, S, 'DELETE', sample, { invalid: true });
}

// ---- Coverage -----------------------------------------------------------------------------------

const routed = routerKnows(args.sources).paths;
const untested = ops.filter((o) => ![...(seen.get(o.key) ?? [])].some((s) => s >= 200 && s < 400))
  .filter((o) => !(o.template === '/metrics' && !routed.includes('/metrics')));
check(untested.length === 0, `every operation of the description answered with success at least once${untested.length ? ': not ' + untested.map((o) => o.key).join(', ') : ''}`);
let described = 0, observed = 0;
const never = [];
for (const o of ops) {
  for (const status of Object.keys(o.op.responses)) {
    described += 1;
    if (seen.get(o.key)?.has(Number(status))) observed += 1;
    else never.push(`${o.key} ${status}`);
  }
}
console.log(`# ${observed} of the ${described} described answers were seen live; not caused in this run: ${never.join(', ')}`);
