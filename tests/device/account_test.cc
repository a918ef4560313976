// The device's session with the server: rotating refresh tokens (refresh before expiry,
// refresh once on a 401, a refused refresh ends the session with nothing lost), register
// (local validation, 409, 429 with Retry-After), logout (also offline).
#include <catch2/catch.hpp>

#include "devicecore/account.h"
#include "devicecore/sync.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

// The account answer of /v1/login, /v1/register and /v1/refresh.
HttpReply AccountReply(int status, const std::string& token, const std::string& refresh,
                       const std::string& user_id = "u-lan", int expires_in = 900) {
  HttpReply h;
  h.status = status;
  h.content_type = "application/json";
  h.body = "{\"token\":\"" + token + "\",\"expires_in\":" + std::to_string(expires_in) +
           ",\"refresh_token\":\"" + refresh + "\",\"refresh_expires_in\":2592000" +
           ",\"user_id\":\"" + user_id + "\",\"name\":\"lan\",\"role\":\"citizen\"," +
           "\"unit\":null,\"reporter_ref\":\"cd-abc\"}";
  return h;
}

FakeTransport::Handler Answer(HttpReply h) {
  return [h](const FakeTransport::Call&) { return Result<HttpReply>(h); };
}

// Accepts every pushed entry; the pull passes them.
Result<HttpReply> AcceptSync(const FakeTransport::Call& c) {
  auto req = wire::DecodeSyncRequest(c.body);
  REQUIRE(req.ok());
  wire::SyncResponse resp;
  uint64_t seq = req->cursor;
  for (const wire::PushEntry& e : req->push)
    resp.verdicts.push_back({e.local_seq, wire::Verdict::kApplied, ++seq, ""});
  resp.cursor = seq;  // the pull has passed them: the outbox empties
  return SyncReply(resp);
}

Result<HttpReply> Down(const FakeTransport::Call&) { return Unavailable("connection refused"); }

struct Device {
  TempDir dir;
  FakeEnv env;
  FakeTransport server;
  std::unique_ptr<Database> db;

  Device() {
    auto opened = Database::Open(path(), {&env});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
  }
  std::string path() const { return dir.File("device.db"); }
  // Logs in as "lan" with an access token valid 900 s and refresh token R1.
  void LogIn() {
    server.script.push_back(Answer(AccountReply(200, "A1", "R1")));
    auto a = Login(*db, server, "http://srv", "lan", "mat-khau-2026");
    REQUIRE(a.ok());
    server.calls.clear();
  }
  std::string File() {
    NewReport r;
    r.category_id = "chieu-sang";
    r.ward_id = "p03";
    r.title = "Đèn đường hỏng";
    auto id = db->FileReport(r);
    REQUIRE(id.ok());
    return *id;
  }
  std::string Meta(const std::string& key) {
    return Query(path(), "SELECT coalesce((SELECT value FROM device_meta WHERE key = '" + key +
                             "'), '<none>')");
  }
  std::vector<std::string> Paths() const {
    std::vector<std::string> out;
    for (const auto& c : server.calls) out.push_back(c.path);
    return out;
  }
};

using Paths = std::vector<std::string>;

}  // namespace

TEST_CASE("login stores the refresh token and the expiry, never the password", "[account]") {
  Device d;
  int64_t before = d.env.now_ms;
  d.LogIn();
  auto a = d.db->GetAccount();
  REQUIRE(a.ok());
  CHECK(a->token == "A1");
  CHECK(a->refresh_token == "R1");
  CHECK(a->token_expires_at_ms >= before + 900'000);
  CHECK(a->token_expires_at_ms < before + 901'000);
  CHECK(a->refresh_expires_at_ms >= before + 2592000LL * 1000);
  CHECK(Query(d.path(), "SELECT count(*) FROM device_meta WHERE value LIKE '%mat-khau%'") == "0");
  // The login names this device, so the server can tell its owner's known phone from a
  // password guesser elsewhere (docs/security.md, login limits).
  d.server.script.push_back(Answer(AccountReply(200, "A2", "R2")));
  REQUIRE(Login(*d.db, d.server, "http://srv", "lan", "mat-khau-2026").ok());
  REQUIRE(d.server.calls.size() == 1);
  CHECK(d.server.calls.back().path == "/v1/login");
  CHECK_THAT(d.server.calls.back().body,
             Catch::Contains("\"device_id\":\"" + d.db->DeviceId() + "\""));
}

TEST_CASE("a token far from expiry is used as is", "[account][refresh]") {
  Device d;
  d.LogIn();
  d.env.now_ms += 800'000;  // 100 s left: more than the minute of margin
  d.server.fallback = AcceptSync;
  REQUIRE(Sync(*d.db, d.server).ok());
  CHECK(d.Paths() == Paths{"/v1/sync"});
  CHECK(d.server.calls[0].bearer == "A1");
}

TEST_CASE("a token about to expire is refreshed before the sync", "[account][refresh]") {
  Device d;
  d.LogIn();
  d.File();
  d.env.now_ms += 850'000;  // 50 s left
  d.server.script.push_back([](const FakeTransport::Call& c) {
    CHECK(c.content_type == "application/json");
    CHECK(c.body == "{\"refresh_token\":\"R1\"}");
    CHECK(c.bearer.empty());
    return Result<HttpReply>(AccountReply(200, "A2", "R2"));
  });
  d.server.fallback = AcceptSync;
  auto r = Sync(*d.db, d.server);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->applied == 1);
  CHECK(d.Paths() == Paths{"/v1/refresh", "/v1/sync"});
  CHECK(d.server.calls[1].bearer == "A2");
  // Rotation: the new pair is stored, the spent refresh token is gone.
  auto a = d.db->GetAccount();
  CHECK(a->token == "A2");
  CHECK(a->refresh_token == "R2");
  CHECK(a->token_expires_at_ms > d.env.now_ms + 800'000);
  CHECK(a->server_url == "http://srv");
  CHECK(Query(d.path(), "SELECT count(*) FROM device_meta WHERE value IN ('A1', 'R1')") == "0");

  // The next sync, well within the new lifetime, does not refresh again.
  d.server.calls.clear();
  REQUIRE(Sync(*d.db, d.server).ok());
  CHECK(d.Paths() == Paths{"/v1/sync"});
}

TEST_CASE("a 401 on sync: one refresh, the same request sent once more", "[account][refresh]") {
  Device d;
  d.LogIn();
  d.File();
  d.server.script.push_back(Answer(ErrorReply(401, "unauthenticated", "token revoked")));
  d.server.script.push_back(Answer(AccountReply(200, "A2", "R2")));
  SECTION("the resend succeeds") {
    d.server.fallback = AcceptSync;
    auto r = Sync(*d.db, d.server);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->applied == 1);
    CHECK(d.Paths() == Paths{"/v1/sync", "/v1/refresh", "/v1/sync"});
    CHECK(d.server.calls[0].bearer == "A1");
    CHECK(d.server.calls[2].bearer == "A2");
    CHECK(d.server.calls[2].body == d.server.calls[0].body);  // same entries, same seqs
    CHECK(d.db->GetAccount()->refresh_token == "R2");
    CHECK(*d.db->PendingCount() == 0);
  }
  SECTION("a second 401 is not refreshed again") {
    d.server.fallback = [](const FakeTransport::Call&) {
      return Result<HttpReply>(ErrorReply(401, "unauthenticated", "account disabled"));
    };
    std::string outbox_before = Query(d.path(), "SELECT group_concat(seq) FROM outbox");
    auto r = Sync(*d.db, d.server);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == StatusCode::kUnauthenticated);
    CHECK_THAT(r.status().message(), Catch::Contains("account disabled"));
    CHECK_THAT(r.status().message(), Catch::Contains("1 changes waiting"));
    CHECK(d.Paths() == Paths{"/v1/sync", "/v1/refresh", "/v1/sync"});
    CHECK(Query(d.path(), "SELECT group_concat(seq) FROM outbox") == outbox_before);
    // The rotated pair was stored before it was used: nothing of it is lost either.
    CHECK(d.db->GetAccount()->refresh_token == "R2");
  }
}

TEST_CASE("a refused refresh ends the session, nothing local is lost", "[account][refresh]") {
  Device d;
  d.LogIn();
  std::string id = d.File();
  std::string outbox_before =
      Query(d.path(), "SELECT group_concat(seq || ':' || state) FROM outbox");
  d.env.now_ms += 890'000;  // 10 s left: refresh first
  d.server.script.push_back(
      Answer(ErrorReply(401, "unauthenticated", "refresh token reused: session revoked")));
  d.server.fallback = AcceptSync;
  auto r = Sync(*d.db, d.server);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == StatusCode::kUnauthenticated);
  CHECK_THAT(r.status().message(),
             Catch::Contains("phiên đăng nhập đã hết hạn, hãy đăng nhập lại"));
  CHECK_THAT(r.status().message(), Catch::Contains("session expired: log in again"));
  CHECK_THAT(r.status().message(), Catch::Contains("1 changes waiting"));
  CHECK(d.Paths() == Paths{"/v1/refresh"});  // no sync with a dead token, no retries
  CHECK(d.env.sleeps.empty());

  // The outbox and the report are untouched; the dead tokens are forgotten.
  CHECK(Query(d.path(), "SELECT group_concat(seq || ':' || state) FROM outbox") == outbox_before);
  CHECK(d.db->GetReport(id).ok());
  CHECK(d.db->GetAccount().status().code() == StatusCode::kNotFound);
  CHECK(d.Meta("account.refresh_token") == "<none>");
  CHECK(d.Meta("account.user_id") == "u-lan");  // whose replica this is stays known

  // Offline work goes on without any token.
  d.File();
  CHECK(*d.db->PendingCount() == 2);
  d.server.calls.clear();
  auto again = Sync(*d.db, d.server);
  CHECK(again.status().code() == StatusCode::kUnauthenticated);
  CHECK(d.server.calls.empty());

  // Logging in again as the same user keeps the replica and sends both changes.
  d.LogIn();
  auto synced = Sync(*d.db, d.server);
  INFO(synced.status().ToString());
  REQUIRE(synced.ok());
  CHECK(synced->applied == 2);
}

TEST_CASE("refresh problems other than a refusal keep the session", "[account][refresh]") {
  Device d;
  d.LogIn();
  d.File();
  d.env.now_ms += 899'000;
  SyncOptions opts;
  opts.max_attempts = 2;
  SECTION("offline") {
    d.server.fallback = Down;
    auto r = Sync(*d.db, d.server, opts);
    CHECK(r.status().code() == StatusCode::kUnavailable);
    CHECK_THAT(r.status().message(), Catch::Contains("renew the session"));
    CHECK(d.Paths() == Paths{"/v1/refresh", "/v1/refresh"});
    CHECK(d.db->GetAccount()->refresh_token == "R1");  // still usable when back online
  }
  SECTION("an answer for another user") {
    d.server.script.push_back(Answer(AccountReply(200, "A2", "R2", "u-someone-else")));
    auto r = Sync(*d.db, d.server, opts);
    CHECK(r.status().code() == StatusCode::kDataLoss);
    CHECK(d.db->GetAccount()->token == "A1");
  }
  SECTION("a refresh token known to have expired is not sent") {
    d.env.now_ms += 31LL * 24 * 3600 * 1000;
    auto r = Sync(*d.db, d.server, opts);
    CHECK(r.status().code() == StatusCode::kUnauthenticated);
    CHECK_THAT(r.status().message(), Catch::Contains("session expired"));
    CHECK(d.server.calls.empty());
    CHECK(*d.db->PendingCount() == 1);
  }
}

TEST_CASE("an account from before refresh tokens: a 401 stands, as before", "[account][refresh]") {
  Device d;
  REQUIRE(d.db->SaveAccount(TestAccount("citizen", "")).ok());
  d.server.fallback = [](const FakeTransport::Call&) {
    return Result<HttpReply>(ErrorReply(401, "unauthenticated", "token expired"));
  };
  auto r = Sync(*d.db, d.server);
  CHECK(r.status().code() == StatusCode::kUnauthenticated);
  CHECK_THAT(r.status().message(), Catch::Contains("token expired"));
  CHECK(d.Paths() == Paths{"/v1/sync"});
}

TEST_CASE("registration input is checked on the device by the server's rules",
          "[account][register]") {
  auto valid = [](Registration r) { return ValidateRegistration(r).ok(); };
  Registration ok{"lan.anh_2026", "mat-khau-2026", "", ""};
  CHECK(valid(ok));
  CHECK(valid({"abc", "12345678", "+84901234567", "lan@example.vn"}));
  CHECK(valid({std::string(64, 'a'), std::string(1024, 'x'), "12345678", "a@b"}));

  CHECK_FALSE(valid({"ab", "12345678", "", ""}));
  CHECK_FALSE(valid({std::string(65, 'a'), "12345678", "", ""}));
  CHECK_FALSE(valid({"Lan", "12345678", "", ""}));  // upper case
  CHECK_FALSE(valid({"lan anh", "12345678", "", ""}));
  CHECK_FALSE(valid({"lân", "12345678", "", ""}));
  CHECK_FALSE(valid({"lan", "1234567", "", ""}));
  CHECK_FALSE(valid({"lan", std::string(1025, 'x'), "", ""}));
  CHECK_FALSE(valid({"lan", "12345678", "1234567", ""}));
  CHECK_FALSE(valid({"lan", "12345678", "1234567890123456", ""}));
  CHECK_FALSE(valid({"lan", "12345678", "0901-234-567", ""}));
  CHECK_FALSE(valid({"lan", "12345678", "", "lan.example.vn"}));
  CHECK_FALSE(valid({"lan", "12345678", "", "@example.vn"}));
  CHECK_FALSE(valid({"lan", "12345678", "", "lan@"}));
  CHECK_FALSE(valid({"lan", "12345678", "", "lan @x.vn"}));

  Status s = ValidateRegistration({"lan", "ngan", "", ""});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("mật khẩu"));
  CHECK_THAT(s.message(), Catch::Contains("password"));

  // Register refuses bad input before any network call.
  Device d;
  auto r = Register(*d.db, d.server, "http://srv", {"Lan", "mat-khau-2026", "", ""});
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(d.server.calls.empty());
}

TEST_CASE("register stores the account and the user's own contact details", "[account][register]") {
  Device d;
  d.server.script.push_back([](const FakeTransport::Call& c) {
    CHECK(c.path == "/v1/register");
    CHECK(c.content_type == "application/json");
    CHECK_THAT(c.body, Catch::Contains("\"name\":\"lan\""));
    CHECK_THAT(c.body, Catch::Contains("\"phone\":\"+84901234567\""));
    CHECK_THAT(c.body, Catch::Contains("\"email\":\"lan@example.vn\""));
    return Result<HttpReply>(AccountReply(201, "A1", "R1"));
  });
  auto a = Register(*d.db, d.server, "http://srv",
                    {"lan", "mat-khau-2026", "+84901234567", "lan@example.vn"});
  INFO(a.status().ToString());
  REQUIRE(a.ok());
  auto stored = d.db->GetAccount();
  REQUIRE(stored.ok());
  CHECK(stored->token == "A1");
  CHECK(stored->refresh_token == "R1");
  CHECK(stored->role == "citizen");
  CHECK(stored->server_url == "http://srv");
  CHECK(stored->contact_phone == "+84901234567");
  CHECK(stored->contact_email == "lan@example.vn");
  CHECK(Query(d.path(), "SELECT count(*) FROM device_meta WHERE value = 'mat-khau-2026'") == "0");

  // Never in a synced table or the outbox: filing a report captures no contact detail.
  d.File();
  CHECK(Query(d.path(),
              "SELECT count(*) FROM outbox WHERE instr(changeset, '+849') > 0 OR "
              "instr(changeset, 'example.vn') > 0") == "0");
  CHECK(Query(d.path(), "SELECT count(*) FROM reports WHERE reporter_ref LIKE '%849%'") == "0");

  // Logging in again as the same user keeps them; another user does not inherit them.
  d.server.script.push_back(Answer(AccountReply(200, "A3", "R3")));
  REQUIRE(Login(*d.db, d.server, "http://srv", "lan", "mat-khau-2026").ok());
  CHECK(d.db->GetAccount()->contact_phone == "+84901234567");
  d.server.fallback = AcceptSync;
  REQUIRE(Sync(*d.db, d.server).ok());
  d.server.script.push_back(Answer(AccountReply(200, "B1", "S1", "u-minh")));
  REQUIRE(Login(*d.db, d.server, "http://srv", "minh", "mat-khau-2026").ok());
  CHECK(d.db->GetAccount()->contact_phone.empty());
  CHECK(d.db->GetAccount()->contact_email.empty());
}

TEST_CASE("register: a taken name, bad input and rate limiting", "[account][register]") {
  Device d;
  Registration reg{"lan", "mat-khau-2026", "", ""};
  SECTION("409: the name is taken") {
    d.server.script.push_back(Answer(ErrorReply(409, "already_exists", "name taken")));
    auto r = Register(*d.db, d.server, "http://srv", reg);
    CHECK(r.status().code() == StatusCode::kAlreadyExists);
    CHECK_THAT(r.status().message(), Catch::Contains("the name is taken"));
    CHECK_THAT(r.status().message(), Catch::Contains("tên đăng nhập đã có người dùng"));
  }
  SECTION("400: the server's rules said no") {
    d.server.script.push_back(Answer(ErrorReply(400, "invalid_argument", "name is reserved")));
    auto r = Register(*d.db, d.server, "http://srv", reg);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::Contains("name is reserved"));
  }
  SECTION("429: one call, no retries, the Retry-After in the message") {
    HttpReply h = ErrorReply(429, "resource_exhausted", "too many registrations");
    h.retry_after = "120";
    d.server.fallback = Answer(h);
    auto r = Register(*d.db, d.server, "http://srv", reg);
    CHECK(r.status().code() == StatusCode::kResourceExhausted);
    CHECK_THAT(r.status().message(), Catch::Contains("too many registrations"));
    CHECK_THAT(r.status().message(), Catch::Contains("retry after 120 s"));
    CHECK_THAT(r.status().message(), Catch::Contains("thử lại sau 120 giây"));
    CHECK(r.status().message().find('\n') == std::string::npos);
    CHECK(d.server.calls.size() == 1);
    CHECK(d.env.sleeps.empty());
  }
  CHECK(d.db->GetAccount().status().code() == StatusCode::kNotFound);
}

TEST_CASE("logout revokes on the server and forgets the tokens", "[account][logout]") {
  Device d;
  d.LogIn();
  d.File();
  std::string outbox_before = Query(d.path(), "SELECT group_concat(seq) FROM outbox");
  SECTION("online") {
    d.server.script.push_back([](const FakeTransport::Call& c) {
      CHECK(c.path == "/v1/logout");
      CHECK(c.bearer == "A1");
      CHECK(c.body == "{\"refresh_token\":\"R1\"}");
      HttpReply h;
      h.status = 204;
      return Result<HttpReply>(h);
    });
    auto r = Logout(*d.db, d.server);
    REQUIRE(r.ok());
    CHECK(r->server_told);
  }
  SECTION("offline: one attempt, then forgotten on the device anyway") {
    d.server.fallback = Down;
    auto r = Logout(*d.db, d.server);
    REQUIRE(r.ok());
    CHECK_FALSE(r->server_told);
    CHECK_THAT(r->note, Catch::Contains("connection refused"));
    CHECK(d.server.calls.size() == 1);
    CHECK(d.env.sleeps.empty());
  }
  CHECK(d.db->GetAccount().status().code() == StatusCode::kNotFound);
  CHECK(Query(d.path(),
              "SELECT count(*) FROM device_meta WHERE key IN ('account.token', "
              "'account.refresh_token', 'account.token_expires_at_ms')") == "0");
  CHECK(Query(d.path(), "SELECT group_concat(seq) FROM outbox") == outbox_before);
  CHECK(Logout(*d.db, d.server).status().code() == StatusCode::kNotFound);
}
