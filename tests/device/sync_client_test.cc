// The sync client's contract with the network: retries with backoff, error mapping,
// idempotent resends, the request size cap, login; and a failed sync changes nothing.
#include <catch2/catch.hpp>

#include "database_impl.h"
#include "devicecore/sync.h"
#include "sync_request.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

struct Device {
  TempDir dir;
  FakeEnv env;
  FakeTransport server;
  std::unique_ptr<Database> db;

  explicit Device(bool logged_in = true) {
    auto opened = Database::Open(path(), {&env});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    if (logged_in) REQUIRE(db->SaveAccount(TestAccount("citizen", "")).ok());
  }
  std::string path() const { return dir.File("device.db"); }
  std::string File(int n) {
    NewReport r;
    r.category_id = "chieu-sang";
    r.ward_id = "p03";
    r.title = "Đèn đường hỏng #" + std::to_string(n);
    auto id = db->FileReport(r);
    REQUIRE(id.ok());
    return *id;
  }
};

// A response accepting every pushed entry of `req` at consecutive server seqs.
wire::SyncResponse AcceptAll(const wire::SyncRequest& req, uint64_t first_seq) {
  wire::SyncResponse resp;
  uint64_t seq = first_seq;
  for (const wire::PushEntry& e : req.push)
    resp.verdicts.push_back({e.local_seq, wire::Verdict::kApplied, seq++, ""});
  resp.cursor = req.cursor;  // pull not yet past them: entries stay acked
  return resp;
}

Result<HttpReply> Down(const FakeTransport::Call&) { return Unavailable("connection refused"); }

}  // namespace

TEST_CASE("sync before login fails without touching the network", "[sync]") {
  Device d(/*logged_in=*/false);
  d.File(1);
  auto r = Sync(*d.db, d.server);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == StatusCode::kUnauthenticated);
  CHECK_THAT(r.status().message(), Catch::Contains("q11 login"));
  CHECK_THAT(r.status().message(), Catch::Contains("1 changes waiting"));
  CHECK(d.server.calls.empty());
}

TEST_CASE("an unreachable server: retries with doubling backoff, then nothing changed", "[sync]") {
  Device d;
  d.File(1);
  d.File(2);
  std::string before = Dump(d.path());
  d.server.fallback = Down;
  SyncOptions opts;
  opts.max_attempts = 4;
  opts.initial_backoff_ms = 200;
  auto r = Sync(*d.db, d.server, opts);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(r.status().message(), Catch::Contains("the server is unavailable"));
  CHECK_THAT(r.status().message(), Catch::Contains("2 changes waiting"));
  CHECK(d.server.calls.size() == 4);
  CHECK(d.env.sleeps == std::vector<int>{200, 400, 800});
  CHECK(Dump(d.path()) == before);
}

TEST_CASE("5xx and 429 are retried, the reply that finally comes is applied", "[sync]") {
  Device d;
  d.File(1);
  d.server.script.push_back(
      [](const FakeTransport::Call&) { return ErrorReply(503, "unavailable", "busy"); });
  d.server.script.push_back(
      [](const FakeTransport::Call&) { return ErrorReply(429, "resource_exhausted", "slow"); });
  d.server.fallback = [](const FakeTransport::Call& c) {
    return SyncReply(AcceptAll(*wire::DecodeSyncRequest(c.body), 1));
  };
  auto r = Sync(*d.db, d.server);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(d.env.sleeps == std::vector<int>{200, 400});
  CHECK(r->applied == 1);
  CHECK(r->bytes_down > 0);
  CHECK(r->bytes_up == 100);  // only the reply that got through counts what the fake sent
}

TEST_CASE("refusals are not retried and change nothing", "[sync]") {
  Device d;
  d.File(1);
  std::string before = Dump(d.path());
  struct Case {
    int http;
    StatusCode code;
  };
  for (Case c :
       {Case{401, StatusCode::kUnauthenticated}, Case{403, StatusCode::kPermissionDenied},
        Case{400, StatusCode::kInvalidArgument}, Case{413, StatusCode::kFailedPrecondition}}) {
    DYNAMIC_SECTION("HTTP " << c.http) {
      d.server.fallback = [c](const FakeTransport::Call&) {
        return ErrorReply(c.http, "x", "refused because of reasons");
      };
      auto r = Sync(*d.db, d.server);
      REQUIRE(!r.ok());
      CHECK(r.status().code() == c.code);
      CHECK_THAT(r.status().message(), Catch::Contains("refused because of reasons"));
      CHECK_THAT(r.status().message(), Catch::Contains("Lỗi"));  // the Vietnamese message too
      CHECK(d.server.calls.size() == 1);
      CHECK(d.env.sleeps.empty());
      CHECK(Dump(d.path()) == before);
    }
  }
}

TEST_CASE("a malformed or inconsistent response changes nothing", "[sync]") {
  Device d;
  std::string id = d.File(1);
  std::string before = Dump(d.path());
  SECTION("not a sync response") {
    d.server.fallback = [](const FakeTransport::Call&) {
      HttpReply h = SyncReply({});
      h.body[0] = 'X';
      return h;
    };
    auto r = Sync(*d.db, d.server);
    CHECK(r.status().code() == StatusCode::kDataLoss);
  }
  SECTION("wrong content type") {
    d.server.fallback = [](const FakeTransport::Call&) {
      HttpReply h = SyncReply({});
      h.content_type = "text/html";
      return h;
    };
    CHECK(Sync(*d.db, d.server).status().code() == StatusCode::kDataLoss);
  }
  SECTION("a verdict for an entry never sent, after a pull that already applied") {
    d.server.fallback = [&](const FakeTransport::Call&) {
      wire::SyncResponse resp;
      resp.cursor = 50;
      resp.pull_changeset =
          PullBuilder().Change(ReportRowSql("01890000-0000-7000-8000-0000000000ff", "new")).Build();
      resp.verdicts = {{99, wire::Verdict::kApplied, 50, ""}};
      return SyncReply(resp);
    };
    auto r = Sync(*d.db, d.server);
    CHECK(r.status().code() == StatusCode::kDataLoss);
  }
  CHECK(Dump(d.path()) == before);
  CHECK(d.db->GetReport(id)->pending_changes == 1);
}

TEST_CASE("a lost response: the same entries are sent again with the same seqs", "[sync]") {
  Device d;
  d.File(1);
  d.File(2);
  // The server applies the first request but the answer never arrives.
  d.server.script.push_back(Down);
  d.server.fallback = [](const FakeTransport::Call& c) {
    return SyncReply(AcceptAll(*wire::DecodeSyncRequest(c.body), 1));
  };
  auto r = Sync(*d.db, d.server);
  REQUIRE(r.ok());
  auto requests = d.server.SyncRequests();
  REQUIRE(requests.size() == 2);
  REQUIRE(requests[0].push.size() == 2);
  CHECK(requests[0].push[0].local_seq == 1);
  CHECK(requests[0].push[1].local_seq == 2);
  CHECK(d.server.calls[0].body == d.server.calls[1].body);  // byte for byte

  // A whole failed sync, then a later one: still the same seqs and changesets.
  Device e;
  e.File(1);
  e.server.fallback = Down;
  REQUIRE(!Sync(*e.db, e.server).ok());
  e.server.fallback = [](const FakeTransport::Call& c) {
    return SyncReply(AcceptAll(*wire::DecodeSyncRequest(c.body), 1));
  };
  REQUIRE(Sync(*e.db, e.server).ok());
  auto again = e.server.SyncRequests();
  CHECK(again.front().push.size() == 1);
  CHECK(again.front().push[0].local_seq == again.back().push[0].local_seq);
  CHECK(again.front().push[0].changeset == again.back().push[0].changeset);
}

TEST_CASE("requests are capped by size, the rest goes in the next round trip", "[sync]") {
  Device d;
  // Four entries of ~3 MB each: at most 8 MiB per request means two requests.
  for (int i = 0; i < 4; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "01890000-0000-7000-8000-0000000000%02d", i);
    REQUIRE(d.db->ExecCaptured("INSERT INTO reports (id, kind, category_id, ward_id, title, "
                               "description, lat, lon, address, status, assigned_unit, due_at, "
                               "reporter_ref, created_at, updated_at) VALUES ('" +
                               std::string(id) +
                               "', 'phan_anh', 'rac-thai', 'p01', 't', hex(randomblob(1500000)), "
                               "NULL, NULL, NULL, 'new', NULL, NULL, NULL, 'c', 'u')")
                .ok());
  }
  auto built = BuildSyncRequest(*DatabaseImpl::From(*d.db), 0);
  REQUIRE(built.ok());
  CHECK(built->sent == std::vector<int64_t>{1, 2});
  CHECK(built->more_unsent);

  d.server.fallback = [](const FakeTransport::Call& c) {
    return SyncReply(AcceptAll(*wire::DecodeSyncRequest(c.body), 1));
  };
  auto r = Sync(*d.db, d.server);
  REQUIRE(r.ok());
  CHECK(r->round_trips == 2);
  CHECK(r->pushed == 4);
  auto requests = d.server.SyncRequests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].push.size() == 2);
  CHECK(requests[1].push.size() == 2);
  CHECK(requests[1].push[0].local_seq == 3);
}

TEST_CASE("login stores the account, a wrong password is kUnauthenticated", "[login]") {
  Device d(/*logged_in=*/false);
  d.server.script.push_back([](const FakeTransport::Call& c) {
    CHECK(c.path == "/v1/login");
    CHECK(c.content_type == "application/json");
    CHECK_THAT(c.body, Catch::Contains("\"name\":\"lan\""));
    return ErrorReply(401, "unauthenticated", "wrong name or password");
  });
  auto bad = Login(*d.db, d.server, "http://srv", "lan", "nope");
  REQUIRE(!bad.ok());
  CHECK(bad.status().code() == StatusCode::kUnauthenticated);
  CHECK_THAT(bad.status().message(), Catch::Contains("wrong name or password"));
  CHECK(d.db->GetAccount().status().code() == StatusCode::kNotFound);

  d.server.script.push_back([](const FakeTransport::Call&) {
    HttpReply h;
    h.status = 200;
    h.content_type = "application/json";
    h.body = R"({"token":"T1","expires_in":3600,"user_id":"u1","name":"lan",)"
             R"("role":"citizen","unit":null,"reporter_ref":"r-77"})";
    return Result<HttpReply>(h);
  });
  auto ok = Login(*d.db, d.server, "http://srv", "lan", "pw");
  INFO(ok.status().ToString());
  REQUIRE(ok.ok());
  auto acc = d.db->GetAccount();
  REQUIRE(acc.ok());
  CHECK(acc->token == "T1");
  CHECK(acc->server_url == "http://srv");
  CHECK(acc->role == "citizen");
  CHECK(acc->unit.empty());
  CHECK(acc->reporter_ref == "r-77");
  CHECK(Query(d.path(), "SELECT count(*) FROM device_meta WHERE value = 'pw'") == "0");
}

TEST_CASE("another user on the same device starts a fresh replica", "[login]") {
  Device d(/*logged_in=*/false);
  auto login_as = [&](const std::string& user) {
    d.server.script.push_back([user](const FakeTransport::Call&) {
      HttpReply h;
      h.status = 200;
      h.body = "{\"token\":\"T-" + user + "\",\"user_id\":\"" + user + "\",\"role\":\"official\"}";
      return Result<HttpReply>(h);
    });
    return Login(*d.db, d.server, "http://srv", user, "pw");
  };
  REQUIRE(login_as("a").ok());
  std::string first_device = d.db->DeviceId();
  d.File(1);  // pending: switching now would lose it
  auto refused = login_as("b");
  CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
  CHECK(d.db->GetAccount()->user_id == "a");

  d.server.fallback = [](const FakeTransport::Call& c) {
    auto resp = AcceptAll(*wire::DecodeSyncRequest(c.body), 1);
    resp.cursor = 1;
    return SyncReply(resp);
  };
  REQUIRE(Sync(*d.db, d.server).ok());
  REQUIRE(login_as("a").ok());  // same user again: nothing reset
  CHECK(d.db->DeviceId() == first_device);
  CHECK(*d.db->Cursor() == 1);
  REQUIRE(login_as("b").ok());
  CHECK(d.db->DeviceId() != first_device);
  CHECK(*d.db->Cursor() == 0);
  CHECK(d.db->ListReports()->empty());
  CHECK(d.db->ListUnits()->size() > 10);  // reference data stays
}

TEST_CASE("the HTTP transport reports an unreachable server as kUnavailable", "[http]") {
  CHECK(MakeHttpTransport("ftp://example.org").status().code() == StatusCode::kInvalidArgument);
  CHECK(MakeHttpTransport("not a url").status().code() == StatusCode::kInvalidArgument);
  auto t = MakeHttpTransport("http://127.0.0.1:1", 2000);  // nothing listens on port 1
  REQUIRE(t.ok());
  auto r = (*t)->Post("/v1/sync", "application/x-q11-sync", "x", "tok");
  REQUIRE(!r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(r.status().message(), Catch::Contains("127.0.0.1:1"));
}

TEST_CASE("plain http only to this machine, decided from the URL before any connection", "[http]") {
  // Made, not connected: a transport connects on its first request.
  for (const char* ok :
       {"https://example.org", "https://example.org:8443/q11/", "http://127.0.0.1:1",
        "http://127.9.8.7:1", "http://localhost:1", "http://LOCALHOST.:1", "http://[::1]:1"}) {
    INFO(ok);
    CHECK(MakeHttpTransport(ok).ok());
  }
  // Refused without a lookup: example.invalid cannot resolve, yet the answer is about HTTPS.
  for (const char* refused :
       {"http://example.invalid:8080", "http://10.0.0.7", "http://192.168.1.20:8080",
        "http://127.0.0.1.example.org", "http://[::2]:80", "http://0.0.0.0:8080"}) {
    INFO(refused);
    auto t = MakeHttpTransport(refused);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(t.status().message(),
               Catch::Contains("HTTPS is needed") && Catch::Contains("cần HTTPS"));
  }
  TransportOptions bad_ca;
  bad_ca.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  auto t = MakeHttpTransport("https://127.0.0.1:1", bad_ca);
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().code() == StatusCode::kInvalidArgument);
#ifdef __EMSCRIPTEN__
  // In the browser only the browser's own trust store decides (devicecore/wasm).
  CHECK_THAT(t.status().message(), Catch::Contains("private CA"));
#else
  CHECK_THAT(t.status().message(), Catch::Contains("no PEM certificate"));
#endif
}
