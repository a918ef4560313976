// Fuzz target: the server's whole intake of one pushed entry — read, shape check, write
// rules, server stamps, three-way merge, change log — on a real SQLite store in a scratch
// folder, through Store::Push exactly as the sync handler calls it.
//
// Input: the first byte picks who pushes (low two bits: a citizen, the official of ward
// p03, the district official, a leader; bit 2: the push carries a pull cursor, which turns
// echo suppression on); the rest is the changeset. Every input is a new outbox entry
// (a fresh local_seq), so nothing is answered from the verdict ledger.
//
// Property: Push never crashes, trips a sanitizer or hangs; it answers a verdict or a
// Status. The store is made once per process (accounts, one report filed by the citizen,
// fuzz_rows.h) and keeps what inputs wrote, so later inputs meet earlier rows: a finding
// may depend on the inputs before it (docs/fuzzing.md).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "auth/accounts.h"
#include "fuzz_rows.h"
#include "syncserver/store.h"

namespace {

using namespace q11;
using namespace q11::server;

constexpr int64_t kNowMs = 1795770000000;  // 2026-11-27T09:00:00Z, fixed

void Die(const char* what, const Status& s) {
  std::fprintf(stderr, "fuzz_server_push: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

// Where scratch files go: memory when the machine has it (Push fsyncs on every commit).
std::string ScratchFolder() {
  std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  std::string tmpl = base + "/q11-fuzz-push-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

struct Server {
  std::string folder = ScratchFolder();
  std::unique_ptr<Store> store;
  Account who[4];
  uint64_t local_seq = 0;

  Server() {
    StoreOptions options;
    options.clock = [] { return kNowMs; };
    Result<std::unique_ptr<Store>> opened = OpenSqliteStore(folder + "/syncserver.db", options);
    if (!opened.ok()) Die("open store", opened.status());
    store = std::move(*opened);
    const NewAccount accounts[4] = {{"lan", "mat-khau-lan", Role::kCitizen, ""},
                                    {"canbo.p03", "mat-khau-p03", Role::kOfficial, "p03"},
                                    {"canbo.q11", "mat-khau-q11", Role::kOfficial, "q11"},
                                    {"lanhdao", "mat-khau-lanhdao", Role::kLeader, ""}};
    for (int i = 0; i < 4; ++i) {
      Result<Account> a = CreateAccount(*store, accounts[i], kNowMs, /*iterations=*/1000);
      if (!a.ok()) Die("create account", a.status());
      who[i] = *a;
      if (Status s = store->BindDevice(Device(i), who[i]); !s.ok()) Die("bind device", s);
    }
    // The report the seeds update, comment on and withdraw.
    std::string filed = fuzz::CaptureOnSyncedSchema("", fuzz::PhoneReportSql(fuzz::kSeedReport));
    auto v = store->Push(who[0], Device(0), {wire::PushEntry{++local_seq, filed}});
    if (!v.ok()) Die("file the seed report", v.status());
    if (v->front().verdict != wire::Verdict::kApplied)
      Die("file the seed report", Status(StatusCode::kInternal, v->front().message));
    // Files are removed at exit; the store itself lives until then (its threads too).
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(Instance().folder, ec);
    });
  }

  static std::string Device(int i) {
    return "0195f3a0-7c1e-7000-8000-0000000000d" + std::to_string(i);
  }
  static Server& Instance() {
    static Server* server = new Server();  // never destroyed: its threads run until exit
    return *server;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Server& server = Server::Instance();
  const int pick = data[0] & 3;
  std::optional<uint64_t> cursor;
  if (data[0] & 4) cursor = server.local_seq;  // any number: the change log's sequence
  std::string changeset(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto verdicts = server.store->Push(server.who[pick], Server::Device(pick),
                                     {wire::PushEntry{++server.local_seq, changeset}}, cursor);
  // A Status is an answer too (e.g. a database failure); one verdict per entry otherwise.
  if (verdicts.ok() && verdicts->size() != 1) std::abort();
  return 0;
}
