// Fuzz target: bytes as the pull changeset of one sync response, through the device's
// whole pull path: Sync() with an in-process transport that answers one sync envelope
// carrying those bytes, so the response is decoded, the pull's shape is checked
// (devicecore/src/pull_check.h), a pending local write is undone, the pull applied and
// the write replayed, in one transaction (pull_applier.h).
//
// Property: never crash, trip a sanitizer or hang; the sync succeeds or fails with a
// Status. The device database is made once per process in a scratch folder (logged in,
// holding one pending report, fuzz_rows.h) and keeps what inputs applied, so later inputs
// meet earlier rows. The 242-byte changeset of SQLite's sessioncorrupt.test is in the seed
// corpus: without the shape check it overflows SQLite's heap here.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "devicecore/sync.h"
#include "fuzz_rows.h"
#include "protocol/sync_messages.h"

namespace {

using namespace q11;
using namespace q11::device;

void Die(const char* what, const Status& s) {
  std::fprintf(stderr, "fuzz_device_pull: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

// Time moves by a millisecond per call; ids come from a counter; nobody sleeps.
class ScratchEnv : public Env {
 public:
  int64_t NowMs() override { return now_ms_++; }
  void RandomBytes(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(++counter_ * 131 + i);
  }
  void SleepMs(int) override {}

 private:
  int64_t now_ms_ = 1'795'770'000'000;  // 2026-11-27T09:00:00Z
  uint64_t counter_ = 0;
};

// Answers every sync with `reply`.
class OneEnvelope : public Transport {
 public:
  HttpReply reply;
  Result<HttpReply> Post(std::string_view, std::string_view, std::string_view,
                         std::string_view) override {
    return reply;
  }
};

std::string ScratchFolder() {
  std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  std::string tmpl = base + "/q11-fuzz-pull-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

struct Phone {
  std::string folder = ScratchFolder();
  ScratchEnv env;
  std::unique_ptr<Database> db;
  uint64_t cursor = 0;

  Phone() {
    Result<std::unique_ptr<Database>> opened = Database::Open(folder + "/device.db", {&env});
    if (!opened.ok()) Die("open device database", opened.status());
    db = std::move(*opened);
    Account a;
    a.server_url = "http://in-process";
    a.token = "token";
    a.user_id = "u-official";
    a.name = "canbo.q11";
    a.role = "official";
    a.unit = "q11";
    if (Status s = db->SaveAccount(a); !s.ok()) Die("log in", s);
    // A pending local write, undone and replayed around every pull.
    if (Status s = db->ExecCaptured(fuzz::PhoneReportSql(fuzz::kSeedReport)); !s.ok())
      Die("file the seed report", s);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(Instance().folder, ec);
    });
  }

  static Phone& Instance() {
    static Phone* phone = new Phone();  // never destroyed, like the process's own
    return *phone;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Phone& phone = Phone::Instance();
  wire::SyncResponse response;
  response.cursor = ++phone.cursor;
  response.pull_rows = 1;
  response.pull_changeset.assign(reinterpret_cast<const char*>(data), size);
  OneEnvelope server;
  server.reply.status = 200;
  server.reply.content_type = "application/x-q11-sync";
  server.reply.body = wire::EncodeSyncResponse(response);
  SyncOptions options;
  options.max_attempts = 1;
  options.max_pages = 1;
  options.upload_photos = false;
  options.fetch_thumbnails = false;
  (void)Sync(*phone.db, server, options);  // a refusal is a fine answer
  return 0;
}
