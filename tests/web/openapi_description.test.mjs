// ctest "openapi: description" (openapi_driver.cc): docs/openapi.yaml is a valid OpenAPI 3.1
// description for an outside validator (@readme/openapi-parser), every operation is
// documented as this project documents them, and every route the server's router knows
// (syncserver/src/http/request_router.cc and the Route* functions it calls, the pages
// compiled in) is described. A route added without describing it fails here.
import { parseArgs, makeCheck } from './harness.mjs';
import { loadDescription, operations, findOperation, pathKnown, paramsFit, routerKnows, makeAjv } from './openapi_lib.mjs';

const args = parseArgs();
const check = makeCheck();

const api = await loadDescription(args.description);
check(api.openapi.startsWith('3.'), `${args.description} is a valid OpenAPI ${api.openapi} description (@readme/openapi-parser)`);

const ops = operations(api);
const ajv = makeAjv();
const tags = new Set((api.tags ?? []).map((t) => t.name));
const problems = [];
for (const o of ops) {
  if (!o.op.operationId) problems.push(`${o.key}: no operationId`);
  if (!o.op.summary) problems.push(`${o.key}: no summary`);
  if (!o.op.tags?.length || !o.op.tags.every((t) => tags.has(t))) problems.push(`${o.key}: no tag, or one not declared`);
  const statuses = Object.keys(o.op.responses ?? {});
  if (!statuses.some((s) => /^[23]\d\d$/.test(s))) problems.push(`${o.key}: no success answer`);
  if (statuses.includes('default')) problems.push(`${o.key}: 'default' (name each status the server sends)`);
  for (const [status, r] of Object.entries(o.op.responses ?? {})) {
    if (/^(429)$/.test(status) && !r.headers?.['Retry-After']) problems.push(`${o.key} ${status}: no Retry-After`);
    if (/^[45]\d\d$/.test(status) && !r.content) problems.push(`${o.key} ${status}: an error without a body`);
  }
  const secured = (o.op.security ?? api.security ?? []).some((s) => Object.keys(s).includes('bearerAuth'));
  if (secured && !o.op.responses?.['401']) problems.push(`${o.key}: a bearer token, but no 401`);
}
check(problems.length === 0, `all ${ops.length} operations have an operationId, a summary, a declared tag, named statuses, error bodies, Retry-After on 429 and 401 where a token is needed${problems.length ? '\n  ' + problems.join('\n  ') : ''}`);

// The router's routes, read from its source.
const known = routerKnows(args.sources);
console.log(`# read the routes of ${known.files.length} files: ${known.files.map((f) => f.replace(args.sources + '/', '')).join(', ')}`);
check(known.paths.length > 20 && known.routes.length > 5 && known.assets.length > 5,
  `found ${known.paths.length} path literals, ${known.segments.length} path segments, ${known.routes.length} exact routes and ${known.assets.length} page files in the router's source`);

const templates = Object.keys(api.paths);
const missing = [];
for (const p of known.paths) {
  if (!templates.some((t) => t.includes(p))) missing.push(`path literal "${p}"`);
}
for (const s of known.segments) {
  const word = s.startsWith('/') ? s : s.endsWith('/') ? `/${s}` : null;
  const re = new RegExp(`/${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[/.{]|$)`);
  if (!templates.some((t) => (word ? t.includes(word) : re.test(t)))) missing.push(`path segment "${s}"`);
}
for (const r of known.routes) {
  if (!api.paths[r.path]?.[r.method.toLowerCase()]) missing.push(`route ${r.method} ${r.path}`);
}
for (const a of known.assets) {
  const found = findOperation(ops, 'GET', a);
  if (!found) missing.push(`page GET ${a}`);
  else if (paramsFit(ajv, found)) missing.push(`page GET ${a}: ${paramsFit(ajv, found)}`);
}
check(missing.length === 0, `every route the router knows is described${missing.length ? ':\n  undescribed: ' + missing.join('\n  undescribed: ') : ''}`);

// And nothing is described twice under two templates that fit the same concrete path.
const clashes = [];
for (const o of ops) {
  const sample = o.template.replace(/\{[^}]+\}/g, 'x');
  for (const other of ops) {
    if (other !== o && other.method === o.method && other.template !== o.template && other.regex.test(sample) &&
        other.template.replace(/\{[^}]+\}/g, '').length === o.template.replace(/\{[^}]+\}/g, '').length) {
      clashes.push(`${o.key} and ${other.key}`);
    }
  }
}
check(clashes.length === 0, `no two templates claim the same path${clashes.length ? ': ' + clashes.join(', ') : ''}`);
check(!pathKnown(ops, '/no/such/route'), 'an unknown path fits no template');
