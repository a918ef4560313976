// The case life's writes (docs/workflow.md): an official's progress note with a new
// expected date, marking a duplicate, and the citizen's rating and reopening. Part of
// ReportWrites (report_writes.h); the server checks the same rules again on receipt.
#include <array>

#include "device_schema.h"
#include "protocol/ids.h"
#include "protocol/receipt_code.h"
#include "protocol/vietnam_time.h"
#include "protocol/workflow.h"
#include "report_writes.h"
#include "status_macros.h"

namespace q11::device {
namespace {

constexpr size_t kMaxTextBytes = 20000;

bool Blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

std::string ReportWrites::NewReceiptCode() {
  for (;;) {
    std::array<uint8_t, receipt::kRandomBytes> random{};
    env_->RandomBytes(random.data(), random.size());
    if (std::optional<std::string> code = receipt::MakeCode(random)) return *code;
  }
}

Result<std::string> ReportWrites::OwnReportStatus(const std::string& id, const Author& author,
                                                  const char* what_en, const char* what_vi) {
  if (author.role && *author.role != "citizen")
    return PermissionDenied(std::string("only the citizen who filed a report may ") + what_en +
                            " / chỉ người gửi phản ánh mới được " + what_vi);
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("SELECT status, reporter_ref FROM reports WHERE id = ?"));
  st->Bind(1, id);
  Q11_ASSIGN_OR_RETURN(bool found, st->Step());
  if (!found) return NotFound("no report " + id + " on this device / không có phản ánh " + id);
  std::optional<std::string> owner = st->OptText(1);
  if (owner && author.reporter_ref && *owner != *author.reporter_ref)
    return PermissionDenied(std::string("you may only ") + what_en +
                            " your own reports / bạn chỉ được " + what_vi + " phản ánh của mình");
  return st->Text(0);
}

Status ReportWrites::PostProgress(const std::string& report_id, const std::string& note,
                                  const std::string& expected_iso, const Author& author) {
  Q11_RETURN_IF_ERROR(RequireStaff(author, "post progress notes", "báo cáo tiến độ"));
  if (Blank(note))
    return InvalidArgument("the progress note is empty / báo cáo tiến độ chưa có nội dung");
  if (note.size() > kMaxTextBytes) return InvalidArgument("the note is too long / ghi chú quá dài");
  std::optional<int64_t> expected_ms = vntime::ParseTypedTime(expected_iso);
  if (!expected_ms)
    return InvalidArgument("the expected completion date \"" + expected_iso + "\" is not " +
                           vntime::kTypedTimeHelp + " / ngày dự kiến không hợp lệ");
  if (*expected_ms <= env_->NowMs())
    return InvalidArgument("the expected completion date " + vntime::FormatForPeople(*expected_ms) +
                           " is in the past: it must be in the future / ngày dự kiến hoàn thành " +
                           vntime::FormatForPeople(*expected_ms) + " đã qua, phải ở tương lai");
  Q11_RETURN_IF_ERROR(RequireReport(report_id));
  std::string expected = FormatUtc(*expected_ms);
  std::string now = FormatUtc(env_->NowMs());
  Q11_RETURN_IF_ERROR(UpdateReport(
      "UPDATE reports SET expected_at = ?, updated_at = ? WHERE id = ?", expected, now, report_id));
  CaseEvent e = NewEvent(report_id, "progress", author, now);
  // People read the note, the public receipt page too: Vietnam time, labelled.
  e.note = note + " (Dự kiến hoàn thành / expected: " + vntime::FormatForPeople(*expected_ms) + ")";
  return InsertEvent(e);
}

Status ReportWrites::MarkDuplicate(const std::string& report_id, const std::string& original_id,
                                   const std::string& note, const Author& author) {
  Q11_RETURN_IF_ERROR(RequireStaff(author, "mark duplicates", "đánh dấu phản ánh trùng"));
  if (original_id == report_id)
    return InvalidArgument("a report cannot duplicate itself / phản ánh không thể trùng chính nó");
  Q11_RETURN_IF_ERROR(RequireReport(report_id));
  Q11_RETURN_IF_ERROR(RequireReport(original_id));
  std::string now = FormatUtc(env_->NowMs());
  Q11_RETURN_IF_ERROR(
      UpdateReport("UPDATE reports SET duplicate_of = ?, updated_at = ? WHERE id = ?", original_id,
                   now, report_id));
  return SetStatus({report_id}, "duplicate", Blank(note) ? "Trùng phản ánh " + original_id : note,
                   author);
}

Status ReportWrites::Rate(const std::string& report_id, int stars, const std::string& comment,
                          const Author& author) {
  if (stars < workflow::kMinStars || stars > workflow::kMaxStars)
    return InvalidArgument("stars must be 1 to 5 / số sao phải từ 1 đến 5");
  if (comment.size() > kMaxTextBytes)
    return InvalidArgument("the comment is too long / nhận xét quá dài");
  Q11_ASSIGN_OR_RETURN(std::string status,
                       OwnReportStatus(report_id, author, "rate the result", "đánh giá kết quả"));
  if (status != "resolved" && status != "closed")
    return FailedPrecondition("report " + report_id + " has no result to rate yet (status " +
                              status + ") / phản ánh chưa có kết quả để đánh giá");
  CaseEvent e = NewEvent(report_id, "rating", author, FormatUtc(env_->NowMs()));
  e.stars = stars;
  e.note = comment;
  return InsertEvent(e);
}

Status ReportWrites::Reopen(const std::string& report_id, const std::string& reason,
                            const Author& author) {
  if (Blank(reason))
    return InvalidArgument("say why the result is not good enough (--reason) / hãy nêu lý do");
  if (reason.size() > kMaxTextBytes)
    return InvalidArgument("the reason is too long / lý do quá dài");
  Q11_ASSIGN_OR_RETURN(std::string status,
                       OwnReportStatus(report_id, author, "reopen it", "yêu cầu xử lý lại"));
  if (!workflow::TransitionAllowed("citizen", status, "reopened") || status == "reopened")
    return FailedPrecondition("report " + report_id +
                              " can be reopened only after its result "
                              "(status " +
                              status + ") / chỉ yêu cầu xử lý lại khi đã có kết quả");
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT resolved_at FROM reports WHERE id = ?"));
  st->Bind(1, report_id);
  Q11_ASSIGN_OR_RETURN(bool found, st->Step());
  std::optional<int64_t> resolved = found ? ParseUtc(st->Text(0)) : std::nullopt;
  st->Reset();
  // The server decides with its own clock; this only spares the user a certain refusal.
  if (resolved && env_->NowMs() > *resolved + workflow::kReopenPeriodMs)
    return FailedPrecondition("the reopen period of " +
                              std::to_string(workflow::kReopenPeriodDays) +
                              " days after the result has passed / đã quá hạn yêu cầu xử lý lại");
  return SetStatus({report_id}, "reopened", reason, author);
}

}  // namespace q11::device
