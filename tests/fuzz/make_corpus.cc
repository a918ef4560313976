// Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/): valid sync requests and
// responses, real changesets captured with the session extension on the synced schema, and
// the known-bad inputs kept as regressions; for the intake targets, pushed entries against
// the seed report the server target files at start-up and pulls as the server sends them
// (fuzz_rows.h). The output is deterministic; run it again after
// a protocol change and check in the files:
//   fuzz_make_corpus tests/fuzz/corpus
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../server/sessioncorrupt_changeset.h"
#include "fuzz_rows.h"
#include "protocol/schema.h"
#include "protocol/sync_messages.h"

namespace {

namespace fs = std::filesystem;
using q11::fuzz::Capture;
using q11::fuzz::Exec;

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

constexpr const char* kReport = q11::fuzz::kSeedReport;

std::string ReportInsert(const char* id, const char* status) {
  return std::string(
             "INSERT INTO reports(id, kind, category_id, ward_id, title, description, "
             "lat, lon, status, reporter_ref, created_at, updated_at) VALUES ('") +
         id +
         "', 'phan_anh', 'chieu-sang', 'p03', 'Đèn đường hỏng', 'Đường Lãnh Binh Thăng', 10.7627, "
         "106.6502, '" +
         status + "', 'cd-abcdefghijkl', '2026-05-01T08:00:00.000Z', '2026-05-01T08:00:00.000Z');";
}

std::string SessionCorrupt() {
  return std::string(kSessionCorruptChangeset, sizeof(kSessionCorruptChangeset) - 1);
}

// fuzz_server_push: the first byte picks the account (0 citizen, 1 official of p03, 2
// district official, 3 leader; +4: with a pull cursor), the rest is the entry's changeset.
void WriteServerPushSeeds(const fs::path& dir) {
  using namespace q11::fuzz;
  const std::string seed = PhoneReportSql(kSeedReport);
  auto as = [](char who, const std::string& changeset) { return std::string(1, who) + changeset; };
  Write(dir, "citizen-files-report", as(0, CaptureOnSyncedSchema("", PhoneReportSql(kNewReport))));
  Write(dir, "citizen-comments",
        as(0, CaptureOnSyncedSchema(seed, EventSql("0195f3a0-7c1e-7000-8000-00000000e101",
                                                   kSeedReport, "comment", "", "Vẫn còn hỏng"))));
  Write(dir, "citizen-edits-title",
        as(0, CaptureOnSyncedSchema(seed, std::string("UPDATE reports SET title = 'Đèn tắt', "
                                                      "updated_at = '2026-11-27T08:40:00.000Z' "
                                                      "WHERE id = '") +
                                              kSeedReport + "';")));
  Write(dir, "citizen-withdraws",
        as(0, CaptureOnSyncedSchema(
                  seed, std::string("DELETE FROM reports WHERE id = '") + kSeedReport + "';")));
  Write(dir, "ward-official-accepts-with-cursor",
        as(1 | 4, CaptureOnSyncedSchema(
                      seed, std::string("UPDATE reports SET status = 'accepted', updated_at = "
                                        "'2026-11-27T08:50:00.000Z' WHERE id = '") +
                                kSeedReport + "';" +
                                EventSql("0195f3a0-7c1e-7000-8000-00000000e102", kSeedReport,
                                         "status", "accepted", "Đã tiếp nhận"))));
  Write(dir, "district-official-assigns",
        as(2, CaptureOnSyncedSchema(seed, std::string("UPDATE reports SET assigned_unit = "
                                                      "'phong-qldt', updated_at = "
                                                      "'2026-11-27T08:55:00.000Z' WHERE id = '") +
                                              kSeedReport + "';")));
  Write(dir, "leader-writes-units",
        as(3, CaptureOnSyncedSchema("",
                                    "INSERT INTO units (id, parent_id, kind, name_vi, name_en) "
                                    "VALUES ('p99', 'q11', 'ward', 'Phường 99', 'Ward 99');")));
  Write(dir, "sessioncorrupt", as(0, SessionCorrupt()));
  Write(dir, "lone-T", as(1, "T"));
}

// fuzz_device_pull: a pull changeset as the server builds it (whole rows, tombstones,
// the stamped columns of a device's own report), and the hostile ones.
void WriteDevicePullSeeds(const fs::path& dir) {
  using namespace q11::fuzz;
  const std::string seed = PhoneReportSql(kSeedReport);
  std::string rows = CaptureOnSyncedSchema(
      "", PhoneReportSql(kNewReport) + EventSql("0195f3a0-7c1e-7000-8000-00000000e201", kNewReport,
                                                "status", "accepted", "Đã tiếp nhận"));
  Write(dir, "report-and-event", rows);
  Write(dir, "stamped-columns",
        CaptureOnSyncedSchema(seed, std::string("UPDATE reports SET receipt_code = "
                                                "'Q11-7KXM-42PA', reporter_ref = "
                                                "'cd-abcdefghijkl', due_at = "
                                                "'2026-11-30T09:00:00.000Z' WHERE id = '") +
                                        kSeedReport + "';"));
  Write(dir, "tombstone",
        CaptureOnSyncedSchema(
            seed, std::string("DELETE FROM reports WHERE id = '") + kSeedReport + "';"));
  Write(dir, "units-row",
        CaptureOnSyncedSchema("",
                              "INSERT INTO units (id, parent_id, kind, name_vi, name_en) "
                              "VALUES ('p99', 'q11', 'ward', 'Phường 99', 'Ward 99');"));
  sqlite3* narrow = nullptr;
  sqlite3_open(":memory:", &narrow);
  Exec(narrow, "CREATE TABLE reports (id TEXT PRIMARY KEY, kind TEXT, title TEXT)");
  Write(dir, "reports-twice-two-shapes",
        rows + Capture(narrow, "INSERT INTO reports VALUES ('x', 'phan_anh', 'x')"));
  sqlite3_close(narrow);
  Write(dir, "sessioncorrupt", SessionCorrupt());
  Write(dir, "sessioncorrupt-units", SessionCorruptUnitsChangeset());
  Write(dir, "lone-T", "T");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus DIR\n");
    return 2;
  }
  fs::path root(argv[1]);
  fs::path cs = root / "changeset", env = root / "envelope";

  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  Exec(db, std::string(q11::schema::SyncedTablesSql()));

  std::vector<std::string> changesets = {
      Capture(db, ReportInsert(kReport, "new")),
      Capture(db, std::string("INSERT INTO case_events(id, report_id, kind, status, note, "
                              "author_ref, author_role, created_at) VALUES "
                              "('0195f3a0-7c1e-7000-8000-00000000e001', '") +
                      kReport +
                      "', 'comment', NULL, 'Đã tiếp nhận', 'cd-abcdefghijkl', 'citizen', "
                      "'2026-05-01T09:00:00.000Z');"),
      Capture(db, std::string("UPDATE reports SET status = 'accepted', assigned_unit = 'p03', "
                              "updated_at = '2026-05-02T08:00:00.000Z' WHERE id = '") +
                      kReport + "';"),
      Capture(db, std::string("DELETE FROM case_events; DELETE FROM reports WHERE id = '") +
                      kReport + "';"),
  };
  const char* names[] = {"report-insert", "event-insert", "report-update", "delete-two-tables"};
  for (size_t i = 0; i < changesets.size(); ++i) Write(cs, names[i], changesets[i]);
  Write(cs, "sessioncorrupt",
        std::string(kSessionCorruptChangeset, sizeof(kSessionCorruptChangeset) - 1));
  Write(cs, "lone-T", "T");
  sqlite3_close(db);

  WriteServerPushSeeds(root / "server_push");
  WriteDevicePullSeeds(root / "device_pull");

  using namespace q11::wire;
  SyncRequest empty;
  empty.device_id = "0195f3a0-7c1e-7000-8000-0000000000d1";
  empty.client = "q11/0.1.0";
  Write(env, "request-empty", EncodeSyncRequest(empty));
  SyncRequest push = empty;
  push.cursor = 42;
  push.max_pull_rows = 500;
  for (size_t i = 0; i < 3; ++i) push.push.push_back({i + 7, changesets[i]});
  Write(env, "request-push", EncodeSyncRequest(push));

  SyncResponse resp;
  resp.cursor = 57;
  resp.server_time_ms = 1'780'000'000'000;
  resp.verdicts = {{7, Verdict::kApplied, 55, ""},
                   {8, Verdict::kMerged, 56, "reports row … column status: workflow / quy trình"},
                   {9, Verdict::kRejected, 0, "reports row … column status: not allowed"}};
  resp.pull_rows = 2;
  resp.pull_changeset = changesets[0] + changesets[1];
  Write(env, "response-verdicts-pull", EncodeSyncResponse(resp));
  SyncResponse paged;
  paged.cursor = 1000;
  paged.has_more = true;
  Write(env, "response-empty-has-more", EncodeSyncResponse(paged));
  Write(env, "lone-T", "T");
  std::printf("corpus written to %s\n", root.c_str());
  return 0;
}
