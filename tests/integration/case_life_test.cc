// The life of a case end to end, through the q11 and syncserver command lines and the real
// server on a loopback port: the receipt printed at filing (offline), the public lookup
// without an account (JSON and HTML, no reporter data), templates, the result, the
// citizen's rating and reopening, and the lookup's rate limit (docs/workflow.md).
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "cli_driver.h"

using namespace q11::test;

namespace {

// The receipt line of `q11 report new`.
std::string ReceiptOf(const std::string& out) {
  const std::string label = "receipt: ";
  size_t at = out.find(label);
  if (at == std::string::npos) return "";
  return out.substr(at + label.size(), 13);
}

struct Reply {
  int status = 0;
  std::string body, csp, cache, frame;
};

// A GET without any credentials.
Reply Get(const ServerProcess& server, const std::string& path) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path,
                             Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  std::ostringstream body;
  Poco::StreamCopier::copyStream(in, body);
  r.body = body.str();
  r.csp = resp.get("Content-Security-Policy", "");
  r.cache = resp.get("Cache-Control", "");
  r.frame = resp.get("X-Frame-Options", "");
  return r;
}

// Nothing that identifies or describes the reporter.
void CheckNoReporterData(const std::string& text, const std::string& reporter_ref) {
  INFO(text);
  CHECK_THAT(text, !Catch::Contains(reporter_ref));
  CHECK_THAT(text, !Catch::Contains("reporter_ref"));
  CHECK_THAT(text, !Catch::Contains("0901234567"));
  CHECK_THAT(text, !Catch::Contains("lan@example.vn"));
  CHECK_THAT(text, !Catch::Contains("author_ref"));
  CHECK_THAT(text, !Catch::Contains("Hẻm 12 nhà số 5"));  // the description
  CHECK_THAT(text, !Catch::Contains("Đèn đường hỏng"));   // the title
  CHECK_THAT(text, !Catch::Contains("Nhà tôi gần đó"));   // the citizen's comment
  CHECK_THAT(text, !Catch::Contains("10.7634"));          // the location
}

}  // namespace

TEST_CASE("Case life: receipt, public lookup without reporter data, result, rating, reopening") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  REQUIRE(server.Start());
  Cli citizen{tmp.File("citizen.db")};
  Cli official{tmp.File("official.db")};

  // Filed offline, before any account: the receipt comes at once, the id stays last.
  auto filed =
      citizen({"report", "new", "--category=chieu-sang", "--ward=p04", "--title=Đèn đường hỏng",
               "--description=Hẻm 12 nhà số 5 tối om.", "--lat=10.7634", "--lon=106.6502"});
  REQUIRE(filed.exit_code == 0);
  std::string id = LastLine(filed.out);
  CHECK(id.size() == 36);
  std::string code = ReceiptOf(filed.out);
  CHECK(code.substr(0, 4) == "Q11-");
  REQUIRE(citizen({"register", "--server=" + server.url(), "--name=lan", "--password=mat-khau-lan",
                   "--phone=0901234567", "--email=lan@example.vn"})
              .exit_code == 0);
  REQUIRE(citizen({"report", "comment", id, "--note=Nhà tôi gần đó"}).exit_code == 0);
  REQUIRE(citizen({"sync"}).exit_code == 0);
  auto shown = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("receipt_code") == code);
  CHECK_FALSE(shown->isNull("received_at"));
  CHECK_FALSE(shown->isNull("due_at"));
  std::string ref = shown->getValue<std::string>("reporter_ref");

  // Anyone with the code, no account: JSON and the page.
  Reply json = Get(server, "/public/receipts/" + code);
  REQUIRE(json.status == 200);
  auto pub = ParseObject(json.body);
  CHECK(pub->getValue<std::string>("status") == "new");
  CHECK(pub->getValue<std::string>("receipt_code") == code);
  CHECK(pub->getObject("ward")->getValue<std::string>("id") == "p04");
  CHECK(json.cache == "no-store");
  CheckNoReporterData(json.body, ref);
  // Typed loosely (lower case, spaces) it still works.
  std::string loose = code.substr(4, 4) + "%20" + code.substr(9, 4);
  for (char& c : loose) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(Get(server, "/public/receipts/" + loose).status == 200);
  CHECK(Get(server, "/public/receipts/Q11-2222-2222").status == 404);
  CHECK(Get(server, "/public/receipts/not-a-code").status == 400);

  Reply page = Get(server, "/tra-cuu?code=" + code);
  REQUIRE(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains(code));
  CHECK_THAT(page.body, Catch::Contains("Mới tiếp nhận"));
  CHECK_THAT(page.csp, Catch::Contains("default-src 'none'"));
  CHECK_THAT(page.csp, Catch::Contains("frame-ancestors 'none'"));
  CHECK(page.frame == "DENY");
  CHECK(page.cache == "no-store");
  CheckNoReporterData(page.body, ref);
  CHECK(Get(server, "/receipt").status == 200);  // the form alone
  Reply hostile = Get(server, "/tra-cuu?code=%3Cscript%3Ealert(1)%3C/script%3E");
  CHECK(hostile.status == 400);
  CHECK_THAT(hostile.body, !Catch::Contains("<script>"));
  // Hostile paths and queries: a clean 4xx, never a 500.
  for (const char* path : {"/public/receipts/%ZZ", "/public/receipts/%00%ff%fe",
                           "/public/receipts/Q11-7KXM-42PA/extra", "/tra-cuu?code=%ZZ",
                           "/tra-cuu?code=%E2%82", "/public/receipts/"}) {
    Reply r = Get(server, path);
    INFO(path << " -> " << r.status << " " << r.body);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
  }
  CHECK(Get(server, "/public/receipts/" + std::string(200, 'A')).status == 404);

  // The official answers with templates and the result.
  REQUIRE(
      official({"login", "--server=" + server.url(), "--name=canbo.p04", "--password=mat-khau-p04"})
          .exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  auto templates = official({"case", "templates", "--status=accepted"});
  CHECK_THAT(templates.out, Catch::Contains("tiep-nhan"));
  REQUIRE(official({"case", "status", id, "accepted", "--template=tiep-nhan"}).exit_code == 0);
  REQUIRE(
      official({"case", "assign", id, "--unit=phong-qldt", "--note=Giao Phòng QLĐT"}).exit_code ==
      0);
  REQUIRE(official({"case", "status", id, "in_progress"}).exit_code == 0);
  CHECK(official({"case", "status", id, "resolved"}).exit_code == 2);  // needs the result
  REQUIRE(official({"case", "status", id, "resolved", "--note=Đã thay bóng đèn mới."}).exit_code ==
          0);
  auto synced = official({"sync"});
  REQUIRE(synced.exit_code == 0);
  CHECK(ParseObject(official({"report", "show", id, "--json"}).out)
            ->getValue<std::string>("status") == "resolved");

  REQUIRE(citizen({"sync"}).exit_code == 0);
  shown = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("status") == "resolved");
  CHECK(shown->getValue<std::string>("result") == "Đã thay bóng đèn mới.");
  CHECK_FALSE(shown->isNull("resolved_at"));
  pub = ParseObject(Get(server, "/public/receipts/" + code).body);
  CHECK(pub->getValue<std::string>("status") == "resolved");
  CHECK(pub->getObject("assigned_unit")->getValue<std::string>("id") == "phong-qldt");
  CHECK(pub->getArray("history")->size() == 4);

  // The citizen rates, then reopens; the server accepts both from the reporter only.
  CHECK(citizen({"report", "rate", id, "--stars=9"}).exit_code == 2);
  REQUIRE(citizen({"report", "rate", id, "--stars=2", "--comment=Đèn lại tắt"}).exit_code == 0);
  REQUIRE(citizen({"report", "reopen", id, "--reason=Đèn chỉ sáng một đêm"}).exit_code == 0);
  REQUIRE(citizen({"sync"}).exit_code == 0);
  shown = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("sync_state") == "synced");
  CHECK(shown->getValue<std::string>("status") == "reopened");
  CHECK(shown->getObject("rating")->getValue<int>("stars") == 2);
  Reply after = Get(server, "/tra-cuu?code=" + code);
  CHECK_THAT(after.body, Catch::Contains("Người dân yêu cầu xử lý lại"));
  CheckNoReporterData(after.body, ref);
  CheckNoReporterData(Get(server, "/public/receipts/" + code).body, ref);

  // A modified citizen client cannot close it; the official takes it up again.
  REQUIRE(citizen({"dev", "exec", "UPDATE reports SET status = 'closed'"}).exit_code == 0);
  auto refused = citizen({"sync"});
  CHECK_THAT(refused.err + refused.out, Catch::Contains("rejected"));
  REQUIRE(official({"sync"}).exit_code == 0);
  REQUIRE(official({"case", "status", id, "in_progress", "--template=xu-ly-lai"}).exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  CHECK(
      ParseObject(Get(server, "/public/receipts/" + code).body)->getValue<std::string>("status") ==
      "in_progress");
}

TEST_CASE("Case life: the public lookup is rate-limited per address") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.Start({"--receipt-per-minute=3"}));
  for (int i = 0; i < 3; ++i) CHECK(Get(server, "/public/receipts/Q11-2222-2222").status == 404);
  CHECK(Get(server, "/public/receipts/Q11-2222-2222").status == 429);
  CHECK(Get(server, "/tra-cuu?code=Q11-2222-2222").status == 429);
  CHECK(Get(server, "/tra-cuu").status == 200);  // the empty form costs nothing
}

TEST_CASE("Case life: an overdue case needs a progress note with a new date before it moves on") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  REQUIRE(server.Start());
  Cli citizen{tmp.File("citizen.db")};
  Cli official{tmp.File("official.db")};
  REQUIRE(citizen({"login", "--server=" + server.url(), "--name=lan", "--password=mat-khau-lan"})
              .exit_code == 0);
  std::string id = LastLine(citizen({"report", "new", "--category=rac-thai", "--ward=p04",
                                     "--title=Rác tồn đọng", "--description=Ba ngày chưa thu."})
                                .out);
  REQUIRE(citizen({"sync"}).exit_code == 0);
  REQUIRE(
      official({"login", "--server=" + server.url(), "--name=canbo.p04", "--password=mat-khau-p04"})
          .exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  // The deadline has passed; the next status change is refused. q11 refuses a deadline in
  // the past, so a modified (or older) client sets it: the server takes it from staff.
  CHECK(official({"case", "deadline", id, "--due=2026-01-05T10:00:00Z"}).exit_code == 1);
  REQUIRE(
      official({"dev", "exec",
                "UPDATE reports SET due_at = '2026-01-05T10:00:00.000Z' WHERE id = '" + id + "'"})
          .exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  REQUIRE(official({"case", "status", id, "accepted"}).exit_code == 0);
  auto refused = official({"sync"});
  CHECK_THAT(refused.err + refused.out, Catch::Contains("overdue"));
  auto shown = ParseObject(official({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("status") == "new");
  CHECK(shown->getValue<bool>("overdue"));
  CHECK(shown->getValue<std::string>("sync_state") == "rejected");
  CHECK_THAT(official({"report", "list"}).out, Catch::Contains("new!"));
  CHECK(ParseObject(
            Get(server, "/public/receipts/" + shown->getValue<std::string>("receipt_code")).body)
            ->getValue<bool>("overdue"));
  // A progress note with a new date, then the same step: accepted.
  CHECK(official({"case", "progress", id, "--note=Chờ xe chuyên dụng",
                  "--expected=2020-01-01T00:00:00Z"})
            .exit_code == 1);  // a date in the past
  REQUIRE(official({"case", "progress", id, "--note=Chờ xe chuyên dụng",
                    "--expected=2099-01-05T10:00:00Z"})
              .exit_code == 0);
  REQUIRE(official({"case", "status", id, "accepted", "--template=tiep-nhan"}).exit_code == 0);
  auto ok = official({"sync"});
  REQUIRE(ok.exit_code == 0);
  shown = ParseObject(official({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("status") == "accepted");
  CHECK(shown->getValue<std::string>("expected_at") == "2099-01-05T10:00:00.000Z");
  CHECK_FALSE(shown->getValue<bool>("overdue"));
  // The citizen sees the new date and the note.
  REQUIRE(citizen({"sync"}).exit_code == 0);
  auto seen = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(seen->getValue<std::string>("expected_at") == "2099-01-05T10:00:00.000Z");
  CHECK_THAT(citizen({"report", "show", id}).out, Catch::Contains("Chờ xe chuyên dụng"));
}

TEST_CASE("Case life: q11 public receipt and public reports show the public view only") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.Start({"--receipt-per-minute=7"}));
  Cli lan{tmp.File("lan.db")};
  Cli binh{tmp.File("binh.db")};
  Cli stranger{tmp.File("stranger.db")};
  auto filed =
      lan({"report", "new", "--category=chieu-sang", "--ward=p04", "--title=Đèn đường hỏng",
           "--description=Hẻm 12 nhà số 5 tối om.", "--lat=10.7634", "--lon=106.6502"});
  REQUIRE(filed.exit_code == 0);
  std::string code = ReceiptOf(filed.out);
  REQUIRE(lan({"register", "--server=" + server.url(), "--name=lan", "--password=mat-khau-lan",
               "--phone=0901234567", "--email=lan@example.vn"})
              .exit_code == 0);
  REQUIRE(lan({"sync"}).exit_code == 0);
  std::string ref = ParseObject(lan({"report", "show", LastLine(filed.out), "--json"}).out)
                        ->getValue<std::string>("reporter_ref");

  // Another citizen browses the ward: the case, not the reporter nor their words.
  CHECK(binh({"public", "reports", "--ward=p04"}).exit_code == 1);  // not logged in
  REQUIRE(binh({"register", "--server=" + server.url(), "--name=binh", "--password=mat-khau-binh"})
              .exit_code == 0);
  auto listed = binh({"public", "reports", "--ward=p04", "--json"});
  REQUIRE(listed.exit_code == 0);
  auto reports = ParseArray(listed.out);
  REQUIRE(reports->size() == 1);
  auto first = reports->getObject(0);
  CHECK(first->getValue<std::string>("status") == "new");
  CHECK(first->getObject("category")->getValue<std::string>("id") == "chieu-sang");
  CHECK_FALSE(first->has("receipt_code"));
  CheckNoReporterData(listed.out, ref);
  auto table = binh({"public", "reports", "--ward=p04"});
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("Mới tiếp nhận"));
  CheckNoReporterData(table.out, ref);
  CHECK_THAT(binh({"public", "reports", "--ward=p07"}).out, Catch::Contains("no reports"));
  auto unknown_ward = binh({"public", "reports", "--ward=nowhere"});
  CHECK(unknown_ward.exit_code == 1);
  CHECK_THAT(unknown_ward.err, Catch::Contains("ward"));
  CHECK(binh({"public", "reports", "--ward=p04", "--limit=0"}).exit_code == 2);
  CHECK(binh({"public", "reports"}).exit_code == 2);

  // Anyone with the code, on a device that never logged in.
  CHECK(stranger({"public", "receipt", code}).exit_code == 2);  // which server?
  auto looked = stranger({"public", "receipt", code, "--json", "--server=" + server.url()});
  REQUIRE(looked.exit_code == 0);
  auto pub = ParseObject(looked.out);
  CHECK(pub->getValue<std::string>("receipt_code") == code);
  CHECK(pub->getObject("ward")->getValue<std::string>("id") == "p04");
  CheckNoReporterData(looked.out, ref);
  auto missing = stranger({"public", "receipt", "Q11-2222-2222", "--server=" + server.url()});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("no report has this receipt code"));
  auto malformed = stranger({"public", "receipt", "not-a-code", "--server=" + server.url()});
  CHECK(malformed.exit_code == 1);
  CHECK_THAT(malformed.err, Catch::Contains("not a receipt code"));
  // Browsing and lookups share the server's per-address limit (7 a minute, and 7 were
  // made): the next one is told how long to wait.
  auto limited = stranger({"public", "receipt", code, "--server=" + server.url()});
  CHECK(limited.exit_code == 1);
  CHECK_THAT(limited.err, Catch::Contains("retry after"));
  // Unreachable: a clear one-line failure.
  auto down = stranger({"public", "receipt", code, "--server=http://127.0.0.1:1"});
  CHECK(down.exit_code == 1);
}
