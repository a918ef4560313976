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

// The exit code of a sync that reached the server (see the help text): 3 when the server
// refused a change or a photo, else 4 when changes or photos still wait, else 0. A refusal
// comes first: waiting things go by themselves at the next sync, a refused one never does
// until someone acts. Each that applies is said on stderr, one line.
int SyncExitCode(const device::SyncResult& r) {
  const bool refused = r.rejected > 0 || r.photos.refused > 0;
  if (refused)
    std::cerr << "q11: máy chủ từ chối " << r.rejected << " thay đổi, " << r.photos.refused
              << " ảnh / the server rejected " << r.rejected << " change(s) and "
              << r.photos.refused
              << " photo(s): see the lines above, q11 outbox settled and q11 photo list\n";
  const device::PhotoUploadResult& p = r.photos;
  const int64_t changes = r.pending_after;
  const bool waiting = p.waiting > 0 || changes > 0;
  if (waiting) {
    std::cerr << "q11: còn chờ gửi / still waiting:";
    if (p.waiting > 0)
      std::cerr << " " << p.waiting << " ảnh, còn " << HumanBytes(p.bytes_waiting) << " / "
                << p.waiting << " photo(s), " << HumanBytes(p.bytes_waiting) << " left"
                << (changes > 0 ? ";" : "");
    if (changes > 0) std::cerr << " " << changes << " thay đổi / " << changes << " change(s)";
    std::cerr << " — chạy lại q11 sync / run q11 sync again\n";
  }
  return refused ? kExitRejected : waiting ? kExitWaiting : kExitOk;
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
  // Entries the server could not apply this time wait in the outbox; say why.
  for (const std::string& m : r.retry_messages)
    std::cerr << "q11: chờ gửi lại / will be sent again " << OneLine(m, 1000) << "\n";
  if (!r.notice.empty())
    std::cerr << "q11: máy chủ nhắn / the server says: " << OneLine(r.notice, 1000) << "\n";
  // A scope that did not add up to the server's checksum (verified convergence): said
  // whether or not it was repaired; the data is the server's again when it was.
  for (const device::ScopeDrift& d : r.drift) {
    std::cerr << "q11: phạm vi / scope " << d.audience << ": ";
    if (d.repaired)
      std::cerr << d.rows_differing << " dòng khác máy chủ, đã sửa / " << d.rows_differing
                << " row(s) differed from the server, repaired\n";
    else
      std::cerr << "khác máy chủ, chưa sửa / differs from the server, not repaired: "
                << OneLine(d.message, 1000) << "\n";
  }
  if (r.new_epoch)
    std::cerr << "q11: máy chủ đã được khôi phục từ bản sao lưu; đang tải lại dữ liệu và gửi lại "
                 "những gì máy chủ thiếu / the server was restored from a backup: reloading, and "
                 "sending again what it lacks: "
              << r.requeued << " rows / dòng\n";
  // What the server did not simply apply is never silent: one line each on stderr, also in
  // --json mode, naming the change (its outbox number), the report (id and receipt code, the
  // names people use) and the server's reason.
  for (const device::SettledChange& s : r.settled) {
    const char* what = "máy chủ không nhận thay đổi / the server did not take a change";
    if (s.verdict == "rejected")
      what = "bị từ chối / rejected";
    else if (s.verdict == "parked")
      what = "xung đột, chờ quản trị viên xử lý / parked as a conflict for an admin";
    else if (s.verdict == "merged")
      what = "đã gộp theo quy tắc của máy chủ / merged by the server's rules";
    std::cerr << "q11: #" << s.seq << " " << what;
    for (const std::string& id : s.report_ids) {
      std::cerr << (&id == &s.report_ids.front() ? " — phản ánh / report " : ", ") << id;
      auto report = db->GetReport(id);
      if (report.ok() && report->receipt_code) std::cerr << " (" << *report->receipt_code << ")";
    }
    std::cerr << ": " << OneLine(s.message, 1000) << "\n";
  }
  return SyncExitCode(r);
}

}  // namespace q11::cli
