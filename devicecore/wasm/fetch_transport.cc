// The WebAssembly build's Transport (devicecore/env.h's seam; natively src/http_transport.cc).
// devicecore's calls are synchronous, so the request must be too:
//   - in a Web Worker (the web app's engine-worker.js): a synchronous XMLHttpRequest, which
//     browsers allow in workers, with binary bodies (Uint8Array in, responseType
//     "arraybuffer" out) and xhr.timeout; TLS and its certificate checks are the browser's;
//   - under node (the tests): a bridge. A worker thread does the request with node's http
//     module while the engine's thread sleeps in Atomics.wait on a SharedArrayBuffer; the
//     answer comes back through a MessagePort read with receiveMessageOnPort. No process per
//     request, and keep-alive connections as natively;
//   - the embedder may replace both by setting Module.q11HttpSend(request) → reply (same
//     shapes as below) before the first call.
// Which URLs may be used is decided by the same code as natively (server_url.h): https to any
// host, plain http to loopback only, refused before any request is made.
#include <emscripten.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "devicecore/env.h"
#include "server_url.h"

namespace {

// What the JavaScript side fills in. Every pointer is from malloc (the module's _malloc), owned
// by the caller afterwards. Offsets are fixed: the JS below writes them as 32-bit words.
struct JsReply {
  int32_t status = 0;       // HTTP status; 0 when no answer came
  int32_t timed_out = 0;    // 1: no answer within the timeout
  char* error = nullptr;    // why no answer came (UTF-8), when status == 0
  char* headers = nullptr;  // "Name: value\r\n" lines as the server wrote them
  char* body = nullptr;     // response body (binary), body_len bytes
  int32_t body_len = 0;
  int32_t head_bytes = 0;  // the status line and headers, for the traffic counters
};
static_assert(sizeof(char*) == 4, "JsReply's layout is written from JS as 32-bit words");

}  // namespace

// clang-format off
EM_JS(void, q11_js_http_send,
      (const char* method, const char* url, const char* headers, const uint8_t* body,
       int body_len, int timeout_ms, JsReply* out), {
  var req = {
    method: UTF8ToString(method),
    url: UTF8ToString(url),
    headers: [],
    body: HEAPU8.slice(body, body + body_len),
    timeout: timeout_ms
  };
  UTF8ToString(headers).split("\n").forEach(function(line) {
    var i = line.indexOf(":");
    if (i > 0) req.headers.push([line.slice(0, i), line.slice(i + 1)]);
  });

  // Synchronous XMLHttpRequest: a Web Worker (a page's main thread refuses binary replies).
  function viaXhr(r) {
    var xhr = new XMLHttpRequest();
    xhr.open(r.method, r.url, false);
    xhr.responseType = "arraybuffer";
    if (r.timeout > 0) xhr.timeout = r.timeout;
    r.headers.forEach(function(h) { xhr.setRequestHeader(h[0], h[1]); });
    try {
      xhr.send(r.body.length > 0 || r.method !== "GET" ? r.body : null);
    } catch (e) {
      var timedOut = e && e.name === "TimeoutError";
      return {error: (e && e.name ? e.name + ": " : "") + (e && e.message ? e.message : e),
              timedOut: timedOut};
    }
    if (xhr.status === 0) return {error: "network error"};
    return {status: xhr.status, headers: xhr.getAllResponseHeaders(),
            body: new Uint8Array(xhr.response || new ArrayBuffer(0))};
  }

  // node: a worker thread does the request; this thread waits for it (see the file comment).
  function viaNode(r) {
    var bridge = Module["q11NodeBridge"];
    if (!bridge) {
      var wt = require("worker_threads");
      var code = [
        "const {parentPort} = require('worker_threads');",
        "const http = require('http'), https = require('https');",
        "const CRLF = String.fromCharCode(13, 10);",
        "const agents = {'http:': new http.Agent({keepAlive: true}),",
        "                'https:': new https.Agent({keepAlive: true})};",
        "parentPort.on('message', ({req, flag, port}) => {",
        "  let answered = false;",
        "  const done = (m) => {",
        "    if (answered) return;",
        "    answered = true;",
        "    port.postMessage(m);",
        "    port.close();",
        "    const f = new Int32Array(flag);",
        "    Atomics.store(f, 0, 1);",
        "    Atomics.notify(f, 0);",
        "  };",
        "  try {",
        "    const u = new URL(req.url);",
        "    const mod = u.protocol === 'https:' ? https : http;",
        "    const headers = {};",
        "    for (const [k, v] of req.headers) headers[k] = v;",
        "    const hasBody = req.body.length > 0 || !['GET', 'HEAD'].includes(req.method);",
        "    if (hasBody) headers['Content-Length'] = String(req.body.length);",
        "    const q = mod.request(u, {method: req.method, headers, agent: agents[u.protocol]},",
        "      (res) => {",
        "        const chunks = [];",
        "        res.on('data', (c) => chunks.push(c));",
        "        res.on('end', () => {",
        "          let head = 'HTTP/' + res.httpVersion + ' ' + res.statusCode + ' ' +",
        "                     res.statusMessage + CRLF;",
        "          let lines = '';",
        "          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)",
        "            lines += res.rawHeaders[i] + ': ' + res.rawHeaders[i + 1] + CRLF;",
        "          done({status: res.statusCode, headers: lines, headBytes: head.length +",
        "                lines.length + 2, body: new Uint8Array(Buffer.concat(chunks))});",
        "        });",
        "        res.on('error', (e) => done({error: 'the answer broke off: ' + e.message}));",
        "        res.on('aborted', () => done({error: 'the answer broke off'}));",
        "      });",
        "    if (req.timeout > 0)",
        "      q.setTimeout(req.timeout, () => { q.destroy(); done({error: 'timed out',",
        "                                                           timedOut: true}); });",
        "    q.on('error', (e) => done({error: (e.code ? e.code + ': ' : '') + e.message}));",
        "    q.end(hasBody ? Buffer.from(req.body) : undefined);",
        "  } catch (e) {",
        "    done({error: String(e && e.message || e)});",
        "  }",
        "});"
      ].join("\n");
      var worker = new wt.Worker(code, {eval: true});
      worker.unref();  // an idle bridge must not keep node running
      bridge = Module["q11NodeBridge"] = {wt: wt, worker: worker};
    }
    var flag = new SharedArrayBuffer(4);
    var channel = new bridge.wt.MessageChannel();
    bridge.worker.postMessage({req: r, flag: flag, port: channel.port2}, [channel.port2]);
    // The worker has its own timeout; this one only guards against a bridge that died.
    Atomics.wait(new Int32Array(flag), 0, 0, r.timeout > 0 ? r.timeout + 10000 : undefined);
    var got = bridge.wt.receiveMessageOnPort(channel.port1);
    channel.port1.close();
    return got ? got.message : {error: "the HTTP bridge thread did not answer"};
  }

  var reply;
  try {
    if (typeof Module["q11HttpSend"] === "function") reply = Module["q11HttpSend"](req);
    else if (typeof XMLHttpRequest !== "undefined") reply = viaXhr(req);
    else if (typeof process === "object" && process.versions && process.versions.node)
      reply = viaNode(req);
    else reply = {error: "no synchronous HTTP here: run the engine in a Web Worker"};
  } catch (e) {
    reply = {error: String(e && e.message || e)};
  }

  function cString(s) {
    var n = lengthBytesUTF8(s) + 1;
    var p = _malloc(n);
    stringToUTF8(s, p, n);
    return p;
  }
  var words = out >> 2;
  if (reply.error !== undefined || !reply.status) {
    HEAP32[words] = 0;
    HEAP32[words + 1] = reply.timedOut ? 1 : 0;
    HEAP32[words + 2] = cString(String(reply.error || "no answer"));
    return;
  }
  var bodyBytes = reply.body || new Uint8Array(0);
  var headersText = reply.headers || "";
  HEAP32[words] = reply.status;
  HEAP32[words + 3] = cString(headersText);
  var p = _malloc(bodyBytes.length + 1);
  HEAPU8.set(bodyBytes, p);
  HEAP32[words + 4] = p;
  HEAP32[words + 5] = bodyBytes.length;
  HEAP32[words + 6] = reply.headBytes || (headersText.length + 17);
});
// clang-format on

namespace q11::device {

namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using MallocPtr = std::unique_ptr<char, FreeDeleter>;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

class FetchTransport final : public Transport {
 public:
  FetchTransport(std::string base_url, std::string origin, std::string prefix, int timeout_ms)
      : base_url_(std::move(base_url)),
        origin_(std::move(origin)),
        prefix_(std::move(prefix)),
        timeout_ms_(timeout_ms) {}

  Result<HttpReply> Post(std::string_view path, std::string_view content_type,
                         std::string_view body, std::string_view bearer) override {
    HttpRequest request;
    request.method = "POST";
    request.path = std::string(path);
    request.content_type = std::string(content_type);
    request.body = body;
    request.bearer = std::string(bearer);
    return Send(request);
  }

  Result<HttpReply> Send(const HttpRequest& request) override {
    // A line break in a header would forge another header: refused, as Poco refuses it
    // natively. Then the header lines for the JS side, "Name:value\n".
    auto bad = [](std::string_view text) { return text.find_first_of("\r\n") != text.npos; };
    if (bad(request.bearer) || bad(request.content_type))
      return InvalidArgument("bad HTTP header value");
    for (const auto& [k, v] : request.headers)
      if (bad(k) || bad(v) || k.empty() || k.find(':') != std::string::npos)
        return InvalidArgument("bad HTTP header \"" + k + "\"");
    std::string head;
    auto add = [&head](std::string_view k, std::string_view v) {
      head.append(k).append(":").append(v).append("\n");
    };
    if (!request.content_type.empty()) add("Content-Type", request.content_type);
    if (!request.bearer.empty()) add("Authorization", "Bearer " + request.bearer);
    for (const auto& [k, v] : request.headers) add(k, v);

    std::string url = origin_ + prefix_ + request.path;
    JsReply js;
    q11_js_http_send(request.method.c_str(), url.c_str(), head.c_str(),
                     reinterpret_cast<const uint8_t*>(request.body.data()),
                     static_cast<int>(request.body.size()), timeout_ms_, &js);
    MallocPtr error(js.error), headers(js.headers), body(js.body);
    if (js.status == 0) {
      // Refused, reset, DNS, offline, timed out: all "try again later" for the sync client.
      if (js.timed_out) return Unavailable("timed out talking to " + base_url_);
      return Unavailable("cannot talk to " + base_url_ + ": " +
                         (error ? error.get() : "no answer"));
    }

    HttpReply reply;
    reply.status = js.status;
    reply.bytes_sent = static_cast<int64_t>(request.method.size() + url.size() + head.size() + 12 +
                                            request.body.size());
    std::string_view lines(headers ? headers.get() : "");
    while (!lines.empty()) {
      size_t end = lines.find('\n');
      std::string_view line = lines.substr(0, end);
      lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 1);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      reply.headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                                 std::string(Trim(line.substr(colon + 1))));
    }
    reply.content_type = reply.Header("Content-Type");
    reply.retry_after = reply.Header("Retry-After");
    std::string_view bytes(body ? body.get() : "", static_cast<size_t>(js.body_len));
    reply.bytes_received = js.head_bytes + static_cast<int64_t>(bytes.size());
    // The whole body arrived at once; a streamed download gets it as one piece (only a
    // successful answer is streamed, as natively).
    if (request.on_body && reply.status >= 200 && reply.status < 300) {
      if (!bytes.empty()) request.on_body(bytes);
    } else {
      reply.body.assign(bytes);
    }
    return reply;
  }

 private:
  std::string base_url_;
  std::string origin_;  // "http://127.0.0.1:8080", IPv6 hosts in brackets
  std::string prefix_;  // path of the base URL, without a trailing slash
  int timeout_ms_;
};

}  // namespace

Result<std::unique_ptr<Transport>> MakeHttpTransport(const std::string& base_url,
                                                     const TransportOptions& options) {
  Result<ServerUrl> url = ParseServerUrl(base_url);
  if (!url.ok()) return url.status();
  // The browser alone decides whom it trusts over HTTPS; a private CA cannot be pinned here.
  if (!options.ca_pem.empty())
    return InvalidArgument(
        "ứng dụng web không dùng được CA riêng / a private CA cannot be set in the web app: "
        "the browser checks the server's certificate against its own store");
  std::string host = url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host;
  std::string origin = (url->tls ? "https://" : "http://") + host + ":" + std::to_string(url->port);
  return std::unique_ptr<Transport>(
      new FetchTransport(base_url, std::move(origin), url->prefix, options.timeout_ms));
}

}  // namespace q11::device
