// What the two OpenAPI tests share (docs/openapi.yaml): loading the description through an
// outside validator, finding the operation a request path belongs to, checking a real
// answer against it, and reading the routes the server's router knows from its source.
//
// Strictness: the description's object schemas name their fields without
// `additionalProperties: false` (clients should ignore fields added later), but the tests
// check that the server sends no field the description leaves out, so a copy of each schema
// is made strict here (unevaluatedProperties: false on every object checked whole).
import { validate, compileErrors, dereference } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];

// The description validated by @readme/openapi-parser (the OpenAPI 3.1 schema plus its own
// rules: unique operationIds, declared path parameters, ...), then with every $ref resolved.
export async function loadDescription(file) {
  const result = await validate(file);
  if (!result.valid) throw new Error(`${file} is not a valid OpenAPI description:\n${compileErrors(result)}`);
  if (result.warnings?.length) console.log(`# validator warnings: ${JSON.stringify(result.warnings)}`);
  return dereference(file);
}

function hasProperties(schema) {
  if (!schema || typeof schema !== 'object') return false;
  return Boolean(schema.properties) || (schema.allOf ?? []).some(hasProperties);
}

// A copy of `schema` in which every object value checked as a whole (not as one member of
// an allOf, whose siblings name the rest) rejects fields the schema does not name.
export function strict(schema, whole = true) {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out = { ...schema };
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, strict(v)]));
  }
  if (out.items) out.items = strict(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') {
    out.additionalProperties = strict(out.additionalProperties);
  }
  for (const key of ['oneOf', 'anyOf']) if (out[key]) out[key] = out[key].map((s) => strict(s));
  if (out.allOf) out.allOf = out.allOf.map((s) => strict(s, false));
  if (whole && hasProperties(out) && !('additionalProperties' in out) && !('unevaluatedProperties' in out)) {
    out.unevaluatedProperties = false;
  }
  return out;
}

export function makeAjv() {
  const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { binary: true, password: true } });
  addFormats(ajv);
  return ajv;
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Every operation with a regular expression for its path template ({param} = one or more
// characters other than '/').
export function operations(api) {
  const out = [];
  for (const [template, item] of Object.entries(api.paths)) {
    const names = [];
    const pattern = template.split(/(\{[^}]+\})/).map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (!m) return escapeRegExp(part);
      names.push(m[1]);
      return '([^/]+?)';
    }).join('');
    const regex = new RegExp(`^${pattern}$`);
    for (const method of METHODS) {
      if (!item[method]) continue;
      const parameters = [...(item.parameters ?? []), ...(item[method].parameters ?? [])];
      out.push({ method, template, regex, names, op: item[method], parameters, key: `${method.toUpperCase()} ${template}` });
    }
  }
  return out;
}

// The operation of METHOD PATH (path without the query) and its path parameters, or null.
// A path that fits several templates takes the one with the most literal characters
// (/monitor/vendor/{file} before /monitor/{file}).
export function findOperation(ops, method, path) {
  let best = null;
  for (const o of ops) {
    if (o.method !== method.toLowerCase()) continue;
    const m = o.regex.exec(path);
    if (!m) continue;
    const literal = o.template.replace(/\{[^}]+\}/g, '').length;
    if (!best || literal > best.literal) {
      best = { ...o, literal, params: Object.fromEntries(o.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
    }
  }
  return best;
}

// Whether any operation's path fits `path`, whatever the method.
export function pathKnown(ops, path) {
  return ops.some((o) => o.regex.test(path));
}

// Path parameters must also fit their schemas (enums: /admin/{file}).
export function paramsFit(ajv, found) {
  for (const p of found.parameters) {
    if (p.in !== 'path') continue;
    const value = found.params[p.name];
    const v = p.schema?.type === 'integer' ? Number(value) : value;
    if (!ajv.validate(p.schema ?? {}, v)) return `path parameter ${p.name}=${value}: ${ajv.errorsText()}`;
  }
  return null;
}

// ---- The routes the router knows, from syncserver/src --------------------------------

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

// What request_router.cc and the Route* functions it calls compare paths with:
//   paths     literals that look like paths ("/v1/login", "/contact", "/open311/")
//   segments  words compared with a part of a path (rest == "units", head == "tokens",
//             constants kName = "units/")
//   routes    the router's table of exact routes {"/healthz", "GET"}
//   assets    the exact paths of the compiled-in pages (*_assets.cc.in)
// and the files they were read from.
export function routerKnows(sourceDir) {
  const src = join(sourceDir, 'syncserver/src');
  const all = walk(src);
  const router = join(src, 'http/request_router.cc');
  const routerText = readFileSync(router, 'utf8');
  const files = [router];
  for (const [, fn] of routerText.matchAll(/\b(Route[A-Z]\w*)\(context_/g)) {
    const def = all.find((f) => f.endsWith('.cc') &&
      new RegExp(`HTTPRequestHandler\\*\\s+${fn}\\(`).test(readFileSync(f, 'utf8')));
    if (!def) throw new Error(`the router calls ${fn}, defined in no .cc under ${src}`);
    files.push(def);
  }
  const paths = new Set(), segments = new Set(), routes = [], assets = [];
  for (const f of files) {
    const text = withoutComments(readFileSync(f, 'utf8'));
    for (const [, s] of text.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)) {
      if (/^\/[A-Za-z0-9._\/-]*$/.test(s)) paths.add(s);
    }
    for (const [, s] of text.matchAll(/\b(?:rest|head|tail|stem)\s*==\s*"([^"]*)"/g)) segments.add(s);
    for (const [, s] of text.matchAll(/\bk\w+\s*=\s*"([a-z][a-z0-9._-]*\/)"/g)) segments.add(s);
    for (const [, p, m] of text.matchAll(/\{"(\/[^"]*)",\s*"([A-Z]+)"\}/g)) routes.push({ path: p, method: m });
  }
  for (const f of all.filter((f) => f.endsWith('_assets.cc.in'))) {
    files.push(f);
    for (const [, p] of readFileSync(f, 'utf8').matchAll(/\{"(\/[^"]*)",\s*"[^"]*",/g)) assets.push(p);
  }
  return { paths: [...paths], segments: [...segments], routes, assets, files };
}

// ---- Checking an answer ----------------------------------------------------------------

function mediaType(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJson(type) {
  return type === 'application/json' || type.endsWith('+json');
}

// The name of an XML document's root element.
function xmlRoot(text) {
  const m = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.-]*)/.exec(text);
  return m ? m[1] : null;
}

// The element names a schema allows in XML: its properties and its xml names, all the way down.
function xmlNames(schema, out = new Set()) {
  if (!schema || typeof schema !== 'object') return out;
  if (schema.xml?.name) out.add(schema.xml.name);
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    if (!v?.xml?.name) out.add(k);
    xmlNames(v, out);
  }
  xmlNames(schema.items, out);
  for (const key of ['allOf', 'oneOf', 'anyOf']) for (const s of schema[key] ?? []) xmlNames(s, out);
  return out;
}

const MAGIC = {
  'image/png': [0x89, 0x50, 0x4e, 0x47],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/webp': [0x52, 0x49, 0x46, 0x46],
  'application/wasm': [0x00, 0x61, 0x73, 0x6d],
};

// Checks one answer against the description: its status is one the operation names (not
// `default`), its content type one of that response's media types (no body when it has
// none), the body fits the schema (JSON: the strict schema; XML: the root element; images
// and WebAssembly: their magic bytes), and each required header is there and fits. Returns
// a list of problems (empty when it fits).
export function checkAnswer(ajv, found, req, res) {
  const problems = [];
  const response = found.op.responses?.[String(res.status)];
  if (!response) {
    return [`${found.key}: status ${res.status} is not described (described: ${Object.keys(found.op.responses).join(', ')})`];
  }
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const value = res.headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) problems.push(`${found.key} ${res.status}: header ${name} is missing`);
      continue;
    }
    const schema = header.schema ?? {};
    const typed = schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (!ajv.validate(schema, typed)) problems.push(`${found.key} ${res.status}: header ${name}: ${value}: ${ajv.errorsText()}`);
  }
  const content = response.content;
  const type = mediaType(res.headers['content-type']);
  if (!content) {
    if (res.body.length > 0) problems.push(`${found.key} ${res.status}: a body (${type}) where none is described`);
    return problems;
  }
  if (!content[type]) {
    problems.push(`${found.key} ${res.status}: content type '${res.headers['content-type']}' is not described (${Object.keys(content).join(', ')})`);
    return problems;
  }
  if (req.method === 'HEAD') return problems;
  const schema = content[type].schema ?? {};
  const text = () => res.body.toString('utf8');
  if (isJson(type)) {
    let value;
    try {
      value = JSON.parse(text());
    } catch (e) {
      return [...problems, `${found.key} ${res.status}: the body is not JSON: ${e.message}`];
    }
    if (!ajv.validate(strict(schema), value)) {
      problems.push(`${found.key} ${res.status}: the body does not fit the schema: ${ajv.errorsText(ajv.errors, { separator: '; ' })}\n  body: ${text().slice(0, 600)}`);
    }
  } else if (type === 'text/xml' || type === 'application/xml') {
    const expected = schema.xml?.name;
    const root = xmlRoot(text());
    if (!root) problems.push(`${found.key} ${res.status}: the body is not XML`);
    else if (expected && root !== expected) problems.push(`${found.key} ${res.status}: XML root <${root}>, described <${expected}>`);
    // Every element is a field or an item the schema names.
    const names = xmlNames(schema);
    const unnamed = [...new Set([...text().matchAll(/<([A-Za-z_][\w.-]*)[\s/>]/g)].map((m) => m[1]))].filter((n) => !names.has(n));
    if (unnamed.length) problems.push(`${found.key} ${res.status}: XML elements the schema does not name: ${unnamed.join(', ')}`);
  } else if (MAGIC[type] && res.status === 200) {
    if (!MAGIC[type].every((b, i) => res.body[i] === b)) problems.push(`${found.key} ${res.status}: the body is not ${type}`);
  } else if (res.body.length === 0 && res.status !== 204) {
    problems.push(`${found.key} ${res.status}: an empty ${type} body`);
  }
  return problems;
}

// Checks what the test sends, so the description's parameter and field names are held to
// what the server takes: every query parameter is described for the operation, required
// ones are present, path parameters fit, and a JSON or form body fits the strict request
// schema. Returns a list of problems.
export function checkRequest(ajv, found, req) {
  const problems = [];
  const url = new URL(req.path, 'http://x');
  const described = new Set(found.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of url.searchParams.keys()) {
    if (!described.has(name)) problems.push(`${found.key}: query parameter '${name}' is not described`);
  }
  for (const p of found.parameters.filter((p) => p.in === 'query' && p.required)) {
    if (!url.searchParams.has(p.name)) problems.push(`${found.key}: required query parameter '${p.name}' not sent`);
  }
  const bad = paramsFit(ajv, found);
  if (bad) problems.push(`${found.key}: ${bad}`);
  if (req.body === undefined) {
    if (found.op.requestBody?.required) problems.push(`${found.key}: the request body is required`);
    return problems;
  }
  const type = mediaType(req.headers?.['content-type']);
  const media = found.op.requestBody?.content?.[type];
  if (!media) return [...problems, `${found.key}: request content type '${type}' is not described`];
  let value;
  if (isJson(type)) value = JSON.parse(req.body.toString());
  else if (type === 'application/x-www-form-urlencoded') value = Object.fromEntries(new URLSearchParams(req.body.toString()));
  else return problems;
  if (!ajv.validate(strict(media.schema ?? {}), value)) {
    problems.push(`${found.key}: the request body does not fit the schema: ${ajv.errorsText()}`);
  }
  return problems;
}
