// Backup and restore against the real server (docs/backup.md): `syncserver backup` while
// four citizens' devices push, `syncserver restore`, and the devices healing from the new
// epoch: the server ends with every report once (also one filed, and one edited, while the
// server was down), and every device holds exactly the server's rows for its scope. Also the
// refusals (a running server, a damaged backup, a missing data folder) and a lying device after a
// restore.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "device_helpers.h"
#include "devicecore/account.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "noise_jpeg.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

struct Person {
  std::string user, password, role, unit;
};

struct Phone {
  Person person;
  std::string path;
  std::unique_ptr<Database> db;
};

const std::vector<Person> kCitizens = {{"dan.mot", "mat-khau-1", "citizen", ""},
                                       {"dan.hai", "mat-khau-2", "citizen", ""},
                                       {"dan.ba", "mat-khau-3", "citizen", ""},
                                       {"dan.bon", "mat-khau-4", "citizen", ""}};
const Person kOfficial{"canbo.q11", "mat-khau-q", "official", "q11"};

// Rows of `table` on a device, in the form ServerDbDump gives the server's.
std::string DeviceDump(const std::string& path, const std::string& table,
                       const std::string& where = "") {
  auto db = sql::Db::Open(path, false);
  REQUIRE(db.ok());
  auto st = db->Prepare("SELECT * FROM " + table + (where.empty() ? "" : " WHERE " + where) +
                        " ORDER BY id");
  REQUIRE(st.ok());
  std::string out;
  int n = sqlite3_column_count(st->get());
  while (*st->Step()) {
    for (int c = 0; c < n; ++c) out += (st->IsNull(c) ? "∅" : st->Text(c)) + "|";
    out += "\n";
  }
  return out;
}

// Syncs until nothing more to exchange and the photos are up; returns whether a sync saw a
// new epoch.
bool SyncQuiet(Phone& p, const std::string& url) {
  auto http = Connect(url);
  bool new_epoch = false;
  for (int round = 0; round < 10; ++round) {
    auto r = Sync(*p.db, *http);
    INFO(p.person.user << ": " << (r.ok() ? "" : r.status().ToString()));
    REQUIRE(r.ok());
    new_epoch = new_epoch || r->new_epoch;
    if (!r->has_more && r->photos.waiting == 0) return new_epoch;
  }
  FAIL(p.person.user << " did not finish syncing in 10 rounds");
  return new_epoch;
}

std::string File(Phone& p, const std::string& title) {
  NewReport r;
  r.category_id = "rac-thai";
  r.ward_id = "p05";
  r.title = title;
  r.description = "Rác chưa được thu gom: " + title;
  auto id = p.db->FileReport(r);
  REQUIRE(id.ok());
  return *id;
}

// Files `n` reports on `p` titled "<user> #<first>..", a comment on every fifth, and a photo
// on the first; syncs after every five when `sync_url` is given.
void FileMany(Phone& p, int first, int n, const std::string& dir, const std::string& sync_url) {
  // A photo of its own (other bytes, another hash) for each batch.
  const std::string jpeg = dir + "/" + p.person.user + "-" + std::to_string(first) + ".jpg";
  std::ofstream(jpeg, std::ios::binary) << NoiseJpeg(
      200 + first, 150 + static_cast<int>(std::hash<std::string>{}(p.person.user) % 97));
  for (int i = first; i < first + n; ++i) {
    const std::string id = File(p, p.person.user + " #" + std::to_string(i));
    if (i % 5 == 0 || i == first) {
      if (i % 5 == 0) REQUIRE(p.db->AddComment(id, "Bổ sung lần " + std::to_string(i)).ok());
      if (i == first) REQUIRE(AttachPhotos(*p.db, id, {jpeg}).ok());
    }
    if (!sync_url.empty() && i % 5 == 4) SyncQuiet(p, sync_url);
  }
}

std::string ServerEpoch(const std::string& data) {
  return ServerDbValue(data, "SELECT epoch FROM server_epoch WHERE id = 1");
}

int ServerCount(const std::string& data, const std::string& sql) {
  return std::stoi(ServerDbValue(data, sql, "0"));
}

// Every phone holds exactly the server's rows for its scope, and nothing waits.
void CheckConverged(std::vector<Phone>& phones, const std::string& data) {
  for (Phone& p : phones) {
    INFO("device of " << p.person.user);
    CHECK(*p.db->PendingCount() == 0);
    auto account = p.db->GetAccount();
    REQUIRE(account.ok());
    const std::string scope =
        p.person.role == "citizen" ? "reporter_ref = '" + account->reporter_ref + "'" : "";
    const std::string child =
        scope.empty() ? "" : "report_id IN (SELECT id FROM reports WHERE " + scope + ")";
    CHECK(DeviceDump(p.path, "reports") == ServerDbDump(data, "reports", scope));
    CHECK(DeviceDump(p.path, "case_events") == ServerDbDump(data, "case_events", child));
    CHECK(DeviceDump(p.path, "photos") == ServerDbDump(data, "photos", child));
  }
}

CommandResult Syncserver(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {SyncserverBin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

bool PhotoComplete(const std::string& data, const std::string& sha) {
  return std::filesystem::exists(data + "/photos/" + sha + ".meta");
}

}  // namespace

TEST_CASE("Backup while four devices push, restore, and the devices heal: 120 reports, once",
          "[sqlite]") {
  TempDir tmp;
  const std::string data = tmp.File("server");
  ServerProcess server(data);
  for (const Person& c : kCitizens) REQUIRE(server.AddUser(c.user, c.password, c.role));
  REQUIRE(server.AddUser(kOfficial.user, kOfficial.password, kOfficial.role, kOfficial.unit));
  REQUIRE(server.Start());
  const std::string url = server.url();
  const std::string jpeg = tmp.path();

  std::vector<Phone> phones;
  for (size_t i = 0; i <= kCitizens.size(); ++i) {
    const Person& who = i < kCitizens.size() ? kCitizens[i] : kOfficial;
    Phone p{who, tmp.File("phone" + std::to_string(i) + ".db"), nullptr};
    p.db = OpenDevice(p.path);
    auto http = Connect(url);
    REQUIRE(Login(*p.db, *http, url, who.user, who.password).ok());
    phones.push_back(std::move(p));
  }
  Phone& official = phones.back();

  // Before the backup: 10 reports on each citizen's phone, synced; the official comments.
  for (size_t i = 0; i < kCitizens.size(); ++i) FileMany(phones[i], 0, 10, jpeg, url);
  SyncQuiet(official, url);
  {
    auto reports = official.db->ListReports();
    REQUIRE(reports.ok());
    REQUIRE(reports->size() == 40);
    REQUIRE(official.db->AddComment((*reports)[3].id, "Đã chuyển phòng TNMT").ok());
    SyncQuiet(official, url);
  }
  const std::string epoch_before = ServerEpoch(data);
  REQUIRE(epoch_before.size() == 32);

  // During the backup: each citizen's phone files and pushes 10 more.
  const std::string backup = tmp.File("backup-1");
  auto backup_run = std::async(std::launch::async, [&] {
    return Syncserver({"backup", "--data=" + data, "--to=" + backup});
  });
  for (size_t i = 0; i < kCitizens.size(); ++i) FileMany(phones[i], 10, 10, jpeg, url);
  CommandResult made = backup_run.get();
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  CHECK(made.err.find("backup: done") != std::string::npos);
  CHECK(made.err.find("pages") != std::string::npos);
  REQUIRE(std::filesystem::exists(backup + "/MANIFEST"));

  // After the backup: 10 more each, a comment by the official on one of them.
  for (size_t i = 0; i < kCitizens.size(); ++i) FileMany(phones[i], 20, 10, jpeg, url);
  SyncQuiet(official, url);
  {
    auto reports = official.db->ListReports();
    REQUIRE(reports.ok());
    REQUIRE(reports->size() == 120);
    REQUIRE(official.db->AddComment(reports->front().id, "Đang xác minh").ok());
    SyncQuiet(official, url);
  }
  REQUIRE(ServerCount(data, "SELECT count(*) FROM reports") == 120);

  // A running server's folder is not restored into.
  CommandResult busy = Syncserver({"restore", "--from=" + backup, "--data=" + data});
  CHECK(busy.exit_code == 1);
  CHECK(busy.err.find("a server is running") != std::string::npos);

  server.Stop();
  // While the server is down, a phone files one more: pending in its outbox at the heal.
  File(phones[1], "dan.hai ngoại tuyến");
  // ... and another edits a report it filed after the backup: the edit is queued on top of a
  // row the restored server lacks, so that row must go up again before the edit.
  {
    auto reports = phones[2].db->ListReports();
    REQUIRE(reports.ok());
    // By title: reports filed in the same millisecond have no "newest".
    auto it = std::find_if(reports->begin(), reports->end(),
                           [](const Report& r) { return r.title == "dan.ba #29"; });
    REQUIRE(it != reports->end());
    REQUIRE(phones[2].db->EditReport(it->id, "dan.ba #29 (đã sửa)", std::nullopt).ok());
  }
  CommandResult restored = Syncserver({"restore", "--from=" + backup, "--data=" + data});
  INFO(restored.err);
  REQUIRE(restored.exit_code == 0);
  const int in_backup = ServerCount(data, "SELECT count(*) FROM reports");
  INFO("reports in the backup: " << in_backup);
  CHECK(in_backup >= 40);
  CHECK(in_backup < 120);  // the last 40 came after it
  const std::string epoch_after = ServerEpoch(data);
  CHECK(epoch_after.size() == 32);
  CHECK(epoch_after != epoch_before);

  REQUIRE(server.Start());
  // A phone waiting for changes with its cursor from the old history is answered at once:
  // it must sync to learn of the new epoch, not wait for the log to catch up with it.
  {
    auto http = Connect(url);
    const auto start = std::chrono::steady_clock::now();
    auto changed = WaitForChanges(*phones[0].db, *http, 20);
    REQUIRE(changed.ok());
    CHECK(*changed);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
  // Each phone syncs (it sees the new epoch, re-pulls from zero, pushes again what the
  // server lacks); twice round, so what one phone pushed again reaches the others.
  for (int round = 0; round < 2; ++round)
    for (Phone& p : phones) {
      bool healed = SyncQuiet(p, url);
      if (round == 0) CHECK(healed);
      if (round == 1) CHECK_FALSE(healed);
    }

  CHECK(ServerCount(data, "SELECT count(*) FROM reports") == 121);
  CHECK(ServerCount(data, "SELECT count(DISTINCT title) FROM reports") == 121);
  CHECK(ServerCount(data, "SELECT count(*) FROM reports WHERE title = 'dan.hai ngoại tuyến'") == 1);
  CHECK(ServerCount(data, "SELECT count(*) FROM reports WHERE title = 'dan.ba #29 (đã sửa)'") == 1);
  for (const Person& c : kCitizens)
    CHECK(ServerCount(data, "SELECT count(*) FROM reports WHERE title LIKE '" + c.user + " #%'") ==
          30);
  // 6 comments on each citizen's 30 reports, and the official's 2.
  CHECK(ServerCount(data, "SELECT count(*) FROM case_events WHERE kind = 'comment'") == 26);
  CHECK(ServerCount(data, "SELECT count(*) FROM photos") == 12);
  std::string error;
  auto shas = ServerRows(data, "SELECT DISTINCT sha256 FROM photos", &error);
  REQUIRE(shas.has_value());
  CHECK(shas->size() == 12);
  for (const auto& row : *shas) CHECK(PhotoComplete(data, *row[0]));
  // The refused: none (the re-pushed rows are the phones' own, as first filed).
  for (Phone& p : phones) {
    auto settled = p.db->SettledChanges();
    REQUIRE(settled.ok());
    for (const SettledChange& s : *settled) CHECK(s.verdict == "merged");
  }
  CheckConverged(phones, data);

  // A second cycle: back up, one more report after it, restore, heal.
  const std::string backup2 = tmp.File("backup-2");
  CommandResult made2 = Syncserver({"backup", "--data=" + data, "--to=" + backup2});
  INFO(made2.err);
  REQUIRE(made2.exit_code == 0);
  File(phones[0], "dan.mot sau bản sao lưu thứ hai");
  SyncQuiet(phones[0], url);
  SyncQuiet(official, url);
  server.Stop();
  REQUIRE(Syncserver({"restore", "--from=" + backup2, "--data=" + data}).exit_code == 0);
  CHECK(ServerCount(data, "SELECT count(*) FROM reports") == 121);
  const std::string epoch_third = ServerEpoch(data);
  CHECK(epoch_third != epoch_after);
  CHECK(epoch_third != epoch_before);
  REQUIRE(server.Start());
  for (int round = 0; round < 2; ++round)
    for (Phone& p : phones) SyncQuiet(p, url);
  CHECK(ServerCount(data, "SELECT count(*) FROM reports") == 122);
  CHECK(ServerCount(data, "SELECT count(DISTINCT title) FROM reports") == 122);
  CheckConverged(phones, data);
}

TEST_CASE("Backup and restore refuse clearly: missing folder, existing target, damaged backup",
          "[sqlite]") {
  TempDir tmp;
  const std::string data = tmp.File("server");
  ServerProcess server(data);
  REQUIRE(server.AddUser("dan.mot", "mat-khau-1", "citizen"));

  CommandResult missing =
      Syncserver({"backup", "--data=" + tmp.File("nowhere"), "--to=" + tmp.File("b")});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no data folder") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.File("b")));

  std::filesystem::create_directories(tmp.File("not-q11"));
  { std::ofstream(tmp.File("not-q11/syncserver.db")) << "hello"; }
  CommandResult foreign =
      Syncserver({"backup", "--data=" + tmp.File("not-q11"), "--to=" + tmp.File("b")});
  CHECK(foreign.exit_code == 1);
  CHECK(foreign.err.find("not a syncserver data folder") != std::string::npos);

  const std::string backup = tmp.File("backup");
  REQUIRE(Syncserver({"backup", "--data=" + data, "--to=" + backup}).exit_code == 0);
  CommandResult again = Syncserver({"backup", "--data=" + data, "--to=" + backup});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("exists") != std::string::npos);
  CHECK(Syncserver({"backup", "--data=" + data, "--to=" + backup, "--force"}).exit_code == 0);

  CommandResult pg = Syncserver(
      {"backup", "--data=" + data, "--to=" + tmp.File("pg"), "--database=postgresql://x@y/z"});
  CHECK(pg.exit_code == 1);
  CHECK(pg.err.find("pg_dump") != std::string::npos);

  CommandResult not_backup = Syncserver({"restore", "--from=" + data, "--data=" + data});
  CHECK(not_backup.exit_code == 1);
  CHECK(not_backup.err.find("not a syncserver backup") != std::string::npos);

  // A damaged database: pages overwritten in the middle of the file.
  const std::string epoch = ServerEpoch(data);
  {
    std::fstream f(backup + "/syncserver.db", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 3);
    const std::string junk(4096 * 4, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  CommandResult damaged = Syncserver({"restore", "--from=" + backup, "--data=" + data});
  INFO(damaged.err);
  CHECK(damaged.exit_code == 1);
  CHECK((damaged.err.find("damaged") != std::string::npos ||
         damaged.err.find("not a readable") != std::string::npos));
  // Nothing changed.
  CHECK(ServerEpoch(data) == epoch);
  CHECK_FALSE(std::filesystem::exists(data + "/syncserver.db.restoring"));
  REQUIRE(server.Start());  // and the server still starts on it
}

// On both engines: a new epoch (`restore --new-epoch`, what follows a restore by pg_restore)
// makes the devices rebuild from zero; a device lying in its "re-push" is refused as any
// push would be.
TEST_CASE("A new epoch: devices rebuild from zero, and a lying device's re-push is refused") {
  TempDir tmp;
  const std::string data = tmp.File("server");
  ServerProcess server(data);
  REQUIRE(server.AddUser("dan.mot", "mat-khau-1", "citizen"));
  REQUIRE(server.AddUser("dan.hai", "mat-khau-2", "citizen"));
  REQUIRE(server.Start());
  const std::string url = server.url();
  std::vector<Phone> phones;
  for (int i = 0; i < 2; ++i) {
    const Person& who = kCitizens[static_cast<size_t>(i)];
    Phone p{who, tmp.File("phone" + std::to_string(i) + ".db"),
            OpenDevice(tmp.File("phone" + std::to_string(i) + ".db"))};
    auto http = Connect(url);
    REQUIRE(Login(*p.db, *http, url, who.user, who.password).ok());
    phones.push_back(std::move(p));
  }
  for (int i = 0; i < 3; ++i) File(phones[0], "dan.mot #" + std::to_string(i));
  File(phones[1], "dan.hai #0");
  for (Phone& p : phones) SyncQuiet(p, url);
  const std::string epoch = ServerEpoch(data);
  auto victim = phones[0].db->ListReports();
  REQUIRE(victim.ok());
  auto victim_account = phones[0].db->GetAccount();
  REQUIRE(victim_account.ok());

  server.Stop();
  CommandResult renewed =
      Run(WithDatabase({SyncserverBin(), "restore", "--new-epoch", "--data=" + data}));
  INFO(renewed.err);
  REQUIRE(renewed.exit_code == 0);
  CHECK(ServerEpoch(data) != epoch);
  REQUIRE(server.Start());

  // dan.hai's phone lies while it "heals": a report under dan.mot's pseudonym, and dan.mot's
  // report id with other values (as if it were its own, lost by the restore).
  REQUIRE(phones[1]
              .db
              ->ExecCaptured("INSERT INTO reports (id, kind, category_id, ward_id, title, "
                             "description, status, reporter_ref, created_at, updated_at) VALUES "
                             "('01890000-0000-7000-8000-00000000beef', 'phan_anh', 'rac-thai', "
                             "'p05', 'giả mạo', 'giả mạo', 'new', '" +
                             victim_account->reporter_ref +
                             "', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')")
              .ok());
  REQUIRE(phones[1]
              .db
              ->ExecCaptured("INSERT OR REPLACE INTO reports (id, kind, category_id, ward_id, "
                             "title, description, status, created_at, updated_at) VALUES ('" +
                             victim->front().id +
                             "', 'phan_anh', 'rac-thai', 'p05', 'chiếm đoạt', 'chiếm đoạt', "
                             "'new', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')")
              .ok());
  for (Phone& p : phones) CHECK(SyncQuiet(p, url));
  auto settled = phones[1].db->SettledChanges();
  REQUIRE(settled.ok());
  REQUIRE(settled->size() == 2);
  for (const SettledChange& s : *settled) CHECK(s.verdict == "rejected");
  CHECK(ServerCount(data, "SELECT count(*) FROM reports") == 4);
  CHECK(ServerCount(data,
                    "SELECT count(*) FROM reports WHERE title IN ('giả mạo', 'chiếm đoạt')") == 0);
  // Rebuilt: the phones hold the server's rows for their scope, nothing doubled.
  for (Phone& p : phones) SyncQuiet(p, url);
  CheckConverged(phones, data);
}
