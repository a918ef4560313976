// q11 case status|assign|deadline|progress|templates: an official's case work. Each write
// is one captured local change, sent at the next sync; the server checks the official's
// unit and the workflow (docs/workflow.md).
#include <iostream>

#include "cli.h"
#include "devicecore/json.h"

namespace q11::cli {

int RunCaseStatus(Context& ctx) {
  const auto& pos = ctx.args().positionals();
  const std::string& status = pos[1];
  std::optional<std::string> note = ctx.args().Get("note");
  std::optional<std::string> tid = ctx.args().Get("template");
  std::optional<std::string> of = ctx.args().Get("of");
  if (of && status != "duplicate") return ctx.Usage("--of goes with status duplicate only");
  if (status == "duplicate" && (!of || of->empty()))
    return ctx.Usage("duplicate needs --of=REPORT_ID, the report it duplicates");
  auto resolved = ctx.ReportId(pos[0]);
  if (!resolved) return kExitFailed;
  const std::string& id = *resolved;
  if (of) {
    of = ctx.ReportId(*of);  // the original, also by its receipt code
    if (!of) return kExitFailed;
  }
  device::Database* db = ctx.db();
  if (tid && !note) {
    auto templates = db->ListTemplates(status);
    if (!templates.ok()) return ctx.Fail(templates.status());
    for (const device::ResponseTemplate& t : *templates)
      if (t.id == *tid) note = t.body_vi;
    if (!note)
      return ctx.Usage("no response template \"" + *tid + "\" for status " + status +
                       " (see q11 case templates --status=" + status + ")");
  }
  // The person reading the answer deserves the reason of a refusal and the result itself.
  bool blank = note.value_or("").find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank && status == "rejected")
    return ctx.Usage("rejected needs the reason: --note=TEXT or --template=TID");
  if (blank && status == "resolved")
    return ctx.Usage("resolved needs the result: --note=TEXT or --template=TID");
  Status s = status == "duplicate" ? db->MarkDuplicate(id, *of, note.value_or(""))
                                   : db->SetStatus(id, status, note.value_or(""));
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã cập nhật / updated: " << id << " → " << status << "\n";
  return kExitOk;
}

int RunCaseProgress(Context& ctx) {
  auto note = ctx.args().Get("note");
  auto expected = ctx.args().Get("expected");
  if (!note || note->empty()) return ctx.Usage("--note is required");
  if (!expected || expected->empty())
    return ctx.Usage(
        "--expected is required, e.g. --expected=2026-12-10T17:00:00+07:00 or "
        "--expected=2026-12-10 (17:00 that day, Vietnam time)");
  auto resolved = ctx.ReportId(ctx.args().positionals()[0]);
  if (!resolved) return kExitFailed;
  device::Database* db = ctx.db();
  const std::string& id = *resolved;
  Status s = db->PostProgress(id, *note, *expected);
  if (!s.ok()) return ctx.Fail(s);
  auto report = db->GetReport(id);
  std::cout << "Đã báo cáo tiến độ / progress posted: " << id << ", dự kiến / expected "
            << (report.ok() ? ctx.Time(report->expected_at) : *expected) << "\n";
  return kExitOk;
}

int RunCaseTemplates(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto templates = db->ListTemplates(ctx.args().Get("status").value_or(""));
  if (!templates.ok()) return ctx.Fail(templates.status());
  if (ctx.args().Has("json")) {
    std::cout << device::TemplatesToJson(*templates) << "\n";
    return kExitOk;
  }
  if (templates->empty()) std::cout << "Không có mẫu / no templates\n";
  for (const device::ResponseTemplate& t : *templates) {
    std::string status = t.status;
    status.resize(12, ' ');
    std::string id = t.id;
    id.resize(18, ' ');
    std::cout << id << status << t.title_vi << "\n    " << OneLine(t.body_vi, 500) << "\n";
  }
  return kExitOk;
}

int RunCaseAssign(Context& ctx) {
  auto unit = ctx.args().Get("unit");
  if (!unit || unit->empty()) return ctx.Usage("--unit is required (see q11 ref list)");
  auto resolved = ctx.ReportId(ctx.args().positionals()[0]);
  if (!resolved) return kExitFailed;
  device::Database* db = ctx.db();
  const std::string& id = *resolved;
  Status s = db->AssignUnit(id, *unit, ctx.args().Get("note").value_or(""));
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã giao đơn vị / assigned: " << id << " → " << *unit << "\n";
  return kExitOk;
}

int RunCaseDeadline(Context& ctx) {
  auto due = ctx.args().Get("due");
  if (!due || due->empty())
    return ctx.Usage(
        "--due is required, e.g. --due=2026-12-10T17:00:00+07:00 or "
        "--due=2026-12-10 (17:00 that day, Vietnam time)");
  auto resolved = ctx.ReportId(ctx.args().positionals()[0]);
  if (!resolved) return kExitFailed;
  device::Database* db = ctx.db();
  const std::string& id = *resolved;
  Status s = db->SetDeadline(id, *due, ctx.args().Get("note").value_or(""));
  if (!s.ok()) return ctx.Fail(s);
  auto report = db->GetReport(id);
  std::cout << "Đã đặt hạn xử lý / deadline set: " << id << " → "
            << (report.ok() ? ctx.Time(report->due_at) : *due) << "\n";
  return kExitOk;
}

}  // namespace q11::cli
