// Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/): valid sync requests and
// responses, real changesets captured with the session extension on the synced schema, and
// the known-bad inputs kept as regressions. The output is deterministic; run it again after
// a protocol change and check in the files:
//   fuzz_make_corpus tests/fuzz/corpus
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../server/sessioncorrupt_changeset.h"
#include "protocol/schema.h"
#include "protocol/sync_messages.h"

namespace {

namespace fs = std::filesystem;

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "make_corpus: %s\n", err);
    std::exit(1);
  }
}

// The changeset of `sql` run on `db` under a fresh session on every table.
std::string Capture(sqlite3* db, const std::string& sql) {
  sqlite3_session* s = nullptr;
  sqlite3session_create(db, "main", &s);
  sqlite3session_attach(s, nullptr);
  Exec(db, sql);
  int n = 0;
  void* p = nullptr;
  sqlite3session_changeset(s, &n, &p);
  std::string out(static_cast<const char*>(p), static_cast<size_t>(n));
  sqlite3_free(p);
  sqlite3session_delete(s);
  return out;
}

constexpr char kReport[] = "0195f3a0-7c1e-7000-8000-00000000a001";

std::string ReportInsert(const char* id, const char* status) {
  return std::string(
             "INSERT INTO reports(id, kind, category_id, ward_id, title, description, "
             "lat, lon, status, reporter_ref, created_at, updated_at) VALUES ('") +
         id +
         "', 'phan_anh', 'chieu-sang', 'p03', 'Đèn đường hỏng', 'Đường Lãnh Binh Thăng', 10.7627, "
         "106.6502, '" +
         status + "', 'cd-abcdefghijkl', '2026-05-01T08:00:00.000Z', '2026-05-01T08:00:00.000Z');";
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
