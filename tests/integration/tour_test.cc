// The README tour, driven through the exact command-line contracts of q11 and syncserver:
// a citizen files a report while the server is down, the server comes back, an official
// handles the report with notes, and the answer reaches the citizen.
#include <catch2/catch.hpp>

#include "cli_driver.h"

using namespace q11::test;

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

  REQUIRE(
      citizen({"login", "--server=" + url, "--name=lan", "--password=mat-khau-lan"}).exit_code ==
      0);

  // The server goes down; the citizen files a second report and tries to sync.
  server.Stop();
  auto filed = citizen({"report", "new", "--category=rac-thai", "--ward=p04",
                        "--title=Rác tồn đọng ở hẻm 12",
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
  REQUIRE(official({"login", "--server=" + url2, "--name=canbo.p04", "--password=mat-khau-p04"})
              .exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  auto list = ParseArray(official({"report", "list", "--json"}).out);
  REQUIRE(list->size() == 2);
  auto seen = ParseObject(official({"report", "show", report_id, "--json"}).out);
  CHECK(seen->getValue<std::string>("status") == "new");
  CHECK(seen->getValue<std::string>("title") == "Rác tồn đọng ở hẻm 12");
  CHECK_FALSE(seen->isNull("due_at"));

  // The official accepts, then starts handling, with notes; offline first, then syncs.
  REQUIRE(
      official({"case", "status", report_id, "accepted", "--note=Đã tiếp nhận, chuyển tổ vệ sinh."})
          .exit_code == 0);
  REQUIRE(official({"case", "status", report_id, "in_progress", "--note=Tổ vệ sinh đang thu gom."})
              .exit_code == 0);
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

TEST_CASE(
    "Tour: a citizen may not change a status, the server rejects it and the device shows why") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("minh", "mat-khau-minh", "citizen"));
  REQUIRE(server.Start());
  Cli citizen{tmp.File("citizen.db")};
  REQUIRE(citizen({"login", "--server=" + server.url(), "--name=minh", "--password=mat-khau-minh"})
              .exit_code == 0);
  auto filed = citizen({"report", "new", "--category=tieng-on", "--ward=p07",
                        "--title=Karaoke quá nửa đêm", "--description=Ồn ào tới 1 giờ sáng."});
  std::string id = LastLine(filed.out);
  REQUIRE(citizen({"sync"}).exit_code == 0);
  // A modified client tries to close its own report.
  REQUIRE(citizen({"dev", "exec", "UPDATE reports SET status='closed' WHERE id='" + id + "'"})
              .exit_code == 0);
  auto sync = citizen({"sync"});
  CHECK_THAT(sync.out + sync.err, Catch::Contains("reject"));
  auto shown = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("status") ==
        "new");  // the device holds the server's view again
}

TEST_CASE(
    "Tour: an official assigns a unit and sets a deadline in the field and the citizen sees both") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("hoa", "mat-khau-hoa", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  REQUIRE(server.Start());
  Cli citizen{tmp.File("citizen.db")};
  Cli official{tmp.File("official.db")};
  REQUIRE(citizen({"login", "--server=" + server.url(), "--name=hoa", "--password=mat-khau-hoa"})
              .exit_code == 0);
  REQUIRE(
      official({"login", "--server=" + server.url(), "--name=canbo.p04", "--password=mat-khau-p04"})
          .exit_code == 0);

  auto filed = citizen({"report", "new", "--category=chieu-sang", "--ward=p04",
                        "--title=Đèn đường tắt cả dãy",
                        "--description=Hẻm 281 Lê Đại Hành tối om từ tối qua."});
  REQUIRE(filed.exit_code == 0);
  std::string id = LastLine(filed.out);

  // Before the sync the report is pending on the citizen's phone; after it, synced.
  auto before = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(before->getValue<std::string>("sync_state") == "pending");
  CHECK(before->getObject("sync")->getValue<int>("pending") == 1);
  CHECK(ParseArray(citizen({"report", "list", "--json"}).out)
            ->getObject(0)
            ->getValue<std::string>("sync_state") == "pending");
  REQUIRE(citizen({"sync"}).exit_code == 0);
  auto after = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(after->getValue<std::string>("sync_state") == "synced");
  CHECK(after->getObject("sync")->getValue<int>("pending") == 0);
  CHECK(citizen({"report", "list"}).out.find("synced") != std::string::npos);

  // The official, offline in the field: assign to the urban management office, set a deadline.
  REQUIRE(official({"sync"}).exit_code == 0);
  auto bad_unit = official({"case", "assign", id, "--unit=phong-khong-co"});
  CHECK(bad_unit.exit_code == 1);
  CHECK_THAT(bad_unit.err, Catch::Contains("unknown unit") && Catch::Contains("không có đơn vị"));
  auto bad_due = official({"case", "deadline", id, "--due=thứ hai tuần sau"});
  CHECK(bad_due.exit_code == 1);
  CHECK_THAT(bad_due.err, Catch::Contains("ISO-8601"));
  auto past_due = official({"case", "deadline", id, "--due=2026-01-05"});
  CHECK(past_due.exit_code == 1);
  CHECK_THAT(past_due.err, Catch::Contains("2026-01-05 17:00 (UTC+7) is in the past") &&
                               Catch::Contains("đã qua"));
  CHECK(official({"case", "assign", id}).exit_code == 2);  // --unit missing: usage
  REQUIRE(
      official({"case", "assign", id, "--unit=phong-qldt", "--note=Chuyển phòng Quản lý đô thị."})
          .exit_code == 0);
  // Vietnam time, as officials say it; kept in UTC.
  auto due = official({"case", "deadline", id, "--due=2099-12-01T17:00:00+07:00"});
  REQUIRE(due.exit_code == 0);
  CHECK_THAT(due.out, Catch::Contains("2099-12-01 17:00 (UTC+7)"));
  auto pending = ParseObject(official({"report", "show", id, "--json"}).out);
  CHECK(pending->getValue<std::string>("sync_state") == "pending");
  CHECK(pending->getObject("sync")->getValue<int>("pending") == 2);
  auto official_sync = official({"sync"});
  INFO(official_sync.out << official_sync.err);
  REQUIRE(official_sync.exit_code == 0);
  CHECK_THAT(official_sync.out, Catch::Contains("rejected 0"));
  CHECK(ParseObject(official({"report", "show", id, "--json"}).out)
            ->getValue<std::string>("sync_state") == "synced");

  // The citizen's phone gets the unit, the deadline and both history entries.
  REQUIRE(citizen({"sync"}).exit_code == 0);
  auto seen = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(seen->getValue<std::string>("assigned_unit") == "phong-qldt");
  CHECK(seen->getValue<std::string>("due_at") == "2099-12-01T10:00:00.000Z");
  CHECK(seen->getValue<std::string>("sync_state") == "synced");
  auto events = seen->getArray("events");
  REQUIRE(events->size() == 2);
  CHECK(events->getObject(0)->getValue<std::string>("kind") == "assignment");
  CHECK(events->getObject(0)->getValue<std::string>("unit") == "phong-qldt");
  CHECK(events->getObject(0)->getValue<std::string>("note") == "Chuyển phòng Quản lý đô thị.");
  CHECK(events->getObject(1)->getValue<std::string>("kind") == "comment");
  CHECK(events->getObject(1)->getValue<std::string>("note") ==
        "Hạn xử lý mới / new deadline: 2099-12-01 17:00 (UTC+7)");
}

TEST_CASE("Tour: a forbidden change shows as rejected on the report until the user discards it") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("tuan", "mat-khau-tuan", "citizen"));
  REQUIRE(server.Start());
  Cli citizen{tmp.File("citizen.db")};
  REQUIRE(citizen({"login", "--server=" + server.url(), "--name=tuan", "--password=mat-khau-tuan"})
              .exit_code == 0);
  std::string id = LastLine(
      citizen({"report", "new", "--category=lan-chiem-via-he", "--ward=p09",
               "--title=Quán lấn chiếm vỉa hè", "--description=Đi bộ phải xuống lòng đường."})
          .out);
  REQUIRE(citizen({"sync"}).exit_code == 0);

  // A modified client closes its own report: pending, then rejected with the server's reason.
  REQUIRE(citizen({"dev", "exec", "UPDATE reports SET status='closed' WHERE id='" + id + "'"})
              .exit_code == 0);
  CHECK(ParseObject(citizen({"report", "show", id, "--json"}).out)
            ->getValue<std::string>("sync_state") == "pending");
  auto sync = citizen({"sync"});
  CHECK(sync.exit_code == 3);  // the exchange went through, the server rejected a change
  CHECK_THAT(sync.err, Catch::Contains("bị từ chối / rejected"));
  // The one line names the table, the row and the server's reason.
  CHECK_THAT(sync.err, Catch::Contains("reports row"));
  CHECK_THAT(sync.err, Catch::Contains(id));
  auto shown = ParseObject(citizen({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("status") == "new");  // the server's view again
  CHECK(shown->getValue<std::string>("sync_state") == "rejected");
  auto rejected = shown->getObject("sync")->getArray("rejected");
  REQUIRE(rejected->size() == 1);
  CHECK_FALSE(rejected->getObject(0)->getValue<std::string>("message").empty());
  int seq = rejected->getObject(0)->getValue<int>("seq");
  CHECK(ParseArray(citizen({"report", "list", "--json"}).out)
            ->getObject(0)
            ->getValue<std::string>("sync_state") == "rejected");
  CHECK_THAT(citizen({"report", "show", id}).out, Catch::Contains("bị từ chối / rejected"));

  // Seen and dismissed: the report is synced again.
  REQUIRE(citizen({"outbox", "discard", std::to_string(seq)}).exit_code == 0);
  CHECK(ParseObject(citizen({"report", "show", id, "--json"}).out)
            ->getValue<std::string>("sync_state") == "synced");
}

TEST_CASE(
    "Tour: a citizen withdraws a report nobody handled, and one an official already accepted") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("mai", "mat-khau-mai", "citizen"));
  REQUIRE(server.AddUser("canbo.p06", "mat-khau-p06", "official", "p06"));
  REQUIRE(server.Start());
  Cli citizen{tmp.File("citizen.db")};
  Cli official{tmp.File("official.db")};
  REQUIRE(citizen({"login", "--server=" + server.url(), "--name=mai", "--password=mat-khau-mai"})
              .exit_code == 0);
  REQUIRE(
      official({"login", "--server=" + server.url(), "--name=canbo.p06", "--password=mat-khau-p06"})
          .exit_code == 0);
  std::string quiet =
      LastLine(citizen({"report", "new", "--category=rac-thai", "--ward=p06",
                        "--title=Rác ở chân cầu", "--description=Đã có người dọn rồi."})
                   .out);
  std::string busy = LastLine(citizen({"report", "new", "--category=rac-thai", "--ward=p06",
                                       "--title=Rác ở chợ", "--description=Bốc mùi cả khu."})
                                  .out);
  REQUIRE(citizen({"sync"}).exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  REQUIRE(official({"case", "status", busy, "accepted", "--note=Đã tiếp nhận."}).exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);

  // Offline, the citizen withdraws both (the device does not know yet that one was accepted).
  REQUIRE(citizen({"report", "withdraw", quiet}).exit_code == 0);
  REQUIRE(citizen({"report", "withdraw", busy}).exit_code == 0);
  CHECK(citizen({"report", "show", quiet}).exit_code == 1);  // gone locally at once
  auto sync = citizen({"sync"});
  INFO(sync.out << sync.err);
  REQUIRE(sync.exit_code == 0);
  CHECK_THAT(sync.err, Catch::Contains("parked"));

  // The quiet one left every view; the accepted one stays, with the withdrawal parked.
  CHECK(citizen({"report", "show", quiet}).exit_code == 1);
  auto kept = ParseObject(citizen({"report", "show", busy, "--json"}).out);
  CHECK(kept->getValue<std::string>("status") == "accepted");
  CHECK(kept->getValue<std::string>("sync_state") == "parked");
  REQUIRE(kept->getObject("sync")->getArray("parked")->size() == 1);
  REQUIRE(official({"sync"}).exit_code == 0);
  CHECK(official({"report", "show", quiet}).exit_code == 1);
  CHECK(official({"report", "show", busy}).exit_code == 0);
  auto again = citizen({"report", "withdraw", busy});  // now the device knows
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("status accepted"));
}
