// Power cuts while a photo is attached (photo_library.cc), on a real device database with a
// FileSync that simulates the cut (crash_file_sync.h): at every step (before the file's
// sync, before the folder's, before the row's commit, after it), the reopened device has
// either no row, or a row whose bytes are all there and hash to its sha256. Never a row
// naming missing or partial bytes. A failing disk is a clear error that writes no row.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "crash_file_sync.h"
#include "database_impl.h"
#include "devicecore/photos.h"
#include "photo_folder.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;
using q11::test::CrashFileSync;

namespace {

// What the camera wrote: a JPEG header and 300 KiB of noise (the device only sniffs the
// type; the server decodes).
std::string CameraFile(const std::string& path) {
  std::string bytes("\xFF\xD8\xFF\xE0", 4);
  std::mt19937 rng(7);
  for (int i = 0; i < 300 * 1024; ++i) bytes.push_back(static_cast<char>(rng()));
  std::ofstream(path, std::ios::binary) << bytes;
  return bytes;
}

struct Phone {
  explicit Phone(FileSync* sync) : path(tmp.File("phone.db")) {
    options.env = &env;
    options.file_sync = sync;
  }
  std::unique_ptr<Database> Open() {
    auto db = Database::Open(path, options);
    REQUIRE(db.ok());
    return std::move(*db);
  }
  std::string PhotoDir() const { return path + ".photos"; }

  TempDir tmp;
  std::string path;
  FakeEnv env;
  Options options;
};

std::string FiledReport(Database& db) {
  NewReport r;
  r.category_id = "rac-thai";
  r.ward_id = "p05";
  r.title = "Rác tồn đọng";
  r.description = "Đã 3 ngày chưa thu gom";
  auto id = db.FileReport(r);
  REQUIRE(id.ok());
  return *id;
}

// Every photo row of the report names bytes that are all there and hash right; returns
// how many rows there are.
size_t RequireRowsWhole(Database& db, const std::string& report, const std::string& dir) {
  auto photos = ListPhotos(db, report);
  REQUIRE(photos.ok());
  for (const Photo& p : *photos) {
    const std::string file = dir + "/" + p.sha256 + ".original";
    REQUIRE(std::filesystem::exists(file));
    REQUIRE(static_cast<int64_t>(std::filesystem::file_size(file)) == p.bytes);
    auto sha = Sha256OfFile(file);
    REQUIRE(sha.ok());
    REQUIRE(*sha == p.sha256);
  }
  return photos->size();
}

// Makes the next commit on `db` roll back instead (the power goes just before it).
void AbortNextCommit(Database& db) {
  sqlite3_commit_hook(
      DatabaseImpl::From(db)->db().get(), [](void*) { return 1; }, nullptr);
}

}  // namespace

TEST_CASE("Photo attach: a power cut at any step leaves no row or a row with whole bytes") {
  int steps = 0;
  {  // How many syncs an attach makes (the file, its folder).
    CrashFileSync sync;
    Phone phone(&sync);
    sync.Watch(phone.PhotoDir());  // as below: the folder is there already
    auto db = phone.Open();
    std::string report = FiledReport(*db);
    CameraFile(phone.tmp.File("cam.jpg"));
    sync.FailFrom(0);
    REQUIRE(AttachPhotos(*db, report, {phone.tmp.File("cam.jpg")}).ok());
    steps = sync.calls();
  }
  REQUIRE(steps >= 2);
  // cut 1..steps: before that sync; steps + 1: before the row's commit; steps + 2: after.
  for (int cut = 1; cut <= steps + 2; ++cut) {
    CAPTURE(cut);
    CrashFileSync sync;
    Phone phone(&sync);
    sync.Watch(phone.PhotoDir());
    std::string report;
    {
      auto db = phone.Open();
      report = FiledReport(*db);
      CameraFile(phone.tmp.File("cam.jpg"));
      if (cut <= steps) sync.FailFrom(cut);
      if (cut == steps + 1) AbortNextCommit(*db);
      auto ids = AttachPhotos(*db, report, {phone.tmp.File("cam.jpg")});
      REQUIRE(ids.ok() == (cut == steps + 2));
    }
    sync.Crash();
    auto db = phone.Open();
    size_t rows = RequireRowsWhole(*db, report, phone.PhotoDir());
    REQUIRE(rows == (cut == steps + 2 ? 1u : 0u));
    // The user attaches it again after the cut: it works, and its bytes are whole.
    if (rows == 0) {
      REQUIRE(AttachPhotos(*db, report, {phone.tmp.File("cam.jpg")}).ok());
      REQUIRE(RequireRowsWhole(*db, report, phone.PhotoDir()) == 1);
    }
  }
}

TEST_CASE("Photo attach: the bytes and their name are durable when the row commits") {
  CrashFileSync sync;
  Phone phone(&sync);
  sync.Watch(phone.PhotoDir());
  auto db = phone.Open();
  std::string report = FiledReport(*db);
  std::string bytes = CameraFile(phone.tmp.File("cam.jpg"));
  auto sha = Sha256OfFile(phone.tmp.File("cam.jpg"));
  REQUIRE(sha.ok());
  struct Seen {
    CrashFileSync* sync;
    std::string file;
    int commits = 0, durable = 0;
  } seen{&sync, phone.PhotoDir() + "/" + *sha + ".original"};
  sqlite3_commit_hook(
      DatabaseImpl::From(*db)->db().get(),
      [](void* arg) {
        auto* s = static_cast<Seen*>(arg);
        ++s->commits;
        if (s->sync->Durable(s->file)) ++s->durable;
        return 0;
      },
      &seen);
  REQUIRE(AttachPhotos(*db, report, {phone.tmp.File("cam.jpg")}).ok());
  sqlite3_commit_hook(DatabaseImpl::From(*db)->db().get(), nullptr, nullptr);
  CHECK(seen.commits == 1);
  REQUIRE(seen.durable == seen.commits);
}

TEST_CASE("Photo attach: a full or failing disk is a clear error and writes no row") {
  const int err = GENERATE(ENOSPC, EIO);
  CAPTURE(err);
  CrashFileSync sync;
  Phone phone(&sync);
  auto db = phone.Open();
  std::string report = FiledReport(*db);
  CameraFile(phone.tmp.File("cam.jpg"));
  auto before = db->OutboxCount();
  REQUIRE(before.ok());
  sync.FailFrom(1, err);
  auto ids = AttachPhotos(*db, report, {phone.tmp.File("cam.jpg")});
  REQUIRE_FALSE(ids.ok());
  if (err == ENOSPC) {
    REQUIRE(ids.status().code() == StatusCode::kResourceExhausted);
    REQUIRE_THAT(ids.status().message(), Catch::Contains("disk is full"));
  } else {
    REQUIRE(ids.status().code() == StatusCode::kUnavailable);
    // The C library's own words for EIO (glibc: "Input/output error", musl: "I/O error").
    REQUIRE_THAT(ids.status().message(), Catch::Contains(std::strerror(EIO)));
  }
  REQUIRE(RequireRowsWhole(*db, report, phone.PhotoDir()) == 0);
  REQUIRE(*db->OutboxCount() == *before);
  sync.FailFrom(0);
  REQUIRE(AttachPhotos(*db, report, {phone.tmp.File("cam.jpg")}).ok());
  REQUIRE(RequireRowsWhole(*db, report, phone.PhotoDir()) == 1);
}
