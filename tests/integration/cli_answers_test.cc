// Honest answers from the command lines (issue 13), through the real q11 and syncserver
// binaries against the real server on a loopback port: what q11 sync's exit code says, a
// wrong password named as such, admin commands that refuse a mistyped data folder, reports
// named by their receipt codes, times shown in Vietnam time with their offset.
#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "cli_driver.h"
#include "cutting_proxy.h"
#include "noise_jpeg.h"
#include "protocol/ids.h"
#include "test_backend.h"

using namespace q11::test;

namespace {

// A real JPEG of noise (a few hundred KiB: more than one upload chunk's cut point).
std::string NoiseJpegFile600(const std::string& path) { return NoiseJpegFile(path, 600, 500); }

// A citizen and a ward 4 official, both logged in, and one report of the citizen that the
// official has received. The report id and its receipt code as the server keeps it.
struct Ward4 {
  TempDir tmp;
  ServerProcess server{tmp.File("server")};
  Cli citizen{tmp.File("citizen.db")};
  Cli official{tmp.File("official.db")};

  Ward4() {
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(server.Start());
    REQUIRE(citizen({"login", "--server=" + server.url(), "--name=lan", "--password=mat-khau-lan"})
                .exit_code == 0);
    REQUIRE(official({"login", "--server=" + server.url(), "--name=canbo.p04",
                      "--password=mat-khau-p04"})
                .exit_code == 0);
  }

  // Files a report as the citizen, syncs both sides; returns its id.
  std::string File(const std::string& category, const std::string& title) {
    auto filed = citizen({"report", "new", "--category=" + category, "--ward=p04",
                          "--title=" + title, "--description=Mô tả."});
    REQUIRE(filed.exit_code == 0);
    REQUIRE(citizen({"sync"}).exit_code == 0);
    REQUIRE(official({"sync"}).exit_code == 0);
    return LastLine(filed.out);
  }

  std::string CodeOf(const std::string& id) {
    return ParseObject(official({"report", "show", id, "--json"}).out)
        ->getValue<std::string>("receipt_code");
  }
};

// "2026-12-08": the day `days` from now in Vietnam (UTC+7).
std::string VietnamDay(int days) {
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return q11::FormatUtc(ms + days * 86400000LL + 7 * 3600000LL).substr(0, 10);
}

// The data lines of `q11 report list` (after its header), in order.
std::vector<std::string> ListedLines(const std::string& out) {
  std::vector<std::string> lines;
  size_t start = out.find('\n');
  while (start != std::string::npos && start + 1 < out.size()) {
    size_t end = out.find('\n', start + 1);
    lines.push_back(out.substr(start + 1, end - start - 1));
    start = end;
  }
  return lines;
}

}  // namespace

TEST_CASE("Sync answers: exit 3 names the rejected change, its report, its code and why") {
  Ward4 w;
  std::string id = w.File("rac-thai", "Rác tồn đọng ở hẻm 12");
  std::string code = w.CodeOf(id);
  // A modified official client closes a new case: no such step (docs/workflow.md).
  REQUIRE(
      w.official({"dev", "exec", "UPDATE reports SET status = 'closed' WHERE id = '" + id + "'"})
          .exit_code == 0);
  auto seq = ParseArray(w.official({"outbox", "--json"}).out)->getObject(0)->getValue<int>("seq");
  auto sync = w.official({"sync"});
  INFO(sync.out << sync.err);
  CHECK(sync.exit_code == 3);
  CHECK_THAT(sync.err, Catch::Contains("q11: #" + std::to_string(seq) + " bị từ chối / rejected"));
  CHECK_THAT(sync.err, Catch::Contains("report " + id + " (" + code + ")"));
  CHECK_THAT(sync.err, Catch::Contains("closed"));  // the server's reason names the step
  CHECK_THAT(sync.err, Catch::Contains("the server rejected 1 change(s)"));
  // Said once: the next sync has nothing refused and nothing waiting.
  auto again = w.official({"sync"});
  CHECK(again.exit_code == 0);
  CHECK(again.err.empty());
}

TEST_CASE("Sync answers: exit 4 while photos wait, saying how many and the bytes left") {
  Ward4 w;
  std::string id = w.File("chieu-sang", "Đèn đường tắt");
  std::string photo = NoiseJpegFile600(w.tmp.File("den.jpg"));
  const auto size = std::filesystem::file_size(photo);
  REQUIRE(size > 100 * 1024);
  REQUIRE(w.citizen({"photo", "add", id, photo}).exit_code == 0);
  // A link that breaks once 20-30 KB went up on a connection: the sync request passes,
  // the photo's first chunk does not.
  CuttingProxy::Options cut;
  cut.cuts = 1000;
  cut.min_bytes = 20000;
  cut.max_bytes = 30000;
  CuttingProxy proxy(w.server.port(), cut);
  REQUIRE(proxy.Start());
  auto broken = w.citizen({"sync", "--server=" + proxy.url(), "--attempts=1"});
  INFO(broken.out << broken.err);
  CHECK(broken.exit_code == 4);
  CHECK_THAT(broken.out, Catch::Contains("applied 1"));  // the photo's row went through
  // Nothing of the photo reached the server: all of it is left (q11 counts KiB under 1 MiB).
  REQUIRE(size < 1024 * 1024);
  const std::string left = std::to_string(size / 1024) + " KiB";
  CHECK_THAT(broken.err, Catch::Contains("còn chờ gửi / still waiting: 1 ảnh, còn " + left +
                                         " / 1 photo(s), " + left + " left"));
  CHECK(proxy.cuts_done() >= 1);

  auto whole = w.citizen({"sync"});
  INFO(whole.out << whole.err);
  CHECK(whole.exit_code == 0);
  CHECK_THAT(whole.out, Catch::Contains("Ảnh / photos: sent 1"));
}

TEST_CASE("Sync answers: exit 1 when the server cannot be reached or refuses the request") {
  Ward4 w;
  w.File("rac-thai", "Rác");
  REQUIRE(w.citizen({"report", "new", "--category=rac-thai", "--ward=p04", "--title=Rác nữa",
                     "--description=Ở chợ."})
              .exit_code == 0);
  w.server.Stop();
  auto down = w.citizen({"sync", "--attempts=1"});
  CHECK(down.exit_code == 1);
  CHECK_THAT(down.err,
             Catch::Contains("Không kết nối được máy chủ") && Catch::Contains("1 changes waiting"));

  REQUIRE(w.server.Start());
  REQUIRE(Run({SyncserverBin(), "user", "disable", "--data=" + w.server.data_dir(), "--name=lan"})
              .exit_code == 0);
  auto refused = w.citizen({"sync"});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("1 changes waiting"));
}

TEST_CASE("Login: a wrong password is called that, not an expired session") {
  Ward4 w;
  auto wrong =
      w.citizen({"login", "--server=" + w.server.url(), "--name=lan", "--password=sai-mat-khau"});
  CHECK(wrong.exit_code == 1);
  CHECK_THAT(wrong.err,
             Catch::Contains("Sai tên đăng nhập hoặc mật khẩu / wrong name or password"));
  CHECK_THAT(wrong.err, !Catch::Contains("phiên hết hạn") && !Catch::Contains("expired"));
  auto nobody = w.citizen(
      {"login", "--server=" + w.server.url(), "--name=khong-co-ai", "--password=mat-khau-lan"});
  CHECK(nobody.exit_code == 1);
  CHECK_THAT(nobody.err, Catch::Contains("wrong name or password"));
  // A sync whose session is gone still says so.
  REQUIRE(w.citizen({"logout"}).exit_code == 0);
  auto out = w.citizen({"sync"});
  CHECK(out.exit_code == 1);
  CHECK_THAT(out.err, Catch::Contains("Chưa đăng nhập hoặc phiên hết hạn"));
}

TEST_CASE("Admin commands refuse a data folder that is missing or holds no database") {
  TempDir tmp;
  const std::string missing = tmp.File("dataa");  // a typo of "data"
  const std::string empty = tmp.File("empty");
  std::filesystem::create_directories(empty);
  const std::vector<std::vector<std::string>> commands = {
      {"user", "list"},
      {"user", "disable", "--name=lan"},
      {"user", "contact", "--name=lan"},
      {"conflicts", "list"},
      {"conflicts", "show", "1"},
      {"apikey", "list"},
      {"apikey", "add", "--name=ung-dung"},
      {"photos", "prune"},
      {"report", "units", "--from=2026-11-01", "--to=2026-11-30"},
      {"report", "cases", "--from=2026-11-01", "--to=2026-11-30"},
  };
  for (const auto& command : commands) {
    std::vector<std::string> argv = {SyncserverBin()};
    argv.insert(argv.end(), command.begin(), command.end());
    argv.push_back("--data=" + missing);
    auto r = Run(argv);
    INFO(command[0] << " " << command[1] << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("no data folder " + missing) &&
                          Catch::Contains("check --data") &&
                          Catch::Contains("không có thư mục dữ liệu"));
    CHECK_FALSE(std::filesystem::exists(missing));

    // On PostgreSQL the data is in the database the URL names, not in the folder.
    if (PostgresBackend()) continue;
    argv.back() = "--data=" + empty;
    r = Run(argv);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("holds no server database"));
    CHECK(std::filesystem::is_empty(empty));
  }
  // The commands that make a server's data still make it.
  REQUIRE(Run({SyncserverBin(), "user", "add", "--data=" + missing, "--name=lan",
               "--password=mat-khau-lan", "--role=citizen"})
              .exit_code == 0);
  auto listed = Run({SyncserverBin(), "user", "list", "--data=" + missing});
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("lan"));
}

TEST_CASE("Receipt codes name reports in q11 commands; report list filters and sorts by deadline") {
  Ward4 w;
  // Noise (4 working hours) is due before waste (2 working days), though filed first.
  std::string noise = w.File("tieng-on", "Karaoke quá nửa đêm");
  std::string waste = w.File("rac-thai", "Rác tồn đọng ở hẻm 12");
  std::string noise_code = w.CodeOf(noise), waste_code = w.CodeOf(waste);
  REQUIRE(noise_code.size() == 13);

  // Any spelling of the code, or its start when only one code starts so.
  std::string lower_compact;
  for (char c : waste_code)
    if (c != '-') lower_compact.push_back(static_cast<char>(std::tolower(c)));
  for (const std::string& named : {waste_code, lower_compact, waste_code.substr(4, 4)}) {
    auto shown = w.official({"report", "show", named, "--json"});
    INFO(named << ": " << shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK(ParseObject(shown.out)->getValue<std::string>("id") == waste);
  }
  auto unknown = w.official({"report", "show", "Q11-2222-2222"});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no report with receipt code Q11-2222-2222"));

  // Case work by code.
  REQUIRE(
      w.official({"case", "status", waste_code, "accepted", "--template=tiep-nhan"}).exit_code ==
      0);
  auto due = w.official({"case", "deadline", lower_compact, "--due=" + VietnamDay(3)});
  INFO(due.err);
  REQUIRE(due.exit_code == 0);
  CHECK_THAT(due.out, Catch::Contains(VietnamDay(3) + " 17:00 (UTC+7)"));
  auto past = w.official({"case", "progress", waste_code, "--note=Chờ xe",
                          "--expected=" + VietnamDay(-1) + "T09:00:00+07:00"});
  CHECK(past.exit_code == 1);
  CHECK_THAT(past.err, Catch::Contains(VietnamDay(-1) + " 09:00 (UTC+7) is in the past"));
  REQUIRE(w.official({"sync"}).exit_code == 0);

  // The list: code, status, deadline in Vietnam time, soonest first (not newest first).
  auto list = w.official({"report", "list"});
  REQUIRE(list.exit_code == 0);
  auto lines = ListedLines(list.out);
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[0],
             Catch::StartsWith(noise_code) && Catch::Contains("(UTC+7)") && Catch::Contains(noise));
  CHECK_THAT(lines[1], Catch::StartsWith(waste_code) && Catch::Contains("accepted") &&
                           Catch::Contains(VietnamDay(3) + " 17:00 (UTC+7)"));
  // --utc shows the same instant in UTC; --json keeps UTC ISO, newest first.
  CHECK_THAT(w.official({"--utc", "report", "list"}).out,
             Catch::Contains(VietnamDay(3) + " 10:00 (UTC)") && !Catch::Contains("(UTC+7)"));
  auto json = ParseArray(w.official({"report", "list", "--json"}).out);
  REQUIRE(json->size() == 2);
  CHECK(json->getObject(0)->getValue<std::string>("id") == waste);
  CHECK(json->getObject(0)->getValue<std::string>("due_at") == VietnamDay(3) + "T10:00:00.000Z");

  // Filters.
  auto by_status = ListedLines(w.official({"report", "list", "--status=accepted"}).out);
  REQUIRE(by_status.size() == 1);
  CHECK_THAT(by_status[0], Catch::StartsWith(waste_code));
  CHECK_THAT(w.official({"report", "list", "--ward=p05"}).out, Catch::Contains("no reports"));
  auto by_text = ListedLines(w.official({"report", "list", "--search=karaoke"}).out);
  REQUIRE(by_text.size() == 1);
  CHECK_THAT(by_text[0], Catch::StartsWith(noise_code));
  auto by_code = ListedLines(w.official({"report", "list", "--search=" + lower_compact}).out);
  REQUIRE(by_code.size() == 1);
  CHECK_THAT(by_code[0], Catch::StartsWith(waste_code));
  // Overdue: a deadline gone (set by a modified client; q11 itself refuses one).
  REQUIRE(w.official({"dev", "exec",
                      "UPDATE reports SET due_at = '2026-01-05T10:00:00.000Z' WHERE id = '" +
                          noise + "'"})
              .exit_code == 0);
  REQUIRE(w.official({"sync"}).exit_code == 0);
  auto overdue = ListedLines(w.official({"report", "list", "--overdue"}).out);
  REQUIRE(overdue.size() == 1);
  CHECK_THAT(overdue[0], Catch::StartsWith(noise_code) && Catch::Contains("new!") &&
                             Catch::Contains("2026-01-05 17:00 (UTC+7)"));
  // The case history in Vietnam time too.
  CHECK_THAT(w.official({"report", "show", waste_code}).out,
             Catch::Contains("(UTC+7) status → accepted"));
}
