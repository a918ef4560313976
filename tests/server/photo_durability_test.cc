// Power cuts around a photo upload, through the real PhotoStore (what the PATCH handler
// calls before it answers) and a FileSync that simulates the cut (crash_file_sync.h): an
// acknowledged upload survives whole; a cut before the acknowledgement leaves an upload
// that resumes from what the server then reports; a failing disk is a clear error that
// loses nothing.
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "crash_file_sync.h"
#include "photos/photo_store.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

std::string Sha256(const std::string& bytes) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(bytes.data(), static_cast<unsigned>(bytes.size()));
  return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A real JPEG (a gradient), so the store's libvips cleaning runs.
std::string SmallJpeg() {
  static bool started = VIPS_INIT("photo_durability_test") == 0;
  REQUIRE(started);
  VipsImage* grey = nullptr;
  REQUIRE(vips_grey(&grey, 200, 150, nullptr) == 0);
  VipsImage* bytes = nullptr;
  REQUIRE(vips_linear1(grey, &bytes, 255.0, 0.0, "uchar", TRUE, nullptr) == 0);
  g_object_unref(grey);
  void* buf = nullptr;
  size_t len = 0;
  REQUIRE(vips_jpegsave_buffer(bytes, &buf, &len, "Q", 90, nullptr) == 0);
  g_object_unref(bytes);
  std::string out(static_cast<const char*>(buf), len);
  g_free(buf);
  return out;
}

struct Upload {
  std::string jpeg = SmallJpeg();
  std::string sha256 = Sha256(jpeg);
  int64_t total = static_cast<int64_t>(jpeg.size());
};

std::unique_ptr<PhotoStore> OpenStore(const std::string& dir, FileSync* sync) {
  auto store = PhotoStore::Open(dir, sync);
  REQUIRE(store.ok());
  return std::move(*store);
}

// Sends bytes [offset, total) in two PATCH-sized pieces, then completes: what the handler
// does before its 200. The first error ends it (the handler would answer it, not 200).
Status SendRest(PhotoStore& store, const Upload& u, int64_t offset) {
  auto lock = store.LockUpload(u.sha256, 1000);
  REQUIRE(lock.ok());
  const int64_t half = std::max(offset, u.total / 2);
  for (auto [from, to] : {std::pair{offset, half}, std::pair{half, u.total}}) {
    std::istringstream in(u.jpeg.substr(static_cast<size_t>(from), static_cast<size_t>(to - from)));
    Result<int64_t> held = store.Append(*lock, from, in, to - from, u.total);
    if (!held.ok()) return held.status();
    REQUIRE(*held == to);
  }
  return store.Complete(*lock);
}

// The photo is served whole: its files are there and hash to what the meta file says.
void RequireServedWhole(PhotoStore& store, const Upload& u) {
  int64_t held = 0;
  REQUIRE(store.State(u.sha256, &held) == PhotoState::kComplete);
  REQUIRE(held == u.total);
  for (bool thumb : {false, true}) {
    auto f = store.Find(u.sha256, thumb);
    REQUIRE(f.ok());
    REQUIRE(f->has_value());
    std::string bytes = ReadFile((*f)->path);
    REQUIRE(static_cast<int64_t>(bytes.size()) == (*f)->size);
    REQUIRE(Sha256(bytes) == (*f)->sha256);
  }
}

}  // namespace

TEST_CASE("Photo store: an acknowledged upload survives a power cut right after") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/photos";
  q11::test::CrashFileSync sync;
  sync.Watch(dir);
  sync.Watch(dir + "/partial");
  Upload u;
  auto store = OpenStore(dir, &sync);
  REQUIRE(SendRest(*store, u, 0).ok());  // the handler answers 200 "complete" now
  sync.Crash();
  store = OpenStore(dir, &sync);
  RequireServedWhole(*store, u);
}

TEST_CASE("Photo store: a power cut before the acknowledgement leaves an upload that resumes") {
  Upload u;
  int steps = 0;
  {  // How many syncs a whole upload makes.
    TempDir tmp;
    q11::test::CrashFileSync sync;
    auto store = OpenStore(tmp.path() + "/photos", &sync);
    sync.FailFrom(0);
    REQUIRE(SendRest(*store, u, 0).ok());
    steps = sync.calls();
  }
  REQUIRE(steps >= 6);  // two appends (one new file), two files, their folder, the meta
  for (int cut = 1; cut <= steps; ++cut) {
    CAPTURE(cut);
    TempDir tmp;
    const std::string dir = tmp.path() + "/photos";
    q11::test::CrashFileSync sync;
    sync.Watch(dir);
    sync.Watch(dir + "/partial");
    auto store = OpenStore(dir, &sync);
    sync.FailFrom(cut);  // the power goes just before sync number `cut`
    Status s = SendRest(*store, u, 0);
    REQUIRE_FALSE(s.ok());  // so no 200 "complete" was sent
    REQUIRE(s.code() == StatusCode::kUnavailable);
    sync.Crash();

    store = OpenStore(dir, &sync);
    int64_t held = 0;
    PhotoState state = store->State(u.sha256, &held);
    REQUIRE(state != PhotoState::kComplete);
    // What the server now says it holds is exactly the start of the photo: the device's
    // next sync continues from there (or from 0).
    if (state == PhotoState::kPartial) {
      REQUIRE(held <= u.total);
      REQUIRE(ReadFile(dir + "/partial/" + u.sha256) ==
              u.jpeg.substr(0, static_cast<size_t>(held)));
    } else {
      REQUIRE(held == 0);
    }
    REQUIRE(SendRest(*store, u, held).ok());
    RequireServedWhole(*store, u);
  }
}

TEST_CASE("Photo store: a failing disk is a clear error and loses nothing") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/photos";
  q11::test::CrashFileSync sync;
  Upload u;
  auto store = OpenStore(dir, &sync);
  auto lock = store->LockUpload(u.sha256, 1000);
  REQUIRE(lock.ok());
  {
    std::istringstream in(u.jpeg.substr(0, 1000));
    REQUIRE(store->Append(*lock, 0, in, 1000, u.total).ok());
  }
  SECTION("full disk while appending: 503, not 413 (which would mark the photo refused)") {
    sync.FailFrom(1, ENOSPC);
    std::istringstream in(u.jpeg.substr(1000));
    Result<int64_t> held = store->Append(*lock, 1000, in, u.total - 1000, u.total);
    REQUIRE(held.status().code() == StatusCode::kUnavailable);
    REQUIRE_THAT(held.status().message(), Catch::Contains("disk is full"));
  }
  SECTION("EIO while publishing: not complete, the bytes kept for the next PATCH") {
    std::istringstream in(u.jpeg.substr(1000));
    REQUIRE(store->Append(*lock, 1000, in, u.total - 1000, u.total).ok());
    sync.FailFrom(3, EIO);  // the cleaned files' folder
    Status s = store->Complete(*lock);
    REQUIRE(s.code() == StatusCode::kUnavailable);
    REQUIRE_THAT(s.message(), Catch::Contains("Input/output error"));
    int64_t held = 0;
    REQUIRE(store->State(u.sha256, &held) == PhotoState::kPartial);
    REQUIRE(held == u.total);
    sync.FailFrom(0);
    std::istringstream none("");
    REQUIRE(store->Append(*lock, u.total, none, 0, u.total).ok());
    REQUIRE(store->Complete(*lock).ok());
    RequireServedWhole(*store, u);
    return;
  }
  // After the failed append the store holds what it held before; the rest goes again.
  int64_t held = 0;
  REQUIRE(store->State(u.sha256, &held) == PhotoState::kPartial);
  REQUIRE(held == 1000);
  sync.FailFrom(0);
  std::istringstream in(u.jpeg.substr(1000));
  REQUIRE(store->Append(*lock, 1000, in, u.total - 1000, u.total).ok());
  REQUIRE(store->Complete(*lock).ok());
  RequireServedWhole(*store, u);
}
