// The web app at /app/ and the landing page at / (app_handlers.h), asked of the real HTTP
// server started in-process on 127.0.0.1 port 0, compared with the files in devicecore/app/
// and with what the build step (syncserver/embed_app.cmake) is meant to produce.
#include <Poco/InflatingStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "public/app_assets.h"
#include "public/app_handlers.h"
#include "server_test_support.h"
#include "syncserver/server.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;
namespace fs = std::filesystem;

namespace {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // as sent (Poco keeps one value per name here)
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  bool Has(const std::string& name) const { return headers.count(name) != 0; }
};

struct Served {
  Served() {
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions o;
    o.data_dir = dir.path() + "/data";
    o.port = 0;
    o.threads = 4;
    o.log_requests = false;
    auto s = Server::Start(o);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    server = std::move(*s);
  }

  // `path` goes on the request line exactly as given (no normalisation by the client).
  Reply Ask(const std::string& method, const std::string& path,
            const std::map<std::string, std::string>& headers = {}) {
    Poco::Net::HTTPClientSession s("127.0.0.1", server->port());
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) req.set(name, value);
    s.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& in = s.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    for (const auto& [name, value] : resp) r.headers[name] = value;
    Poco::StreamCopier::copyToString(in, r.body);
    return r;
  }
  Reply Get(const std::string& path, const std::map<std::string, std::string>& headers = {}) {
    return Ask("GET", path, headers);
  }

  TempDir dir;
  std::unique_ptr<Server> server;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Gunzip(const std::string& bytes) {
  std::istringstream in(bytes);
  Poco::InflatingInputStream inflate(in, Poco::InflatingStreamBuf::STREAM_GZIP);
  std::string out;
  Poco::StreamCopier::copyToString(inflate, out);
  return out;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The app's files as the repository holds them: name below /app/ → bytes.
std::map<std::string, std::string> SourceFiles() {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(Q11_APP_SOURCE_DIR)) {
    if (!entry.is_regular_file()) continue;
    std::string name = fs::relative(entry.path(), Q11_APP_SOURCE_DIR).generic_string();
    if (name.front() == '.' || name.find("/.") != std::string::npos) continue;
    files[name] = ReadFile(entry.path());
  }
  return files;
}

// The MIME types the app's files must be served with (a browser refuses a module script,
// a wasm streaming compile or a manifest with the wrong one).
std::string ExpectedType(const std::string& name) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript"},
      {".css", "text/css"},
      {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
  };
  for (const auto& [ext, type] : kTypes)
    if (name.ends_with(ext)) return type;
  return "";
}

void CheckJsonError(const Reply& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.Header("Content-Type").starts_with("application/json"));
  Poco::JSON::Parser p;
  auto j = p.parse(r.body).extract<Poco::JSON::Object::Ptr>();
  CHECK(j->getValue<std::string>("error") == code);
  CHECK_FALSE(j->getValue<std::string>("message").empty());
  CHECK_FALSE(j->getValue<std::string>("message_vi").empty());
}

constexpr const char* kAppPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
    "img-src 'self' blob: data:; connect-src 'self'; style-src 'self'; "
    "frame-ancestors 'none'; manifest-src 'self'";

}  // namespace

TEST_CASE("every file of devicecore/app is embedded and served at /app/<name> with its type",
          "[app]") {
  Served s;
  const auto files = SourceFiles();
  REQUIRE(files.count("index.html") == 1);
  REQUIRE(files.count("sw.js") == 1);
  REQUIRE(files.count("manifest.webmanifest") == 1);
  for (const auto& [name, bytes] : files) {
    INFO(name);
    Reply r = s.Get("/app/" + name);
    CHECK(r.status == 200);
    // The served bytes are the file's, with the build's version in place of the marker.
    CHECK(r.body == ReplaceAll(bytes, "__Q11_APP_VERSION__", std::string(AppVersion())));
    CHECK_FALSE(r.Has("Content-Encoding"));  // the client did not ask for gzip
    const std::string type = ExpectedType(name);
    if (!type.empty()) CHECK(r.Header("Content-Type").starts_with(type));
    CHECK(r.Header("Cache-Control") == "no-cache");
    CHECK(r.Header("Vary") == "Accept-Encoding");
    CHECK(r.Header("X-Content-Type-Options") == "nosniff");
  }
  // The server holds no file the folder does not (besides the engine, checked below).
  for (const AppFile& f : AppFiles()) {
    INFO(f.name);
    CHECK((files.count(std::string(f.name)) == 1 || f.name == "q11core.js" ||
           f.name == "q11core.wasm"));
  }
  CHECK(s.Get("/app/manifest.webmanifest").Header("Content-Type") == "application/manifest+json");
  CHECK(s.Get("/app/sw.js").Header("Content-Type").starts_with("text/javascript"));
}

TEST_CASE("/app redirects to /app/, which is index.html", "[app]") {
  Served s;
  for (const char* method : {"GET", "HEAD"}) {
    INFO(method);
    Reply r = s.Ask(method, "/app");
    CHECK(r.status == 301);
    CHECK(r.Header("Location") == "/app/");
  }
  CHECK(s.Get("/app?from=home").Header("Location") == "/app/?from=home");
  Reply index = s.Get("/app/");
  CHECK(index.status == 200);
  CHECK(index.Header("Content-Type") == "text/html; charset=utf-8");
  CHECK(index.body == ReadFile(fs::path(Q11_APP_SOURCE_DIR) / "index.html"));
  CHECK(s.Get("/app/?v=2").body == index.body);  // a query string is not part of the name
  CHECK(s.Get("/app/index.html").body == index.body);
}

TEST_CASE("gzip when the request accepts it, the same bytes once decompressed", "[app]") {
  Served s;
  size_t compressed = 0;
  for (const AppFile& f : AppFiles()) {
    INFO(f.name);
    const std::string path = "/app/" + std::string(f.name);
    Reply plain = s.Get(path);
    Reply gz = s.Get(path, {{"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(plain.status == 200);
    REQUIRE(gz.status == 200);
    CHECK(gz.Header("Vary") == "Accept-Encoding");
    CHECK(gz.Header("Content-Type") == plain.Header("Content-Type"));
    if (gz.Header("Content-Encoding") == "gzip") {
      ++compressed;
      CHECK(gz.body.size() < plain.body.size());
      CHECK(Gunzip(gz.body) == plain.body);
      CHECK(gz.Header("ETag") != plain.Header("ETag"));  // two representations
    } else {
      CHECK(gz.body == plain.body);  // gzip would not have saved a byte
    }
  }
  // Text files of any size compress; the marker-bearing service worker certainly does.
  CHECK(compressed >= 1);
  CHECK(s.Get("/app/sw.js", {{"Accept-Encoding", "gzip"}}).Header("Content-Encoding") == "gzip");
  // Codings that exclude gzip get the identity bytes.
  for (const char* accept : {"br", "identity", "gzip;q=0", "gzip;q=0, *", "*;q=0", ""}) {
    INFO(accept);
    Reply r = s.Get("/app/sw.js", {{"Accept-Encoding", accept}});
    CHECK_FALSE(r.Has("Content-Encoding"));
    CHECK(r.body == s.Get("/app/sw.js").body);
  }
  CHECK(s.Get("/app/sw.js", {{"Accept-Encoding", "*"}}).Header("Content-Encoding") == "gzip");
  CHECK(s.Get("/app/sw.js", {{"Accept-Encoding", "GZIP;q=0.5"}}).Header("Content-Encoding") ==
        "gzip");
}

TEST_CASE("Accept-Encoding and If-None-Match parsing", "[app]") {
  CHECK(AcceptsGzip("gzip"));
  CHECK(AcceptsGzip("deflate, gzip;q=1.0, *;q=0.5"));
  CHECK(AcceptsGzip("x-gzip"));
  CHECK(AcceptsGzip(" * "));
  CHECK_FALSE(AcceptsGzip(""));
  CHECK_FALSE(AcceptsGzip("gzip;q=0"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0.0, *"));
  CHECK_FALSE(AcceptsGzip("gzipx, br"));
  CHECK(EtagMatches("\"abc\"", "\"abc\""));
  CHECK(EtagMatches("W/\"abc\"", "\"abc\""));
  CHECK(EtagMatches("\"x\", \"abc\"", "\"abc\""));
  CHECK(EtagMatches("*", "\"abc\""));
  CHECK_FALSE(EtagMatches("\"abcd\"", "\"abc\""));
  CHECK_FALSE(EtagMatches("abc", "\"abc\""));
  CHECK_FALSE(EtagMatches("", "\"abc\""));
}

TEST_CASE("ETag revalidation answers 304 without a body", "[app]") {
  Served s;
  for (const char* name : {"index.html", "sw.js", "manifest.webmanifest"}) {
    INFO(name);
    const std::string path = std::string("/app/") + name;
    for (const char* accept : {"", "gzip"}) {
      INFO(accept);
      Reply first = s.Get(path, {{"Accept-Encoding", accept}});
      const std::string etag = first.Header("ETag");
      REQUIRE(etag.size() > 2);
      CHECK(etag.front() == '"');
      CHECK(first.Header("Cache-Control") == "no-cache");
      Reply again = s.Get(path, {{"Accept-Encoding", accept}, {"If-None-Match", etag}});
      CHECK(again.status == 304);
      CHECK(again.body.empty());
      CHECK(again.Header("ETag") == etag);
      CHECK(s.Get(path, {{"Accept-Encoding", accept}, {"If-None-Match", "W/" + etag}}).status ==
            304);
      CHECK(s.Get(path, {{"Accept-Encoding", accept}, {"If-None-Match", "\"other\", " + etag}})
                .status == 304);
      Reply changed = s.Get(path, {{"Accept-Encoding", accept}, {"If-None-Match", "\"stale\""}});
      CHECK(changed.status == 200);
      CHECK(changed.body == first.body);
    }
  }
  // The tag is the content's hash: the same for every file with the same bytes, stable.
  CHECK(s.Get("/app/").Header("ETag") == s.Get("/app/index.html").Header("ETag"));
  CHECK(s.Get("/app/sw.js").Header("ETag") != s.Get("/app/index.html").Header("ETag"));
}

TEST_CASE("unknown names and traversal attempts are 404, never a file", "[app]") {
  Served s;
  for (const char* path :
       {"/app/nope.js", "/app/../x", "/app/../CMakeLists.txt", "/app/%2e%2e/",
        "/app/%2e%2e/CMakeLists.txt", "/app/..%2fCMakeLists.txt", "/app/%2E%2E%2FCMakeLists.txt",
        "/app/%2fetc%2fpasswd", "/app//etc/passwd", "/app/./index.html", "/app//index.html",
        "/app/index.html/", "/app/sw.js%00", "/app/index%2ehtml", "/app/INDEX.HTML", "/app/..",
        "/app/.", "/app/\\..\\CMakeLists.txt"}) {
    INFO(path);
    Reply r = s.Get(path);
    CheckJsonError(r, 404, "not_found");
    CHECK(r.Header("X-Content-Type-Options") == "nosniff");
  }
  // Paths next to /app are not the app.
  CHECK(s.Get("/application").status == 404);
  CHECK(s.Get("/apps/index.html").status == 404);
}

TEST_CASE("HEAD answers the headers of GET without the body", "[app]") {
  Served s;
  for (const char* path : {"/", "/home.css", "/app/", "/app/sw.js", "/app/manifest.webmanifest"}) {
    INFO(path);
    Reply get = s.Get(path);
    Reply head = s.Ask("HEAD", path);
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.Header("Content-Length") == std::to_string(get.body.size()));
    CHECK(head.Header("Content-Type") == get.Header("Content-Type"));
    CHECK(head.Header("ETag") == get.Header("ETag"));
  }
  Reply gz = s.Ask("HEAD", "/app/sw.js", {{"Accept-Encoding", "gzip"}});
  CHECK(gz.Header("Content-Encoding") == "gzip");
  CHECK(gz.body.empty());
  // Other methods are refused.
  for (const char* path : {"/", "/app", "/app/", "/app/sw.js"}) {
    INFO(path);
    CheckJsonError(s.Ask("POST", path), 405, "invalid_argument");
    CheckJsonError(s.Ask("DELETE", path), 405, "invalid_argument");
  }
}

TEST_CASE("sw.js carries the build's app version in place of the marker", "[app]") {
  Served s;
  const std::string version(AppVersion());
  REQUIRE(version.size() == 12);
  CHECK(version.find_first_not_of("0123456789abcdef") == std::string::npos);
  const std::string source = ReadFile(fs::path(Q11_APP_SOURCE_DIR) / "sw.js");
  REQUIRE(source.find("__Q11_APP_VERSION__") != std::string::npos);
  const std::string served = s.Get("/app/sw.js").body;
  CHECK(served.find("__Q11_APP_VERSION__") == std::string::npos);
  CHECK(served.find(version) != std::string::npos);
  CHECK(served == ReplaceAll(source, "__Q11_APP_VERSION__", version));
  CHECK(Gunzip(s.Get("/app/sw.js", {{"Accept-Encoding", "gzip"}}).body) == served);
}

TEST_CASE("the embed step: a new version for new content, the same bytes for the same", "[app]") {
  // syncserver/embed_app.cmake run by hand, as the build runs it, on a small app.
  TempDir dir;
  const fs::path app = fs::path(dir.path()) / "app";
  fs::create_directories(app / "icons");
  std::ofstream(app / "sw.js") << "const CACHE = 'q11-__Q11_APP_VERSION__';\n";
  std::ofstream(app / "index.html") << "<!DOCTYPE html><title>__Q11_APP_VERSION__</title>\n";
  std::ofstream(app / "icons" / "a.png", std::ios::binary) << std::string("\x89PNG\0\0\x01", 7);
  std::ofstream(app / ".hidden") << "never served\n";
  auto run = [&](const std::string& stage) {
    const std::string command = std::string("'") + CMAKE_COMMAND + "' -DSOURCE_DIR='" +
                                app.string() + "' -DHAS_ENGINE=0 -DSTAGE_DIR='" + dir.path() + "/" +
                                stage + "' -DGZIP='" + GZIP_COMMAND + "' -DOUTPUT='" + dir.path() +
                                "/" + stage + ".cc' -P '" + EMBED_APP_SCRIPT + "' > /dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    const std::string source = ReadFile(dir.path() + "/" + stage + ".cc");
    size_t at = source.find("AppVersion() { return \"");
    REQUIRE(at != std::string::npos);
    return std::make_pair(source.substr(at + 23, 12), source);
  };
  auto [v1, source1] = run("one");
  auto [again, source_again] = run("two");
  CHECK(v1 == again);  // deterministic
  CHECK(ReadFile(dir.path() + "/one/sw.js.gz") == ReadFile(dir.path() + "/two/sw.js.gz"));
  CHECK(ReadFile(dir.path() + "/one/sw.js") == "const CACHE = 'q11-" + v1 + "';\n");
  CHECK(ReadFile(dir.path() + "/one/index.html").find(v1) != std::string::npos);
  CHECK(ReadFile(dir.path() + "/one/icons/a.png") == std::string("\x89PNG\0\0\x01", 7));
  CHECK(Gunzip(ReadFile(dir.path() + "/one/icons/a.png.gz")) == std::string("\x89PNG\0\0\x01", 7));
  CHECK(source1.find("\"icons/a.png\"") != std::string::npos);
  CHECK(source1.find(".hidden") == std::string::npos);
  // Any file's change, not only the service worker's, gives a new version.
  std::ofstream(app / "icons" / "a.png", std::ios::binary) << std::string("\x89PNG\0\0\x02", 7);
  auto [v2, source2] = run("one");
  CHECK(v2 != v1);
  CHECK(ReadFile(dir.path() + "/one/sw.js") == "const CACHE = 'q11-" + v2 + "';\n");
  CHECK(source2 != source1);  // so the object (and ccache's entry) is rebuilt
}

TEST_CASE("the landing page links the app, the lookup, the dashboard and the console", "[app]") {
  Served s;
  Reply home = s.Get("/");
  REQUIRE(home.status == 200);
  CHECK(home.Header("Content-Type") == "text/html; charset=utf-8");
  CHECK(home.body.find("<html lang=\"vi\">") != std::string::npos);
  CHECK(home.body.find("name=\"viewport\"") != std::string::npos);
  CHECK(home.body.find("Quận 11 online / CĐĐH") != std::string::npos);
  CHECK(home.body.find("lang=\"en\"") != std::string::npos);  // English too
  for (const char* link : {"/app/", "/tra-cuu", "/monitor", "/admin"}) {
    INFO(link);
    CHECK(home.body.find(std::string("href=\"") + link + "\"") != std::string::npos);
    CHECK(s.Get(link).status == 200);  // and each one is there
  }
  // No external resource: nothing loads from another origin.
  CHECK(home.body.find("http://") == std::string::npos);
  CHECK(home.body.find("https://") == std::string::npos);
  CHECK(home.body.find("<script") == std::string::npos);
  Reply css = s.Get("/home.css");
  CHECK(css.status == 200);
  CHECK(css.Header("Content-Type") == "text/css; charset=utf-8");
  CHECK(css.body.find("url(") == std::string::npos);
  CHECK(s.Get("/?utm=x").body == home.body);
}

TEST_CASE("/app/ alone may run WebAssembly; the other pages keep their policies", "[app]") {
  Served s;
  for (const char* path : {"/app/", "/app/sw.js", "/app/nope"}) {
    INFO(path);
    Reply r = s.Get(path);
    CHECK(r.Header("Content-Security-Policy") == kAppPolicy);
    CHECK(r.Header("X-Frame-Options") == "DENY");
    CHECK(r.Header("Referrer-Policy") == "no-referrer");
  }
  for (const char* path : {"/", "/home.css", "/admin", "/monitor", "/tra-cuu"}) {
    INFO(path);
    Reply r = s.Get(path);
    CHECK_FALSE(r.Header("Content-Security-Policy").empty());
    CHECK(r.Header("Content-Security-Policy").find("wasm-unsafe-eval") == std::string::npos);
    CHECK(r.Header("Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
  }
}

TEST_CASE("the WebAssembly engine is served when built, a clear 503 when not", "[app]") {
  Served s;
  if (AppHasEngine()) {
    Reply wasm = s.Get("/app/q11core.wasm");
    CHECK(wasm.status == 200);
    CHECK(wasm.Header("Content-Type") == "application/wasm");
    CHECK(wasm.body.substr(0, 4) == std::string("\0asm", 4));
    Reply js = s.Get("/app/q11core.js");
    CHECK(js.status == 200);
    CHECK(js.Header("Content-Type").starts_with("text/javascript"));
    CHECK(js.body.find("createQ11Core") != std::string::npos);
    Reply gz = s.Get("/app/q11core.wasm", {{"Accept-Encoding", "gzip"}});
    CHECK(gz.Header("Content-Encoding") == "gzip");
    CHECK(Gunzip(gz.body) == wasm.body);
  } else {
    for (const char* path : {"/app/q11core.js", "/app/q11core.wasm"}) {
      INFO(path);
      Reply r = s.Get(path);
      CheckJsonError(r, 503, "unavailable");
      CHECK(r.body.find("without emscripten") != std::string::npos);
    }
  }
  // The page and the app's shell load either way.
  CHECK(s.Get("/").status == 200);
  CHECK(s.Get("/app/").status == 200);
  CHECK(s.Get("/app/sw.js").status == 200);
}
