// Denial of service over real sockets (in-process server on a loopback port): clients
// dribbling their headers (slowloris) must not keep others out, connections over the
// per-address limit are refused at once, requests that do not arrive by the deadline are
// cut. Other client addresses are other loopback addresses (127.0.0.0/8 is all local on
// Linux): a socket binds its source address before connecting.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "auth/accounts.h"
#include "q11sqlite/sqlite.h"
#include "server_test_support.h"
#include "syncserver/server.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;
using Clock = std::chrono::steady_clock;

namespace {

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A TCP connection to 127.0.0.1:port from `from` (another loopback address).
int ConnectFrom(const std::string& from, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  REQUIRE(::inet_pton(AF_INET, from.c_str(), &src.sin_addr) == 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0);
  return fd;
}

void SendAll(int fd, const std::string& s) {
  REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
}

// What the server sends until it closes the connection or `timeout_ms` pass. `closed`:
// whether it closed (end of stream or reset).
std::string ReadUntilClosed(int fd, int timeout_ms, bool* closed = nullptr) {
  std::string out;
  auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
  if (closed) *closed = false;
  while (Clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count());
    if (::poll(&p, 1, std::max(1, left)) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// One whole request from `from`; the answer's status line (empty when none came).
std::string Get(const std::string& from, uint16_t port, const std::string& path,
                int timeout_ms = 5000) {
  int fd = ConnectFrom(from, port);
  SendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  std::string answer = ReadUntilClosed(fd, timeout_ms);
  ::close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

struct Answer {
  int status = 0;
  std::string head, body;
};

// POST `json` to `path` from `from`, reading the whole answer.
Answer Post(const std::string& from, uint16_t port, const std::string& path,
            const std::string& json, const std::string& token = "") {
  int fd = ConnectFrom(from, port);
  std::string req = "POST " + path +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    "Content-Type: application/json\r\nContent-Length: " +
                    std::to_string(json.size()) + "\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  SendAll(fd, req + "\r\n" + json);
  std::string all = ReadUntilClosed(fd, 10000);
  ::close(fd);
  Answer a;
  size_t split = all.find("\r\n\r\n");
  a.head = all.substr(0, split);
  if (split != std::string::npos) a.body = all.substr(split + 4);
  if (all.size() > 12) a.status = std::atoi(all.substr(9, 3).c_str());
  return a;
}

// The value of a string field in a flat JSON answer (enough for tokens).
std::string JsonField(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\":\"");
  if (at == std::string::npos) return "";
  at += key.size() + 4;
  return json.substr(at, json.find('"', at) - at);
}

struct Running {
  explicit Running(int deadline_s, int per_address, int threads = 4, int login_per_minute = 0,
                   int refusal_audit_seconds = 60) {
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions o;
    o.data_dir = dir.path() + "/data";
    o.port = 0;
    o.log_requests = false;
    o.threads = threads;
    o.request_deadline_seconds = deadline_s;
    o.max_connections_per_address = per_address;
    o.login_per_minute = login_per_minute;
    o.refusal_audit_seconds = refusal_audit_seconds;
    o.register_per_hour = 0;
    o.sync_per_minute = 0;
    auto s = Server::Start(o);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    server = std::move(*s);
  }
  uint16_t port() const { return server->port(); }
  // Polls (bounded) until the server holds `n` or fewer connections.
  bool WaitForOpen(size_t n, double seconds) {
    auto start = Clock::now();
    while (SecondsSince(start) < seconds) {
      if (server->open_connections() <= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // "subject reason count" of the aggregated refusal rows.
  std::vector<std::string> Refusals() {
    auto db = sql::Db::Open(dir.path() + "/data/syncserver.db", false);
    REQUIRE(db.ok());
    auto st = db->Prepare(
        "SELECT subject || ' ' || json_extract(details, '$.reason') || ' ' || "
        "json_extract(details, '$.count') FROM audit_log WHERE action = 'http.refused' "
        "ORDER BY 1");
    REQUIRE(st.ok());
    std::vector<std::string> out;
    while (*st->Step()) out.push_back(st->Text(0));
    return out;
  }

  TempDir dir;
  std::unique_ptr<Server> server;
};

}  // namespace

TEST_CASE(
    "DoS: forty clients dribbling header bytes keep no one out, and are cut at the deadline") {
  constexpr int kDeadline = 3;
  Running srv(kDeadline, /*per_address=*/4, /*threads=*/4);
  // Forty slow clients from forty addresses (so the per-address limit plays no part), ten
  // times the server's worker threads, each sending one header byte per second.
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  std::vector<int> slow;
  for (int i = 0; i < 40; ++i)
    slow.push_back(ConnectFrom("127.0.1." + std::to_string(i + 1), srv.port()));
  auto started = Clock::now();
  std::atomic<bool> done{false};
  std::atomic<int> rounds{0};  // bytes every slow client has sent so far
  std::thread dribbler([&] {
    for (size_t byte = 0; !done; ++byte) {
      for (int fd : slow)
        (void)::send(fd, &head[byte % head.size()], 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      ++rounds;
      for (int i = 0; i < 10 && !done; ++i)  // one byte per second, stoppable (the pace)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // Meanwhile a normal client is answered at once, again and again: once every slow client
  // has begun its head (the dribbler's own count, not a guess at how long that takes).
  for (auto until = Clock::now() + std::chrono::seconds(5); rounds == 0 && Clock::now() < until;)
    std::this_thread::yield();
  CHECK(rounds > 0);  // CHECK: the dribbler must still be joined below
  for (int i = 0; i < 5; ++i) {
    auto t = Clock::now();
    CHECK(Get("127.0.0.1", srv.port(), "/healthz") == "HTTP/1.1 200 OK");
    CHECK(SecondsSince(t) < 1.0);
  }
  CHECK(SecondsSince(started) < kDeadline);  // all of that while every slow client held on
  // Each slow client is answered 408 and closed once the deadline passes.
  int cut = 0;
  for (int fd : slow) {
    bool closed = false;
    std::string answer = ReadUntilClosed(fd, (kDeadline + 3) * 1000, &closed);
    if (closed) ++cut;
    CHECK(answer.rfind("HTTP/1.1 408", 0) == 0);
  }
  double cut_after = SecondsSince(started);
  done = true;
  dribbler.join();
  for (int fd : slow) ::close(fd);
  CHECK(cut == 40);
  CHECK(cut_after >= kDeadline - 0.5);
  CHECK(cut_after < kDeadline + 2.5);
  CHECK(srv.WaitForOpen(0, 3.0));
}

TEST_CASE("DoS: a connection over the per-address limit is refused at once - others are served") {
  Running srv(/*deadline_s=*/30, /*per_address=*/3);
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(ConnectFrom("127.0.0.3", srv.port()));
  REQUIRE(srv.WaitForOpen(3, 1.0));
  auto t = Clock::now();
  int over = ConnectFrom("127.0.0.3", srv.port());
  bool closed = false;
  std::string answer = ReadUntilClosed(over, 3000, &closed);
  ::close(over);
  CHECK(closed);
  CHECK(SecondsSince(t) < 1.0);
  CHECK(answer.rfind("HTTP/1.1 429", 0) == 0);
  CHECK(answer.find("Retry-After: 5") != std::string::npos);
  CHECK(answer.find("too many connections") != std::string::npos);
  // Another address is not affected.
  CHECK(Get("127.0.0.4", srv.port(), "/healthz") == "HTTP/1.1 200 OK");
  // A slot comes back when one of the three goes.
  ::close(held.back());
  held.pop_back();
  REQUIRE(srv.WaitForOpen(2, 3.0));
  CHECK(Get("127.0.0.3", srv.port(), "/healthz") == "HTTP/1.1 200 OK");
  for (int fd : held) ::close(fd);
}

TEST_CASE("DoS: a request body dribbled past the deadline is cut - its worker is free again") {
  constexpr int kDeadline = 2;
  Running srv(kDeadline, /*per_address=*/0, /*threads=*/2);
  int fd = ConnectFrom("127.0.0.5", srv.port());
  auto started = Clock::now();
  SendAll(fd,
          "POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          "Content-Length: 100\r\n\r\n{");
  std::atomic<bool> done{false};
  std::thread dribbler([&] {
    while (!done) {
      if (::send(fd, " ", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) break;
      for (int i = 0; i < 5 && !done; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  bool closed = false;
  ReadUntilClosed(fd, (kDeadline + 4) * 1000, &closed);
  double cut_after = SecondsSince(started);
  done = true;
  dribbler.join();
  ::close(fd);
  CHECK(closed);
  CHECK(cut_after >= kDeadline - 0.5);
  CHECK(cut_after < kDeadline + 2.0);
  CHECK(Get("127.0.0.5", srv.port(), "/healthz") == "HTTP/1.1 200 OK");
}

TEST_CASE("DoS: keep-alive requests each get the full deadline") {
  constexpr int kDeadline = 2;
  Running srv(kDeadline, /*per_address=*/0);
  int fd = ConnectFrom("127.0.0.6", srv.port());
  // Three requests on one connection, 0.8 s apart: 2.4 s in all, more than one deadline.
  for (int i = 0; i < 3; ++i) {
    SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string got;
    auto t = Clock::now();
    while (got.find("\r\n\r\n") == std::string::npos && SecondsSince(t) < 2.0) {
      char buf[4096];
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    CHECK(got.rfind("HTTP/1.1 200 OK", 0) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(800));  // the client's own pace
  }
  ::close(fd);
}

TEST_CASE("Login: guessing a name's password from other addresses does not lock its owner out") {
  Running srv(/*deadline_s=*/30, /*per_address=*/0, /*threads=*/4, /*login_per_minute=*/3);
  Result<Account> owner = CreateAccount(
      srv.server->store(), NewAccount{"chi.hoa", "chi-hoa-2026", Role::kCitizen, ""}, kNowMs, 1000);
  REQUIRE(owner.ok());
  // The owner's phone has synced before: it is bound to the account.
  REQUIRE(srv.server->store().BindDevice("dev-chi-hoa-phone", *owner).ok());
  auto login = [&](const std::string& from, const std::string& password,
                   const std::string& device = "") {
    std::string json = R"({"name":"chi.hoa","password":")" + password + R"(")";
    if (!device.empty()) json += R"(,"device_id":")" + device + R"(")";
    return Post(from, srv.port(), "/v1/login", json + "}");
  };
  // One address guessing: its own limit stops it (3 a minute).
  for (int i = 0; i < 3; ++i) CHECK(login("127.0.0.20", "doan-" + std::to_string(i)).status == 401);
  CHECK(login("127.0.0.20", "doan-x").status == 429);
  // Many addresses guessing: together they pass the name's limit (30 a minute).
  int refused = 0;
  for (int a = 1; a <= 12; ++a)
    for (int i = 0; i < 3; ++i)
      refused += login("127.0.2." + std::to_string(a), "doan-" + std::to_string(i)).status == 429;
  CHECK(refused >= 6);
  CHECK(login("127.0.2.13", "doan").status == 429);  // the name is being throttled now
  // The owner, from their known phone, still gets in: from home and from another network.
  Answer in = login("127.0.0.1", "chi-hoa-2026", "dev-chi-hoa-phone");
  CHECK(in.status == 200);
  CHECK(login("127.0.0.21", "chi-hoa-2026", "dev-chi-hoa-phone").status == 200);
  // A device the account never used does not count, nor does another account's device.
  CHECK(login("127.0.0.22", "chi-hoa-2026", "dev-unknown").status == 429);
  // Refreshing a session is never throttled by password guessing.
  std::string refresh = JsonField(in.body, "refresh_token");
  REQUIRE(!refresh.empty());
  Answer renewed =
      Post("127.0.0.1", srv.port(), "/v1/refresh", R"({"refresh_token":")" + refresh + R"("})");
  CHECK(renewed.status == 200);
  // And the right password from the known device, but from the guessing address, is held
  // by that address's own limit only: the address is the one that guessed.
  CHECK(login("127.0.0.20", "chi-hoa-2026", "dev-chi-hoa-phone").status == 429);
}

TEST_CASE("Audit: thousands of refused requests make a bounded number of rows, no write each") {
  Running srv(/*deadline_s=*/30, /*per_address=*/2, /*threads=*/4, /*login_per_minute=*/0,
              /*refusal_audit_seconds=*/3600);
  // 2,000 requests without a token from one address, 500 from another.
  auto flood = [&](const std::string& from, int n) {
    int refused = 0;
    for (int i = 0; i < n; ++i)
      refused += Get(from, srv.port(), "/v1/admin/conflicts").rfind("HTTP/1.1 401", 0) == 0;
    return refused;
  };
  CHECK(flood("127.0.0.7", 2000) == 2000);
  CHECK(flood("127.0.0.8", 500) == 500);
  // Three connections at once from an address allowed two: one refused by the gate.
  int a = ConnectFrom("127.0.0.9", srv.port()), b = ConnectFrom("127.0.0.9", srv.port());
  int c = ConnectFrom("127.0.0.9", srv.port());
  CHECK(ReadUntilClosed(c, 3000).rfind("HTTP/1.1 429", 0) == 0);
  ::close(a), ::close(b), ::close(c);
  // Nothing was written per request: the counts are still in memory.
  CHECK(srv.Refusals().empty());
  srv.server->Stop();  // the window ends: one row per (address, reason)
  CHECK(srv.Refusals() == std::vector<std::string>{"address/127.0.0.7 401 2000",
                                                   "address/127.0.0.8 401 500",
                                                   "address/127.0.0.9 too_many_connections 1"});
}

TEST_CASE("Audit: refusals are written at the end of each window") {
  Running srv(/*deadline_s=*/30, /*per_address=*/0, /*threads=*/4, /*login_per_minute=*/0,
              /*refusal_audit_seconds=*/1);
  for (int i = 0; i < 20; ++i)
    CHECK(Get("127.0.0.10", srv.port(), "/v1/admin/conflicts").rfind("HTTP/1.1 401", 0) == 0);
  auto start = Clock::now();
  while (srv.Refusals().empty() && SecondsSince(start) < 5)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(srv.Refusals() == std::vector<std::string>{"address/127.0.0.10 401 20"});
}
