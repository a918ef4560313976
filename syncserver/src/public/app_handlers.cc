#include "public/app_handlers.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "http/http_errors.h"
#include "http/security_headers.h"
#include "public/app_assets.h"
#include "public/home_assets.h"

namespace q11::server {
namespace {

constexpr std::string_view kAppPrefix = "/app/";

// What the app needs and nothing more: its own scripts, WebAssembly compiled from its own
// q11core.wasm, its own workers, photos as blob:/data: previews, calls to its own origin.
constexpr const char* kAppPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
    "img-src 'self' blob: data:; connect-src 'self'; style-src 'self'; "
    "frame-ancestors 'none'; manifest-src 'self'";

// The landing page has no script at all.
constexpr const char* kHomePolicy =
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'";

std::string_view ContentTypeFor(std::string_view name) {
  struct Type {
    std::string_view extension, content_type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const Type& t : kTypes)
    if (name.size() > t.extension.size() && name.ends_with(t.extension)) return t.content_type;
  return "application/octet-stream";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Calls `each` with every comma-separated element of a header value, trimmed.
template <typename F>
void ForEachElement(std::string_view value, F each) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    each(Trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

class HomePageHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override {
    SetSecurityHeaders(response, /*no_store=*/false);
    response.set("Content-Security-Policy", kHomePolicy);
    std::string_view uri = request.getURI();
    const AdminAsset* asset = FindHomeAsset(uri.substr(0, uri.find('?')));
    if (asset == nullptr)
      return SendJsonError(response, 404, "not_found", "no such page", "Không có trang này");
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType(std::string(asset->content_type));
    response.sendBuffer(asset->body.data(), asset->body.size());
  }
};

class AppRedirectHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override {
    SetSecurityHeaders(response, /*no_store=*/false);
    const std::string& uri = request.getURI();
    size_t query = uri.find('?');
    response.redirect(
        std::string(kAppPrefix) + (query == std::string::npos ? "" : uri.substr(query)),
        Poco::Net::HTTPResponse::HTTP_MOVED_PERMANENTLY);
  }
};

class AppFileHandler final : public GuardedHandler {
 public:
  // `name`: the path below /app/, still percent-encoded ("" is index.html).
  AppFileHandler(const HandlerContext& context, std::string name)
      : GuardedHandler(context), name_(name.empty() ? "index.html" : std::move(name)) {}

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override {
    SetSecurityHeaders(response, /*no_store=*/false);
    response.set("Content-Security-Policy", kAppPolicy);
    if (!AppHasEngine() && (name_ == "q11core.js" || name_ == "q11core.wasm"))
      return SendJsonError(
          response, 503, "unavailable",
          "this server was built without emscripten, so the app's WebAssembly engine (" + name_ +
              ") is missing: install emscripten and rebuild (docs/app.md)",
          "Máy chủ này được biên dịch không có emscripten nên thiếu bộ máy WebAssembly của ứng "
          "dụng (" +
              name_ + "): cài emscripten rồi biên dịch lại");
    // Exact names only: "../x", "%2e%2e/x" or "a%2Fb" match no embedded file, so nothing
    // outside the app can be reached whatever the path holds.
    const auto files = AppFiles();
    const auto file =
        std::find_if(files.begin(), files.end(), [&](const AppFile& f) { return f.name == name_; });
    if (file == files.end())
      return SendJsonError(response, 404, "not_found", "no such file in the web app",
                           "Không có tệp này trong ứng dụng");
    // gzip only when it saves bytes (PNG files are compressed already). The two encodings
    // are two representations, so they get distinct ETags.
    const bool gzip =
        file->gzip.size() < file->body.size() && AcceptsGzip(request.get("Accept-Encoding", ""));
    const std::string etag = "\"" + std::string(file->hash) + (gzip ? "-gzip" : "") + "\"";
    response.set("Vary", "Accept-Encoding");
    response.set("ETag", etag);
    if (EtagMatches(request.get("If-None-Match", ""), etag)) {
      response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
      response.send();  // headers only; Poco sends no body with a 304
      return;
    }
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType(std::string(ContentTypeFor(file->name)));
    std::string_view body = file->body;
    if (gzip) {
      response.set("Content-Encoding", "gzip");
      body = file->gzip;
    }
    response.sendBuffer(body.data(), body.size());  // no body for HEAD (Poco)
  }

 private:
  std::string name_;
};

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  bool gzip = false, star = false, gzip_named = false;
  ForEachElement(accept_encoding, [&](std::string_view element) {
    std::string_view coding = Trim(element.substr(0, element.find(';')));
    bool acceptable = true;
    for (size_t semi = element.find(';'); semi != std::string_view::npos;
         semi = element.find(';', semi + 1)) {
      std::string_view param = Trim(element.substr(semi + 1));
      param = param.substr(0, param.find(';'));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
        acceptable = std::strtod(std::string(param.substr(2)).c_str(), nullptr) > 0;
    }
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_named = true;
      gzip = gzip || acceptable;
    } else if (coding == "*") {
      star = acceptable;
    }
  });
  return gzip_named ? gzip : star;
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  bool match = false;
  ForEachElement(if_none_match, [&](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) match = true;
  });
  return match;
}

Poco::Net::HTTPRequestHandler* RouteApp(const HandlerContext& context, std::string_view path,
                                        const std::string& method) {
  const bool home = path == "/" || path == "/home.css";
  const bool app = path == "/app" || path.starts_with(kAppPrefix);
  if (!home && !app) return nullptr;
  if (method != "GET" && method != "HEAD")
    return new ErrorHandler(context, 405, "invalid_argument",
                            std::string(path) + " accepts GET and HEAD only",
                            "Phương thức không được hỗ trợ");
  if (home) return new HomePageHandler(context);
  if (path == "/app") return new AppRedirectHandler(context);
  return new AppFileHandler(context, std::string(path.substr(kAppPrefix.size())));
}

}  // namespace q11::server
