// The README tour, driven through the exact command-line contracts of q11 and syncserver:
// a citizen files a report while the server is down, the server comes back, an official
// handles the report with notes, and the answer reaches the citizen.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include "test_support.h"

using namespace q11::test;

namespace {

struct Cli {
  std::string db;
  CommandResult operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), {Q11Bin(), "--db=" + db});
    return Run(args);
  }
};

std::string LastLine(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  size_t nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

Poco::JSON::Object::Ptr ParseObject(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

Poco::JSON::Array::Ptr ParseArray(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Array::Ptr>();
}

}  // namespace

TEST_CASE("Tour: an offline citizen report reaches an official and the answer comes back") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  REQUIRE(server.Start());
  const std::string url = server.url();

  Cli citizen{tmp.File("citizen.db")};
  Cli official{tmp.File("official.db")};

  // A report filed on a brand-new phone, before any login and with no server at all.
  auto early = citizen({"report", "new", "--category=ngap-nuoc", "--ward=p04",
                        "--title=Ngập nước sau mưa trên đường Lạc Long Quân",
                        "--description=Nước ngập tới đầu gối, xe máy chết máy giữa đường.",
                        "--lat=10.7634", "--lon=106.6502"});
  REQUIRE(early.exit_code == 0);
  std::string early_id = LastLine(early.out);
  CHECK(early_id.size() == 36);

  REQUIRE(citizen({"login", "--server=" + url, "--name=lan", "--password=mat-khau-lan"}).exit_code == 0);

  // The server goes down; the citizen files a second report and tries to sync.
  server.Stop();
  auto filed = citizen({"report", "new", "--category=rac-thai", "--ward=p04", "--title=Rác tồn đọng ở hẻm 12",
                        "--description=Rác không được thu gom ba ngày nay.", "--kind=phan_anh"});
  REQUIRE(filed.exit_code == 0);
  std::string report_id = LastLine(filed.out);
  auto failed = citizen({"sync"});
  CHECK(failed.exit_code != 0);
  CHECK_THAT(failed.err, Catch::Contains("2"));  // says how many changes wait
  auto outbox = citizen({"outbox", "--json"});
  REQUIRE(outbox.exit_code == 0);
  CHECK(ParseArray(outbox.out)->size() == 2);

  // The server comes back on the same data; the citizen's sync goes through.
  REQUIRE(server.Start());
  const std::string url2 = server.url();
  auto synced = citizen({"sync"});
  INFO(synced.err);
  REQUIRE(synced.exit_code == 0);
  CHECK(ParseArray(citizen({"outbox", "--json"}).out)->size() == 0);

  // The official sees both reports, with a deadline set by the server.
  REQUIRE(official({"login", "--server=" + url2, "--name=canbo.p04", "--password=mat-khau-p04"}).exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  auto list = ParseArray(official({"report", "list", "--json"}).out);
  REQUIRE(list->size() == 2);
  auto seen = ParseObject(official({"report", "show", report_id, "--json"}).out);
  CHECK(seen->getValue<std::string>("status") == "new");
  CHECK(seen->getValue<std::string>("title") == "Rác tồn đọng ở hẻm 12");
  CHECK_FALSE(seen->isNull("due_at"));

  // The official accepts, then starts handling, with notes; offline first, then syncs.
  REQUIRE(official({"case", "status", report_id, "accepted", "--note=Đã tiếp nhận, chuyển tổ vệ sinh."}).exit_code == 0);
  REQUIRE(official({"case", "status", report_id, "in_progress", "--note=Tổ vệ sinh đang thu gom."}).exit_code == 0);
  auto official_sync = official({"sync"});
  INFO(official_sync.err);
  REQUIRE(official_sync.exit_code == 0);

  // The citizen syncs and sees the status and the notes.
  REQUIRE(citizen({"sync"}).exit_code == 0);
  auto shown = citizen({"report", "show", report_id, "--json"});
  REQUIRE(shown.exit_code == 0);
  auto report = ParseObject(shown.out);
  CHECK(report->getValue<std::string>("status") == "in_progress");
  auto events = report->getArray("events");
  REQUIRE(events->size() == 2);
  CHECK(events->getObject(0)->getValue<std::string>("status") == "accepted");
  CHECK(events->getObject(0)->getValue<std::string>("note") == "Đã tiếp nhận, chuyển tổ vệ sinh.");
  CHECK(events->getObject(1)->getValue<std::string>("status") == "in_progress");
  CHECK(events->getObject(1)->getValue<std::string>("note") == "Tổ vệ sinh đang thu gom.");
  CHECK_FALSE(events->getObject(1)->getValue<std::string>("created_at").empty());

  // The early report (filed before login) also arrived and now carries a pseudonym.
  auto early_seen = ParseObject(official({"report", "show", early_id, "--json"}).out);
  CHECK(early_seen->getValue<std::string>("title") == "Ngập nước sau mưa trên đường Lạc Long Quân");
}

TEST_CASE("Tour: a citizen may not change a status, the server rejects it and the device shows why") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("minh", "mat-khau-minh", "citizen"));
  REQUIRE(server.Start());
  Cli citizen{tmp.File("citizen.db")};
  REQUIRE(citizen({"login", "--server=" + server.url(), "--name=minh", "--password=mat-khau-minh"}).exit_code == 0);
  auto filed = citizen({"report", "new", "--category=tieng-on", "--ward=p07", "--title=Karaoke quá nửa đêm",
                        "--description=Ồn ào tới 1 giờ sáng."});
  std::string id = LastLine(filed.out);
  REQUIRE(citizen({"sync"}).exit_code == 0);
  // A modified client tries to close its own report.
  REQUIRE(citizen({"dev", "exec", "UPDATE reports SET status='closed' WHERE id='" + id + "'"}).exit_code == 0);
  auto sync = citizen({"sync"});
  CHECK_THAT(sync.out + sync.err, Catch::Contains("reject"));
  auto shown = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("status") == "new");  // the device holds the server's view again
}
