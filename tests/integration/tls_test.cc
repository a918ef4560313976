// HTTPS end to end: the real syncserver serving --tls-cert/--tls-key on a loopback port,
// with certificates made here by a throwaway CA (test_certificates.h), and the q11 command
// line as a phone. A private CA given at login carries every later connection (sync, photos,
// watch, public lookups); a certificate from another CA, an expired one or one for another
// host stops the TLS handshake with one line naming the problem, before any request reaches
// the server (its request log stays as it was) and without the backoff of a network error;
// plain http:// to another machine is refused from the URL alone.
#include <sqlite3.h>
#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "cli_driver.h"
#include "devicecore/env.h"
#include "noise_jpeg.h"
#include "test_certificates.h"
#include "test_support.h"

using namespace q11;
using namespace q11::test;
using Catch::Contains;
using Clock = std::chrono::steady_clock;

namespace {

// A small real JPEG (the server decodes and re-encodes every photo).
std::string JpegFile(const std::string& path) { return NoiseJpegFile(path, 160, 120, 85, 40.0); }

int LineCount(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// A server on HTTPS with a certificate for localhost and 127.0.0.1 from `ca`, two accounts.
struct HttpsField {
  HttpsField() {
    REQUIRE(ca.ok());
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    Serve(ca, "localhost", "DNS:localhost,IP:127.0.0.1");
  }

  // (Re)starts the server, on the same port, with a certificate `ca` issues now.
  void Serve(TestCa& issuer, const std::string& name, const std::string& san,
             const std::string& not_before = "", const std::string& not_after = "") {
    CertFiles cert = issuer.Issue(name, san, not_before, not_after);
    INFO(issuer.error());
    REQUIRE(issuer.ok());
    server.Stop();
    INFO(server.error());
    REQUIRE(server.Start({"--tls-cert=" + cert.cert, "--tls-key=" + cert.key}));
  }

  // Requests the server has handled: one log line each ("POST /v1/sync 200 3.1ms").
  int RequestsHandled() const {
    static const std::regex request("^[A-Z]+ /[^ ]* [0-9]{3} ");
    std::ifstream in(server.data_dir() + ".server.log");
    int n = 0;
    for (std::string line; std::getline(in, line);) n += std::regex_search(line, request);
    return n;
  }

  // Waits until at least `n` devices are in a long poll, as the server counts them
  // (GET /healthz "waiting", read over the same TLS trust): the observable condition that
  // a watch is listening, instead of a guess at how long it takes to get there.
  bool AwaitWaiting(int n, std::chrono::milliseconds timeout) const {
    device::TransportOptions options;
    options.timeout_ms = 2000;
    options.ca_pem = ReadFileText(ca.files().cert);
    auto http = device::MakeHttpTransport(server.url(), options);
    if (!http.ok()) return false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      device::HttpRequest get;
      get.path = "/healthz";
      auto reply = (*http)->Send(get);
      if (reply.ok() && reply->status == 200) {
        size_t at = reply->body.find("\"waiting\":");
        if (at != std::string::npos && std::atoi(reply->body.c_str() + at + 10) >= n) return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  Cli Device(const std::string& name) const { return Cli{tmp.File(name + ".db")}; }
  std::string Server() const { return "--server=" + server.url(); }
  std::string Ca() const { return "--ca=" + ca.files().cert; }

  TempDir tmp;
  TestCa ca{tmp.path(), "Q11 Test CA"};
  ServerProcess server{tmp.File("server")};
};

}  // namespace

TEST_CASE(
    "HTTPS: with a private CA given at login, reports, photos, watch and lookups go over TLS") {
  HttpsField f;
  Cli lan = f.Device("lan"), official = f.Device("p04"), guest = f.Device("khach");

  // The system's CA store does not know the test CA: without --ca, nothing is sent.
  CommandResult refused = guest({"login", f.Server(), "--name=lan", "--password=mat-khau-lan"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Contains("the server's certificate is not trusted"));

  CommandResult in = lan({"login", f.Server(), "--name=lan", "--password=mat-khau-lan", f.Ca()});
  INFO(in.err);
  REQUIRE(in.exit_code == 0);
  CommandResult filed = lan({"report", "new", "--category=ngap-nuoc", "--ward=p04",
                             "--title=Ngập nước đường Lạc Long Quân", "--description=Ngập sâu",
                             "--photo=" + JpegFile(f.tmp.File("ngap.jpg"))});
  INFO(filed.err);
  REQUIRE(filed.exit_code == 0);
  const std::string id = LastLine(filed.out);
  // Later commands find the server and its CA in the device's account.
  CommandResult sent = lan({"sync"});
  INFO(sent.err);
  REQUIRE(sent.exit_code == 0);
  CHECK_THAT(sent.out, Contains("sent 2 (applied 2"));  // the report and its photo row
  CHECK_THAT(sent.out, Contains("Ảnh / photos: sent 1"));

  REQUIRE(official({"login", f.Server(), "--name=canbo.p04", "--password=mat-khau-p04", f.Ca()})
              .exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  auto reports = ParseArray(official({"report", "list", "--json"}).out);
  REQUIRE(reports->size() == 1);
  CHECK(reports->getObject(0)->getValue<std::string>("id") == id);
  auto photos = ParseArray(official({"photo", "list", id, "--json"}).out);
  REQUIRE(photos->size() == 1);
  const std::string photo = photos->getObject(0)->getValue<std::string>("id");
  CommandResult full = official({"photo", "get", photo, "--out=" + f.tmp.File("full.jpg")});
  INFO(full.err);
  REQUIRE(full.exit_code == 0);
  CHECK(ReadFileText(f.tmp.File("full.jpg")).substr(0, 2) == "\xFF\xD8");

  // Anyone with the receipt code, on a device that never logged in: --server with --ca.
  auto mine = ParseObject(lan({"report", "show", id, "--json"}).out);
  const std::string code = mine->getValue<std::string>("receipt_code");
  CommandResult lookup = guest({"public", "receipt", code, f.Server(), f.Ca(), "--json"});
  INFO(lookup.err);
  REQUIRE(lookup.exit_code == 0);
  CHECK_THAT(lookup.out, Contains(code));

  // The official watches over the same TLS trust; a second report wakes the watch.
  CommandResult watched;
  std::thread watcher([&] { watched = official({"watch", "--once", "--timeout=30", "--json"}); });
  CHECK(f.AwaitWaiting(1, std::chrono::seconds(20)));
  CommandResult second = lan({"report", "new", "--category=ngap-nuoc", "--ward=p04",
                              "--title=Ngập nước lần nữa", "--description=Lại ngập"});
  REQUIRE(second.exit_code == 0);
  REQUIRE(lan({"sync"}).exit_code == 0);
  watcher.join();
  INFO(watched.err);
  CHECK(watched.exit_code == 0);
  CHECK_THAT(watched.out, Contains(LastLine(second.out)));
}

TEST_CASE(
    "HTTPS: a certificate from another CA stops the sync in one line, nothing sent, no retry") {
  HttpsField f;
  Cli lan = f.Device("lan");
  REQUIRE(lan({"login", f.Server(), "--name=lan", "--password=mat-khau-lan", f.Ca()}).exit_code ==
          0);
  REQUIRE(lan({"report", "new", "--category=ngap-nuoc", "--ward=p04", "--title=Ngập",
               "--description=Ngập sâu"})
              .exit_code == 0);

  // Someone else answers on the server's address, with a certificate for the right name
  // from a CA the device was not told to trust.
  TestCa rogue(f.tmp.path(), "Rogue CA");
  REQUIRE(rogue.ok());
  f.Serve(rogue, "localhost-rogue", "DNS:localhost,IP:127.0.0.1");
  const int before = f.RequestsHandled();

  const auto start = Clock::now();
  CommandResult r = lan({"sync"});
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  CHECK(r.exit_code == 1);
  CHECK(LineCount(r.err) == 1);
  CHECK_THAT(r.err, Contains("the server's certificate is not trusted") &&
                        Contains("no certificate authority this device trusts issued it") &&
                        Contains("chứng chỉ của máy chủ không được tin cậy") &&
                        Contains("1 changes waiting"));
  CHECK_THAT(r.err, !Contains("attempts"));
  CHECK(seconds < 1.3);  // a retried failure sleeps 0.2 + 0.4 + 0.8 s
  CHECK(f.RequestsHandled() == before);
  CHECK(ParseArray(lan({"outbox", "--json"}).out)->size() == 1);

  // A fresh login is refused the same way, before its password leaves the device.
  CommandResult login =
      f.Device("other")({"login", f.Server(), "--name=lan", "--password=mat-khau-lan", f.Ca()});
  CHECK(login.exit_code == 1);
  CHECK_THAT(login.err, Contains("the server's certificate is not trusted"));
  CHECK(f.RequestsHandled() == before);
}

TEST_CASE("HTTPS: an expired certificate, or one for another host, is refused naming why") {
  HttpsField f;
  Cli phone = f.Device("lan");
  std::vector<std::string> login = {"login", f.Server(), "--name=lan", "--password=mat-khau-lan",
                                    f.Ca()};

  f.Serve(f.ca, "expired", "DNS:localhost,IP:127.0.0.1", "20250101000000Z", "20250102000000Z");
  int before = f.RequestsHandled();
  CommandResult expired = phone(login);
  CHECK(expired.exit_code == 1);
  CHECK(LineCount(expired.err) == 1);
  CHECK_THAT(expired.err, Contains("the server's certificate is not trusted: certificate has "
                                   "expired") &&
                              Contains("valid until 2025-01-02") &&
                              Contains("chứng chỉ đã hết hạn"));
  CHECK(f.RequestsHandled() == before);

  f.Serve(f.ca, "elsewhere", "DNS:q11.example.org");
  before = f.RequestsHandled();
  CommandResult elsewhere = phone(login);
  CHECK(elsewhere.exit_code == 1);
  CHECK_THAT(elsewhere.err, Contains("the server's certificate is not trusted") &&
                                Contains("it is not made out to 127.0.0.1") &&
                                Contains("chứng chỉ không cấp cho 127.0.0.1"));
  CHECK(f.RequestsHandled() == before);
  CHECK(phone({"whoami", "--json"}).out.find("\"name\"") == std::string::npos);  // no account
}

TEST_CASE("Plain http:// to another machine is refused at login and at sync, with no traffic") {
  TempDir tmp;
  Cli phone{tmp.File("lan.db")};
  // .invalid never resolves: the answer is about HTTPS, so no lookup was made.
  CommandResult login = phone(
      {"login", "--server=http://example.invalid:8080", "--name=lan", "--password=mat-khau-lan"});
  CHECK(login.exit_code == 1);
  CHECK(LineCount(login.err) == 1);
  CHECK_THAT(login.err,
             Contains("HTTPS is needed") && Contains("cần HTTPS") && Contains("example.invalid"));

  // A device whose stored server is plain http elsewhere (an older version allowed it)
  // refuses to send there too: its report stays queued.
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.Start());
  REQUIRE(phone({"login", "--server=" + server.url(), "--name=lan", "--password=mat-khau-lan"})
              .exit_code == 0);
  REQUIRE(phone({"report", "new", "--category=ngap-nuoc", "--ward=p04", "--title=Ngập",
                 "--description=Ngập sâu"})
              .exit_code == 0);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(phone.db.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db,
                     "UPDATE device_meta SET value = 'http://192.0.2.10:8080' "
                     "WHERE key = 'account.server_url'",
                     nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CommandResult sync = phone({"sync"});
  CHECK(sync.exit_code == 1);
  CHECK_THAT(sync.err, Contains("HTTPS is needed") && Contains("192.0.2.10"));
  CHECK(ParseArray(phone({"outbox", "--json"}).out)->size() == 1);
}
