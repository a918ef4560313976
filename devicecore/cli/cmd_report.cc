// q11 report new|list|show|comment|edit|withdraw: what a citizen does with a report.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli.h"
#include "devicecore/json.h"
#include "devicecore/photos.h"

namespace q11::cli {
namespace {

// Parses a whole decimal number; nullopt when it is not one.
std::optional<double> ParseNumber(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end == nullptr || *end != '\0') return std::nullopt;
  return v;
}

}  // namespace

int RunReportNew(Context& ctx) {
  const Args& a = ctx.args();
  device::NewReport r;
  if (auto kind = a.Get("kind")) r.kind = *kind;
  auto category = a.Get("category");
  auto ward = a.Get("ward");
  auto title = a.Get("title");
  if (!category) return ctx.Usage("--category is required (see q11 ref list)");
  if (!ward) return ctx.Usage("--ward is required (see q11 ref list)");
  if (!title) return ctx.Usage("--title is required");
  r.category_id = *category;
  r.ward_id = *ward;
  r.title = *title;
  r.description = a.Get("description").value_or("");
  r.address = a.Get("address");
  auto lat = a.Get("lat");
  auto lon = a.Get("lon");
  if (lat.has_value() != lon.has_value()) return ctx.Usage("give both --lat and --lon, or neither");
  if (lat) {
    r.lat = ParseNumber(*lat);
    r.lon = ParseNumber(*lon);
    if (!r.lat || !r.lon) return ctx.Usage("--lat and --lon must be numbers");
  }
  // Photos are checked before the report is filed: a refused photo files nothing.
  const std::vector<std::string> photos = a.GetAll("photo");
  for (const std::string& f : photos) {
    Status s = device::CheckPhotoFile(f);
    if (!s.ok()) return ctx.Fail(s);
  }
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto id = db->FileReport(r);
  if (!id.ok()) return ctx.Fail(id.status());
  if (!photos.empty()) {
    auto attached = device::AttachPhotos(*db, *id, photos);
    if (!attached.ok()) {
      // The report is saved; say so, and which id to attach the photos to again.
      std::cerr << "q11: report " << *id << " saved without its photos / phản ánh đã lưu, "
                << "chưa kèm ảnh: " << attached.status().message() << "\n";
      std::cout << *id << "\n";
      return kExitFailed;
    }
  }
  std::cerr << "Đã lưu phản ánh, sẽ gửi khi đồng bộ / report saved, sent at the next sync\n";
  auto filed = db->GetReport(*id);
  if (filed.ok() && filed->receipt_code)
    std::cout << "Mã biên nhận / receipt: " << *filed->receipt_code << "\n";
  std::cout << *id << "\n";  // the last line, always: scripts read it
  return kExitOk;
}

int RunReportList(Context& ctx) {
  const Args& a = ctx.args();
  device::ReportFilter filter;
  filter.status = a.Get("status").value_or("");
  filter.ward_id = a.Get("ward").value_or("");
  filter.category_id = a.Get("category").value_or("");
  filter.overdue = a.Has("overdue");
  filter.search = a.Get("search").value_or("");
  // Scripts read --json newest first, as always; people read what is due soonest first.
  const bool json = a.Has("json");
  filter.order =
      json ? device::ReportFilter::Order::kNewestFirst : device::ReportFilter::Order::kByDeadline;
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto reports = db->FindReports(filter);
  if (!reports.ok()) return ctx.Fail(reports.status());
  if (json) {
    std::cout << device::ReportsToJson(*reports) << "\n";
    return kExitOk;
  }
  if (reports->empty()) {
    std::cout << "Chưa có phản ánh / no reports\n";
    return kExitOk;
  }
  auto cell = [](std::string text, size_t width) {
    // Display width: count UTF-8 lead bytes only, so Vietnamese text lines up.
    size_t shown = 0;
    for (char c : text) shown += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (shown < width) text.append(width - shown, ' ');
    return text + " ";
  };
  std::cout << cell("MÃ / CODE", 13) << cell("TRẠNG THÁI", 12) << cell("HẠN / DUE", 24)
            << cell("ĐỒNG BỘ", 8) << cell("PHƯỜNG", 6) << cell("TIÊU ĐỀ / TITLE", 40) << "ID\n";
  for (const device::Report& r : *reports) {
    // "!" marks an overdue case (docs/workflow.md): officials see at a glance what is late.
    std::string status = r.overdue ? r.status + "!" : r.status;
    std::cout << cell(r.receipt_code.value_or("-"), 13) << cell(status, 12)
              << cell(ctx.Time(r.expected_at ? r.expected_at : r.due_at), 24)
              << cell(device::SyncStateName(r.sync_state), 8) << cell(r.ward_id, 6)
              << cell(OneLine(r.title, 40), 40) << r.id << "\n";
  }
  return kExitOk;
}

int RunReportShow(Context& ctx) {
  auto id = ctx.ReportId(ctx.args().positionals()[0]);
  if (!id) return kExitFailed;
  device::Database* db = ctx.db();
  auto r = db->GetReport(*id);
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.args().Has("json")) {
    std::cout << device::ReportToJson(*r) << "\n";
    return kExitOk;
  }
  std::cout << r->id << "\n"
            << "  " << r->title << "\n"
            << "  kind " << r->kind << ", category " << r->category_id << ", ward " << r->ward_id
            << "\n"
            << "  status " << r->status << ", assigned " << r->assigned_unit.value_or("-")
            << ", due " << ctx.Time(r->due_at) << "\n"
            << "  created " << ctx.Time(r->created_at) << ", updated " << ctx.Time(r->updated_at)
            << "\n"
            << "  receipt " << r->receipt_code.value_or("-") << ", received "
            << ctx.Time(r->received_at) << "\n";
  if (r->expected_at) std::cout << "  expected completion " << ctx.Time(r->expected_at) << "\n";
  if (r->overdue) std::cout << "  ! quá hạn xử lý / overdue\n";
  if (r->resolved_at) std::cout << "  resolved " << ctx.Time(r->resolved_at) << "\n";
  if (r->duplicate_of) std::cout << "  duplicate of " << *r->duplicate_of << "\n";
  if (r->lat && r->lon) {
    char where[64];
    std::snprintf(where, sizeof where, "%.6f, %.6f", *r->lat, *r->lon);
    std::cout << "  location " << where << "\n";
  }
  if (!r->description.empty()) std::cout << "  " << OneLine(r->description, 2000) << "\n";
  std::cout << "  đồng bộ / sync: " << device::SyncStateName(r->sync_state) << "\n";
  if (r->pending_changes > 0)
    std::cout << "  " << r->pending_changes
              << " thay đổi chưa gửi / local changes not yet synced\n";
  auto notes = [&ctx](const char* label, const std::vector<device::SettledChange>& list) {
    for (const device::SettledChange& s : list)
      std::cout << "  ! #" << s.seq << " " << label << " (" << ctx.Time(s.settled_at)
                << "): " << OneLine(s.message, 500) << "\n";
  };
  notes("bị từ chối / rejected", r->sync.rejected);
  notes("chờ quản trị viên / parked for an admin", r->sync.parked);
  notes("đã gộp / merged", r->sync.merged_notes);
  for (const device::CaseEvent& e : r->events) {
    std::cout << "  - " << ctx.Time(e.created_at) << " " << e.kind;
    if (!e.status.empty()) std::cout << " → " << e.status;
    if (e.stars > 0) std::cout << " " << e.stars << "/5";
    if (!e.author_role.empty()) std::cout << " (" << e.author_role << ")";
    if (!e.note.empty()) std::cout << ": " << OneLine(e.note, 500);
    std::cout << "\n";
  }
  return kExitOk;
}

int RunReportComment(Context& ctx) {
  auto note = ctx.args().Get("note");
  if (!note) return ctx.Usage("--note is required");
  auto report = ctx.ReportId(ctx.args().positionals()[0]);
  if (!report) return kExitFailed;
  auto id = ctx.db()->AddComment(*report, *note);
  if (!id.ok()) return ctx.Fail(id.status());
  std::cout << *id << "\n";
  return kExitOk;
}

int RunReportEdit(Context& ctx) {
  auto title = ctx.args().Get("title");
  auto description = ctx.args().Get("description");
  if (!title && !description) return ctx.Usage("give --title and/or --description");
  auto resolved = ctx.ReportId(ctx.args().positionals()[0]);
  if (!resolved) return kExitFailed;
  device::Database* db = ctx.db();
  const std::string& id = *resolved;
  Status s = db->EditReport(id, title, description);
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã sửa, sẽ gửi khi đồng bộ / edited, sent at the next sync: " << id << "\n";
  return kExitOk;
}

int RunReportRate(Context& ctx) {
  auto stars = ctx.args().Get("stars");
  if (!stars) return ctx.Usage("--stars=1..5 is required");
  std::optional<double> n = ParseNumber(*stars);
  if (!n || *n != static_cast<int>(*n) || *n < 1 || *n > 5)
    return ctx.Usage("--stars must be a whole number from 1 to 5");
  auto resolved = ctx.ReportId(ctx.args().positionals()[0]);
  if (!resolved) return kExitFailed;
  device::Database* db = ctx.db();
  const std::string& id = *resolved;
  Status s = db->RateResult(id, static_cast<int>(*n), ctx.args().Get("comment").value_or(""));
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Cảm ơn đánh giá của bạn, sẽ gửi khi đồng bộ / rating saved, sent at the next "
               "sync: "
            << id << "\n";
  return kExitOk;
}

int RunReportReopen(Context& ctx) {
  auto reason = ctx.args().Get("reason");
  if (!reason || reason->empty()) return ctx.Usage("--reason is required");
  auto resolved = ctx.ReportId(ctx.args().positionals()[0]);
  if (!resolved) return kExitFailed;
  device::Database* db = ctx.db();
  const std::string& id = *resolved;
  Status s = db->ReopenReport(id, *reason);
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã yêu cầu xử lý lại, sẽ gửi khi đồng bộ / reopened, sent at the next sync: " << id
            << "\n";
  return kExitOk;
}

int RunReportWithdraw(Context& ctx) {
  auto resolved = ctx.ReportId(ctx.args().positionals()[0]);
  if (!resolved) return kExitFailed;
  device::Database* db = ctx.db();
  const std::string& id = *resolved;
  Status s = db->WithdrawReport(id);
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã rút phản ánh, sẽ gửi khi đồng bộ / withdrawn, sent at the next sync: " << id
            << "\n";
  return kExitOk;
}

}  // namespace q11::cli
