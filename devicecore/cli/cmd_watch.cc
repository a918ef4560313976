// q11 watch: stays online and shows incoming changes as they arrive. Each round is a long
// poll (the server answers as soon as there is something for this device, docs/protocol.md)
// followed by a sync; the reports that came, changed or left are printed, one line each.
#include <chrono>
#include <climits>
#include <iostream>
#include <map>
#include <thread>

#include "cli.h"
#include "devicecore/json.h"
#include "devicecore/sync.h"
#include "protocol/ids.h"

namespace q11::cli {
namespace {

using Clock = std::chrono::steady_clock;

// What is needed to tell a change: the report as listed.
using Snapshot = std::map<std::string, device::Report>;

Result<Snapshot> Take(device::Database& db) {
  auto reports = db.ListReports();
  if (!reports.ok()) return reports.status();
  Snapshot out;
  for (device::Report& r : *reports) out.emplace(r.id, std::move(r));
  return out;
}

// Now, as the rest of the output shows times: Vietnam time (or UTC with --utc), labelled,
// whatever the machine's own time zone.
std::string Now(const Context& ctx) { return ctx.Time(FormatUtc(device::DefaultEnv()->NowMs())); }

void Print(const Context& ctx, bool json, const char* event, const device::Report& r) {
  if (json) {
    std::cout << R"({"event":")" << event << R"(","report":)" << device::ReportToJson(r, false)
              << "}\n";
  } else {
    const char* vi = event[0] == 'n' ? "mới" : event[0] == 'c' ? "cập nhật" : "không còn";
    std::cout << Now(ctx) << "  " << vi << " / " << event << "  " << r.id << "  "
              << r.receipt_code.value_or("-") << "  " << r.status << "  hạn / due "
              << ctx.Time(r.expected_at ? r.expected_at : r.due_at) << "  " << OneLine(r.title, 60)
              << "\n";
  }
}

// Prints the difference; returns how many reports came, changed or left.
int Report(const Context& ctx, bool json, const Snapshot& before, const Snapshot& after) {
  int n = 0;
  for (const auto& [id, r] : after) {
    auto it = before.find(id);
    if (it == before.end()) {
      Print(ctx, json, "new", r), ++n;
    } else if (it->second.updated_at != r.updated_at || it->second.status != r.status ||
               it->second.assigned_unit != r.assigned_unit || it->second.due_at != r.due_at) {
      Print(ctx, json, "changed", r), ++n;
    }
  }
  for (const auto& [id, r] : before)
    if (!after.count(id)) Print(ctx, json, "removed", r), ++n;
  std::cout.flush();
  return n;
}

// nullopt when absent, -1 when not a whole number of seconds.
std::optional<int> Seconds(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return static_cast<int>(WholeNumber(*s, 0, INT_MAX).value_or(-1));
}

}  // namespace

int RunWatch(Context& ctx) {
  const Args& a = ctx.args();
  const bool json = a.Has("json"), once = a.Has("once");
  std::optional<int> limit = Seconds(a.Get("timeout"));
  if (limit && *limit < 0) return ctx.Usage("--timeout must be a whole number of seconds");
  const auto end = limit ? Clock::now() + std::chrono::seconds(*limit) : Clock::time_point::max();
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto server = ctx.Server();
  if (!server.ok()) return ctx.Fail(server.status());
  if (server->url.empty()) return ctx.Fail(Unauthenticated("not logged in: run q11 login"));
  // The server holds a wait up to 25 s; the connection must outlast it.
  constexpr int kWaitS = 25;
  auto transport = Connect(*server, (kWaitS + 10) * 1000);
  if (!transport.ok()) return ctx.Fail(transport.status());
  if (!json)
    std::cerr
        << "Đang theo dõi thay đổi (Ctrl-C để dừng) / watching for changes (Ctrl-C to stop)\n";

  bool first = true;
  while (Clock::now() < end) {
    bool changed = first;  // catch up (and send what waits) before the first wait
    first = false;
    if (!changed) {
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::seconds>(end - Clock::now()).count());
      Result<bool> waited =
          device::WaitForChanges(*db, **transport, std::max(1, std::min(kWaitS, left)));
      if (!waited.ok()) {
        if (waited.status().code() != StatusCode::kUnavailable) return ctx.Fail(waited.status());
        std::cerr << "q11 watch: " << waited.status().message()
                  << "; thử lại sau 5 giây / retrying in 5 s\n";
        std::this_thread::sleep_for(std::chrono::seconds(5));
        continue;
      }
      changed = *waited;
    }
    if (!changed) continue;
    auto before = Take(*db);
    if (!before.ok()) return ctx.Fail(before.status());
    auto synced = device::Sync(*db, **transport);
    if (!synced.ok()) {
      if (synced.status().code() != StatusCode::kUnavailable) return ctx.Fail(synced.status());
      std::cerr << "q11 watch: " << synced.status().message() << "\n";
      std::this_thread::sleep_for(std::chrono::seconds(5));
      continue;
    }
    auto after = Take(*db);
    if (!after.ok()) return ctx.Fail(after.status());
    if (Report(ctx, json, *before, *after) > 0 && once) return kExitOk;
  }
  return kExitOk;
}

}  // namespace q11::cli
