// q11 sync: one exchange with the server (more round trips when the pull is paged).
#include <climits>
#include <iostream>

#include "cli.h"
#include "devicecore/json.h"
#include "devicecore/sync.h"

namespace q11::cli {
namespace {

// nullopt when absent, -1 when not a positive whole number.
std::optional<int> PositiveInt(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return static_cast<int>(WholeNumber(*s, 1, INT_MAX).value_or(-1));
}

}  // namespace

int RunSync(Context& ctx) {
  const Args& a = ctx.args();
  device::SyncOptions options;
  int timeout_ms = 30000;
  if (auto t = PositiveInt(a.Get("timeout-ms"))) {
    if (*t < 0) return ctx.Usage("--timeout-ms must be a positive number");
    timeout_ms = *t;
  }
  if (auto n = PositiveInt(a.Get("attempts"))) {
    if (*n < 0) return ctx.Usage("--attempts must be a positive number");
    options.max_attempts = *n;
  }
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;

  auto server = ctx.Server();
  if (!server.ok()) return ctx.Fail(server.status());
  if (server->url.empty()) {
    auto waiting = db->PendingCount();
    std::string n = waiting.ok() ? std::to_string(*waiting) : "?";
    return ctx.Fail(Unauthenticated("not logged in: run q11 login (" + n + " thay đổi đang chờ / " +
                                    n + " changes waiting)"));
  }
  auto transport = Connect(*server, timeout_ms);
  if (!transport.ok()) return ctx.Fail(transport.status());
  if (!a.Has("json")) options.photo_progress = TerminalProgress("Gửi ảnh / photos");
  auto result = device::Sync(*db, **transport, options);
  if (!result.ok()) return ctx.Fail(result.status());

  const device::SyncResult& r = *result;
  if (a.Has("json")) {
    std::cout << device::SyncResultToJson(r) << "\n";
  } else {
    std::cout << "Đồng bộ xong / synced: sent " << r.pushed << " (applied " << r.applied
              << ", merged " << r.merged << ", parked " << r.parked << ", rejected " << r.rejected
              << "), received " << r.pulled_rows << " rows, " << r.pending_after << " waiting, "
              << r.round_trips << " round trip(s)\n";
    const device::PhotoUploadResult& p = r.photos;
    if (p.uploaded + p.deduplicated + p.waiting + p.refused + p.thumbnails_fetched > 0)
      std::cout << "Ảnh / photos: sent " << p.uploaded << " (" << p.bytes_sent << " bytes), "
                << p.deduplicated << " already on the server, " << p.waiting << " waiting, "
                << p.refused << " refused, " << p.thumbnails_fetched << " thumbnails received\n";
  }
  for (const std::string& m : r.photos.messages)
    std::cerr << "q11: ảnh / photo " << OneLine(m, 1000) << "\n";
  // What the server did not simply apply is never silent: one line each on stderr, also in
  // --json mode.
  for (const device::SettledChange& s : r.settled) {
    const char* what = "máy chủ không nhận thay đổi / the server did not take a change";
    if (s.verdict == "rejected")
      what = "bị từ chối / rejected";
    else if (s.verdict == "parked")
      what = "xung đột, chờ quản trị viên xử lý / parked as a conflict for an admin";
    else if (s.verdict == "merged")
      what = "đã gộp theo quy tắc của máy chủ / merged by the server's rules";
    std::cerr << "q11: #" << s.seq << " " << what << ": " << OneLine(s.message, 1000);
    if (!s.report_ids.empty()) std::cerr << " (" << s.report_ids.front() << ")";
    std::cerr << "\n";
  }
  return kExitOk;
}

}  // namespace q11::cli
