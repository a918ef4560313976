// The production front (scripts/nginx/q11-syncserver.conf, docs/deploy.md) with Debian's
// nginx and real syncservers on loopback ports. The shipped file is run as an operator would
// install it, with only its ports, certificate paths and upstream list substituted and
// `nginx -t` first; nginx runs unprivileged (as `nobody` when the test runs as root, as CI
// does), with its files in the test's folder. The product's own client (the q11 command
// line, trusting the test's private CA) then registers, files a report with a photo, syncs,
// watches and downloads through it; stateless requests spread over two syncservers and go
// on when one stops; and behind the front the server limits and audits the real client,
// while an X-Forwarded-For sent straight to a server changes nothing.
//
// Exits 77 (skipped) when nginx is not installed, except under CI=... where that fails.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "child_process.h"
#include "cli_driver.h"
#include "noise_jpeg.h"
#include "test_backend.h"
#include "test_certificates.h"
#include "test_support.h"

using namespace q11;
using namespace q11::test;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------
// The syncservers behind the front: their command line comes from here only.

// Every upstream syncserver starts with these arguments besides its own --data and --port
// (ServerProcess adds those, and turns rate limits off unless `extra` sets them). nginx
// runs on the same machine, so it is the trusted proxy, as docs/deploy.md tells operators.
//
// On PostgreSQL (ctest's "deploy (postgres)" run, test_backend.h) the device flow runs
// across two servers on one database that share one data folder (keys, photos), each
// with a log of its own; on SQLite a data folder has one server.
std::vector<std::string> UpstreamArgs(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"--trusted-proxy=127.0.0.1,::1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}
// How many syncservers may serve one device's requests: only those sharing one database.
int StatefulUpstreams() { return PostgresBackend() ? 2 : 1; }

// ---------------------------------------------------------------------------------------
// nginx as a child process.

[[noreturn]] void SkipOrFail(const std::string& why) {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0' && std::string(ci) != "false") {
    std::fprintf(stderr, "FAIL: the nginx tests cannot be skipped in CI: %s\n", why.c_str());
    std::fflush(stderr);
    std::exit(1);
  }
  std::printf("SKIP: %s (run scripts/install-deps)\n", why.c_str());
  std::fflush(stdout);
  std::exit(77);
}

// $Q11_NGINX or Debian's /usr/sbin/nginx; skips (or fails in CI) when neither is there.
std::string NginxBin() {
  const char* env = std::getenv("Q11_NGINX");
  const std::string bin = env != nullptr && *env != '\0' ? env : "/usr/sbin/nginx";
  if (access(bin.c_str(), X_OK) != 0) SkipOrFail(bin + " is not installed (Debian package nginx)");
  return bin;
}

// Who nginx runs as: the test's own user, or `nobody` when that is root.
std::optional<std::pair<uid_t, gid_t>> Unprivileged() {
  if (geteuid() != 0) return std::nullopt;
  const passwd* pw = getpwnam("nobody");
  if (pw == nullptr) SkipOrFail("running as root and there is no `nobody` user to run nginx as");
  return std::make_pair(pw->pw_uid, pw->pw_gid);
}

// Starts argv with stdout and stderr appended to `log`, as `user` when given; the child
// is killed when the test process dies.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log,
            const std::optional<std::pair<uid_t, gid_t>>& user) {
  Result<pid_t> pid = SpawnLogged(args, log, user, SIGKILL, 0644);
  INFO(pid.status().ToString());
  REQUIRE(pid.ok());
  return *pid;
}

int FreePort() {
  Result<int> port = FreeLoopbackPort();
  INFO(port.status().ToString());
  REQUIRE(port.ok());
  return *port;
}

bool Accepting(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

std::string ShippedConfig() { return ReadFileText(Q11_NGINX_CONF); }

// What the test changes in the shipped file, line by line: each rule must match at least
// once (a shipped file that no longer has such a line fails the test, naming the rule).
struct Substitution {
  std::regex line;
  std::string replacement;  // std::regex_replace format; "" deletes the line
};

std::string Substitute(const std::string& text, const std::vector<Substitution>& rules) {
  std::vector<int> hits(rules.size(), 0);
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    bool deleted = false;
    for (size_t i = 0; i < rules.size(); ++i) {
      if (!std::regex_match(line, rules[i].line)) continue;
      ++hits[i];
      if (rules[i].replacement.empty()) {
        deleted = true;
      } else {
        line = std::regex_replace(line, rules[i].line, rules[i].replacement);
      }
      break;
    }
    if (!deleted) out += line + "\n";
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    INFO("rule " << i << " (replacement '" << rules[i].replacement
                 << "') matches no line of scripts/nginx/q11-syncserver.conf");
    CHECK(hits[i] > 0);
  }
  return out;
}

class Nginx {
 public:
  // Prepares DIR (created, owned by the user nginx runs as) with a copy of the certificate
  // and nginx.conf: the shipped file inside an http { } block like Debian's, listening on
  // free loopback ports, proxying to `upstream_ports`.
  Nginx(const std::string& dir, const CertFiles& cert, const std::vector<int>& upstream_ports)
      : dir_(dir), bin_(NginxBin()), user_(Unprivileged()) {
    fs::create_directories(dir_ + "/tmp");
    fs::copy_file(cert.cert, dir_ + "/cert.pem");
    fs::copy_file(cert.key, dir_ + "/key.pem");
    if (user_) {
      for (const auto& e : fs::recursive_directory_iterator(dir_))
        REQUIRE(chown(e.path().c_str(), user_->first, user_->second) == 0);
      REQUIRE(chown(dir_.c_str(), user_->first, user_->second) == 0);
    }
    https_port_ = FreePort();
    http_port_ = FreePort();
    // Upstream servers: the first shipped line's parameters for each of ours, in its place.
    std::string servers;
    for (int port : upstream_ports)
      servers += "$1server 127.0.0.1:" + std::to_string(port) + "$2;\n";
    servers.pop_back();
    const std::string shipped = Substitute(
        ShippedConfig(), {
                             {std::regex(R"((\s*)listen 443 ssl http2;)"),
                              "$1listen 127.0.0.1:" + std::to_string(https_port_) + " ssl http2;"},
                             {std::regex(R"(\s*listen \[::\]:443 ssl http2;)"), ""},
                             {std::regex(R"((\s*)listen 80;)"),
                              "$1listen 127.0.0.1:" + std::to_string(http_port_) + ";"},
                             {std::regex(R"(\s*listen \[::\]:80;)"), ""},
                             {std::regex(R"((\s*)ssl_certificate /\S+;)"),
                              "$1ssl_certificate " + dir_ + "/cert.pem;"},
                             {std::regex(R"((\s*)ssl_certificate_key /\S+;)"),
                              "$1ssl_certificate_key " + dir_ + "/key.pem;"},
                             // The first upstream line becomes ours, the others go.
                             {std::regex(R"((\s*)server 127\.0\.0\.1:8081( [^;]*)?;)"), servers},
                             {std::regex(R"(\s*server 127\.0\.0\.1:80[0-9][0-9]( [^;]*)?;)"), ""},
                         });
    std::ofstream(dir_ + "/nginx.conf")
        << "# Made by tests/deploy/nginx_test.cc from scripts/nginx/q11-syncserver.conf.\n"
        << "daemon off;\n"
        << "worker_processes 2;\n"
        << "pid " << dir_ << "/nginx.pid;\n"
        << "error_log " << dir_ << "/error.log info;\n"
        << "events { worker_connections 256; }\n"
        << "http {\n"
        // As Debian's /etc/nginx/nginx.conf has them: the shipped file must hold its own
        // against these (older TLS versions, gzip on).
        << "  sendfile on;\n  tcp_nopush on;\n  types_hash_max_size 2048;\n"
        << "  default_type application/octet-stream;\n"
        << "  ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n  ssl_prefer_server_ciphers on;\n"
        << "  gzip on;\n"
        << "  log_format upstream '$remote_addr \"$request\" $status upstream=$upstream_addr';\n"
        << "  access_log " << dir_ << "/access.log upstream;\n"
        << "  client_body_temp_path " << dir_ << "/tmp/client_body;\n"
        << "  proxy_temp_path " << dir_ << "/tmp/proxy;\n"
        << "  fastcgi_temp_path " << dir_ << "/tmp/fastcgi;\n"
        << "  uwsgi_temp_path " << dir_ << "/tmp/uwsgi;\n"
        << "  scgi_temp_path " << dir_ << "/tmp/scgi;\n"
        << shipped << "}\n";
  }
  ~Nginx() { Stop(); }
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  // `nginx -t`, then nginx in the foreground until it accepts on its HTTPS port (≤ 10 s).
  // REQUIREs both; the failure shows nginx's own words.
  void Start() {
    const std::string log = dir_ + "/nginx.out";
    const std::vector<std::string> base = {
        bin_, "-p", dir_ + "/", "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"};
    std::vector<std::string> test = base;
    test.push_back("-t");
    int status = 0;
    REQUIRE(waitpid(Spawn(test, log, user_), &status, 0) > 0);
    INFO("nginx -t: " << ReadFileText(log) << "\nnginx.conf:\n"
                      << ReadFileText(dir_ + "/nginx.conf"));
    REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    pid_ = Spawn(base, log, user_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!Accepting(https_port_)) {
      INFO("nginx: " << ReadFileText(log) << ReadFileText(dir_ + "/error.log"));
      REQUIRE(waitpid(pid_, &status, WNOHANG) == 0);
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Never root: the master itself runs as the unprivileged user.
    std::ifstream proc("/proc/" + std::to_string(pid_) + "/status");
    std::string uid_line;
    while (std::getline(proc, uid_line) && uid_line.rfind("Uid:", 0) != 0) {
    }
    CHECK(std::atoi(uid_line.c_str() + 4) != 0);
  }

  // SIGQUIT: nginx finishes the requests in flight, then exits.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGQUIT);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  int https_port() const { return https_port_; }
  int http_port() const { return http_port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(https_port_); }
  std::string access_log() const { return ReadFileText(dir_ + "/access.log"); }

 private:
  std::string dir_, bin_;
  std::optional<std::pair<uid_t, gid_t>> user_;
  int https_port_ = 0, http_port_ = 0;
  pid_t pid_ = -1;
};

// ---------------------------------------------------------------------------------------
// Plain requests, from a chosen loopback source address (127.0.0.0/8 is all this machine's):
// how the test plays clients other than 127.0.0.1.

struct Answer {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse head;
  size_t Count(const std::string& header) const {
    size_t n = 0;
    for (const auto& [name, value] : head) n += Poco::icompare(name, header) == 0;
    return n;
  }
};

struct Request {
  std::string method = "GET";
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent as JSON when not empty
  std::string source = "127.0.0.1";
};

Poco::Net::StreamSocket ConnectFrom(const std::string& source, int port) {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress::IPv4);
  s.impl()->bind(Poco::Net::SocketAddress(source, 0));
  s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<uint16_t>(port)));
  return s;
}

// One request on its own connection ("Connection: close": the answer ends with it).
Answer Exchange(const Poco::Net::StreamSocket& socket, int port, const Request& r) {
  Poco::Net::SocketStream io(socket);
  Poco::Net::HTTPRequest req(r.method, r.path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.setHost("127.0.0.1", static_cast<uint16_t>(port));
  req.set("Connection", "close");
  for (const auto& [name, value] : r.headers) req.add(name, value);
  if (!r.body.empty()) {
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(r.body.size()));
  }
  req.write(io);
  io << r.body;
  io.flush();
  Answer a;
  a.head.read(io);
  a.status = a.head.getStatus();
  Poco::StreamCopier::copyToString(io, a.body);
  return a;
}

// Over HTTPS through nginx, trusting only `ca_file`.
Answer Https(int port, const std::string& ca_file, const Request& r) {
  Poco::Net::Context::Ptr tls = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "",
                                                       ca_file, Poco::Net::Context::VERIFY_STRICT);
  return Exchange(
      Poco::Net::SecureStreamSocket::attach(ConnectFrom(r.source, port), "127.0.0.1", tls), port,
      r);
}

// Plain HTTP: straight to a syncserver, or nginx's port 80.
Answer Plain(int port, const Request& r) { return Exchange(ConnectFrom(r.source, port), port, r); }

// ---------------------------------------------------------------------------------------

// Lines of `server`'s request log ("GET /healthz 200 0.1ms") that match `pattern`.
int LogLines(const ServerProcess& server, const std::string& pattern) {
  const std::regex re(pattern);
  std::ifstream in(server.log_file());
  int n = 0;
  for (std::string line; std::getline(in, line);) n += std::regex_search(line, re);
  return n;
}

// A JPEG of noise, `width` × `height` (noise compresses badly: a few hundred KiB make
// several 256 KiB upload chunks).
std::string JpegFile(const std::string& path, int width, int height) {
  return NoiseJpegFile(path, width, height, 95);
}

// The test's folder, its CA and a certificate for 127.0.0.1, syncservers, and nginx in
// front of some of them.
struct Front {
  Front() {
    // nginx may run as `nobody`: it must be able to pass through the test's folder (and
    // through $TMPDIR above it, which /tmp allows).
    REQUIRE(chmod(tmp.path().c_str(), 0711) == 0);
    INFO(ca.error());
    REQUIRE(ca.ok());
    cert = ca.Issue("q11-front", "DNS:localhost,IP:127.0.0.1");
    REQUIRE(ca.ok());
  }

  ServerProcess& AddServer() {
    const std::string n = std::to_string(servers.size());
    servers.push_back(std::make_unique<ServerProcess>(tmp.File("server" + n)));
    return *servers.back();
  }
  // One more server on the data folder (and database) of servers[0].
  ServerProcess& AddPeer() {
    const std::string n = std::to_string(servers.size());
    servers.push_back(
        std::make_unique<ServerProcess>(servers[0]->data_dir(), tmp.File("server" + n + ".log")));
    return *servers.back();
  }
  void StartServer(ServerProcess& s, const std::vector<std::string>& extra = {}) {
    INFO(s.error());
    REQUIRE(s.Start(UpstreamArgs(extra)));
  }
  // nginx in front of servers [0, n).
  void StartNginx(size_t n) {
    std::vector<int> ports;
    for (size_t i = 0; i < n; ++i) ports.push_back(servers[i]->port());
    nginx = std::make_unique<Nginx>(tmp.File("nginx"), cert, ports);
    nginx->Start();
  }
  // Devices waiting for changes over all servers.
  int Waiting() const {
    int n = 0;
    for (const auto& s : servers) n += s->running() ? std::max(0, s->Waiting()) : 0;
    return n;
  }

  Answer Get(const std::string& path, std::vector<std::pair<std::string, std::string>> headers = {},
             const std::string& source = "127.0.0.1") {
    return Https(nginx->https_port(), ca.files().cert, Request{"GET", path, headers, "", source});
  }

  Cli Device(const std::string& name) const { return Cli{tmp.File(name + ".db")}; }

  TempDir tmp;
  TestCa ca{tmp.path(), "Q11 Test CA"};
  CertFiles cert;
  std::vector<std::unique_ptr<ServerProcess>> servers;
  std::unique_ptr<Nginx> nginx;
};

}  // namespace

TEST_CASE("nginx: the shipped front spreads requests over two syncservers and outlives one") {
  Front f;
  for (int i = 0; i < 2; ++i) f.StartServer(f.AddServer());
  f.StartNginx(2);

  // Stateless requests go to both servers.
  const int before0 = LogLines(*f.servers[0], "^GET /healthz 200 ");
  const int before1 = LogLines(*f.servers[1], "^GET /healthz 200 ");
  for (int i = 0; i < 20; ++i) {
    Answer a = f.Get("/healthz");
    REQUIRE(a.status == 200);
    CHECK_THAT(a.body, Contains("\"status\":\"ok\""));
  }
  const int on0 = LogLines(*f.servers[0], "^GET /healthz 200 ") - before0;
  const int on1 = LogLines(*f.servers[1], "^GET /healthz 200 ") - before1;
  INFO(f.nginx->access_log());
  CHECK(on0 + on1 == 20);
  CHECK(on0 >= 5);
  CHECK(on1 >= 5);

  // The app's files: the server's gzip and ETag pass through; its security headers come
  // once each, and HSTS from nginx once.
  Answer app = f.Get("/app/", {{"Accept-Encoding", "gzip"}});
  REQUIRE(app.status == 200);
  CHECK(app.head.get("Content-Encoding", "") == "gzip");
  CHECK(app.Count("Content-Encoding") == 1);
  const std::string etag = app.head.get("ETag", "");
  CHECK_THAT(etag, Catch::EndsWith("-gzip\""));
  for (const char* header : {"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                             "Referrer-Policy", "Strict-Transport-Security"}) {
    INFO(header);
    CHECK(app.Count(header) == 1);
  }
  CHECK(app.head.get("Strict-Transport-Security", "") == "max-age=63072000");
  CHECK(f.Get("/app/", {{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}}).status == 304);
  Answer plain_app = f.Get("/app/");
  CHECK(plain_app.status == 200);
  CHECK(plain_app.Count("Content-Encoding") == 0);
  CHECK(plain_app.body.size() > app.body.size());

  // Plain HTTP is only a redirect to HTTPS.
  Answer redirect = Plain(f.nginx->http_port(), Request{"GET", "/app/?x=1", {}, "", "127.0.0.1"});
  CHECK(redirect.status == 301);
  CHECK(redirect.head.get("Location", "") == "https://127.0.0.1/app/?x=1");

  // One server stops: every request is still answered, by the other.
  f.servers[1]->Stop();
  const int still0 = LogLines(*f.servers[0], "^GET /healthz 200 ");
  for (int i = 0; i < 10; ++i) CHECK(f.Get("/healthz").status == 200);
  CHECK(LogLines(*f.servers[0], "^GET /healthz 200 ") - still0 == 10);
}

TEST_CASE("nginx: a phone registers, reports with a photo, syncs, watches and downloads") {
  Front f;
  for (int i = 0; i < StatefulUpstreams(); ++i) {
    ServerProcess& s = i == 0 ? f.AddServer() : f.AddPeer();
    if (i == 0) REQUIRE(s.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    // One connection per address: the watch's long poll and the syncs beside it all come
    // from nginx, which as a trusted proxy is not held to it.
    f.StartServer(s, {"--max-connections-per-address=1"});
  }
  f.StartNginx(StatefulUpstreams());
  const std::string server = "--server=" + f.nginx->url();
  const std::string ca = "--ca=" + f.ca.files().cert;
  Cli lan = f.Device("lan"), official = f.Device("p04");

  CommandResult joined =
      lan({"register", server, "--name=lan.nguyen", "--password=mat-khau-lan", ca});
  INFO(joined.err);
  REQUIRE(joined.exit_code == 0);
  // Over 256 KiB: the upload takes several PATCH chunks through nginx.
  const std::string photo = JpegFile(f.tmp.File("ngap.jpg"), 1024, 768);
  const auto photo_bytes = fs::file_size(photo);
  REQUIRE(photo_bytes > 2 * 256 * 1024);
  CommandResult filed =
      lan({"report", "new", "--category=ngap-nuoc", "--ward=p04",
           "--title=Ngập nước đường Lạc Long Quân", "--description=Ngập sâu", "--photo=" + photo});
  INFO(filed.err);
  REQUIRE(filed.exit_code == 0);
  const std::string id = LastLine(filed.out);
  CommandResult sent = lan({"sync"});
  INFO(sent.err);
  REQUIRE(sent.exit_code == 0);
  CHECK_THAT(sent.out, Contains("sent 2 (applied 2"));
  CHECK_THAT(sent.out, Contains("Ảnh / photos: sent 1"));
  int chunks = 0;
  for (const auto& s : f.servers)
    chunks += LogLines(*s, "^PATCH /v1/photos/[0-9a-f]+\\?offset=[0-9]+ 200 ");
  CHECK(chunks >= 3);

  // The official logs in through the front, sees the report and downloads the photo.
  CommandResult in = official({"login", server, "--name=canbo.p04", "--password=mat-khau-p04", ca});
  INFO(in.err);
  REQUIRE(in.exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  auto reports = ParseArray(official({"report", "list", "--json"}).out);
  REQUIRE(reports->size() == 1);
  CHECK(reports->getObject(0)->getValue<std::string>("id") == id);
  auto photos = ParseArray(official({"photo", "list", id, "--json"}).out);
  REQUIRE(photos->size() == 1);
  CommandResult got = official({"photo", "get", photos->getObject(0)->getValue<std::string>("id"),
                                "--out=" + f.tmp.File("full.jpg")});
  INFO(got.err);
  REQUIRE(got.exit_code == 0);
  CHECK(ReadFileText(f.tmp.File("full.jpg")).substr(0, 2) == "\xFF\xD8");

  // A Range request passes through as the server answers it.
  const std::string sha = photos->getObject(0)->getValue<std::string>("sha256");
  Answer login =
      Https(f.nginx->https_port(), f.ca.files().cert,
            Request{"POST", "/v1/login", {}, R"({"name":"canbo.p04","password":"mat-khau-p04"})"});
  REQUIRE(login.status == 200);
  const std::string token = ParseObject(login.body)->getValue<std::string>("token");
  Answer part =
      f.Get("/v1/photos/" + sha, {{"Authorization", "Bearer " + token}, {"Range", "bytes=0-99"}});
  CHECK(part.status == 206);
  CHECK(part.body.size() == 100);
  CHECK_THAT(part.head.get("Content-Range", ""), Catch::StartsWith("bytes 0-99/"));
  CHECK(part.body.substr(0, 2) == "\xFF\xD8");

  // The official watches through the front (a long poll that nginx must neither buffer nor
  // cut); a report synced through the front wakes it.
  CommandResult watched;
  std::thread watcher([&] { watched = official({"watch", "--once", "--timeout=30", "--json"}); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (f.Waiting() < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(f.Waiting() == 1);
  CommandResult second = lan({"report", "new", "--category=ngap-nuoc", "--ward=p04",
                              "--title=Ngập nước lần nữa", "--description=Lại ngập"});
  REQUIRE(second.exit_code == 0);
  REQUIRE(lan({"sync"}).exit_code == 0);
  watcher.join();
  INFO(watched.err);
  CHECK(watched.exit_code == 0);
  CHECK_THAT(watched.out, Contains(LastLine(second.out)));
  // Every server of the group served this phone's API calls (on PostgreSQL: two).
  for (const auto& s : f.servers) {
    INFO(s->log_file());
    CHECK(LogLines(*s, "^(POST|GET|PATCH|HEAD) /v1/") > 0);
  }
}

TEST_CASE("nginx: the long poll outlasts its 60 s cap at nginx, bodies fit the server's caps") {
  // What cannot be waited out in a test is read from the shipped file: nginx must wait
  // longer than the server's longest wait, and take the server's largest body.
  const std::string conf = ShippedConfig();
  std::smatch m;
  REQUIRE(std::regex_search(
      conf, m, std::regex(R"(location = /v1/changes/wait \{[^}]*proxy_read_timeout ([0-9]+)s;)")));
  CHECK(std::stoi(m[1]) > 60);
  REQUIRE(std::regex_search(
      conf, m, std::regex(R"(location = /v1/changes/wait \{[^}]*proxy_buffering off;)")));
  REQUIRE(std::regex_search(conf, m, std::regex(R"(\n\s*client_max_body_size ([0-9]+)m;)")));
  CHECK(std::stoi(m[1]) == 32);  // syncserver --max-body-bytes default, 32 MiB
  // POST and PATCH are never resent to another server once sent (see the file's reasons).
  CHECK_FALSE(
      std::regex_search(conf, std::regex(R"(\n\s*proxy_next_upstream [^;]*non_idempotent)")));
}

TEST_CASE("nginx: behind the front the server limits and audits the real client, not forgeries") {
  Front f;
  ServerProcess& s = f.AddServer();
  f.StartServer(s, {"--login-per-minute=2"});
  f.StartNginx(1);
  auto login = [](const std::string& name) {
    return R"({"name":")" + name + R"(","password":"sai-mat-khau"})";
  };
  auto via_front = [&](const std::string& source, const std::string& name,
                       const std::string& forwarded = "") {
    Request r{"POST", "/v1/login", {}, login(name), source};
    if (!forwarded.empty()) r.headers.push_back({"X-Forwarded-For", forwarded});
    return Https(f.nginx->https_port(), f.ca.files().cert, r).status;
  };
  auto direct = [&](const std::string& source, const std::string& name,
                    const std::string& forwarded) {
    return Plain(
               s.port(),
               Request{"POST", "/v1/login", {{"X-Forwarded-For", forwarded}}, login(name), source})
        .status;
  };

  // One client behind the front (127.0.0.3) spends its 2 logins a minute...
  CHECK(via_front("127.0.0.3", "an") == 401);
  CHECK(via_front("127.0.0.3", "binh") == 401);
  CHECK(via_front("127.0.0.3", "chi") == 429);
  // ...which holds neither another client of the same front (all come from nginx's
  // address) nor lets that one borrow a budget by naming someone else first.
  CHECK(via_front("127.0.0.4", "dung", "198.51.100.7") == 401);
  CHECK(via_front("127.0.0.4", "em", "127.0.0.9") == 401);
  CHECK(via_front("127.0.0.4", "giang", "127.0.0.10") == 429);
  // A client talking to the server directly is not a trusted proxy: its X-Forwarded-For
  // is ignored, whatever it claims.
  CHECK(direct("127.0.0.5", "hoa", "203.0.113.1") == 401);
  CHECK(direct("127.0.0.5", "khanh", "203.0.113.2") == 401);
  CHECK(direct("127.0.0.5", "linh", "203.0.113.3") == 429);

  // The audit trail names the real clients: never nginx's own address, nor a forged one.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((s.data_dir() + "/syncserver.db").c_str(), &db, SQLITE_OPEN_READONLY,
                          nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT json_extract(details, '$.address') FROM audit_log "
                             "WHERE action = 'login.failed' ORDER BY id",
                             -1, &st, nullptr) == SQLITE_OK);
  std::vector<std::string> addresses;
  while (sqlite3_step(st) == SQLITE_ROW)
    addresses.push_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  CHECK(addresses == std::vector<std::string>{"127.0.0.3", "127.0.0.3", "127.0.0.4", "127.0.0.4",
                                              "127.0.0.5", "127.0.0.5"});
}
