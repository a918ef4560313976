// q11 case status|assign|deadline: an official's case work. Each is one captured local
// change, sent at the next sync; the server checks the official's unit.
#include <iostream>

#include "cli.h"

namespace q11::cli {

int RunCaseStatus(Context& ctx) {
  const auto& pos = ctx.args().positionals();
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  Status s = db->SetStatus(pos[0], pos[1], ctx.args().Get("note").value_or(""));
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã cập nhật / updated: " << pos[0] << " → " << pos[1] << "\n";
  return kExitOk;
}

int RunCaseAssign(Context& ctx) {
  auto unit = ctx.args().Get("unit");
  if (!unit || unit->empty()) return ctx.Usage("--unit is required (see q11 ref list)");
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  const std::string& id = ctx.args().positionals()[0];
  Status s = db->AssignUnit(id, *unit, ctx.args().Get("note").value_or(""));
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã giao đơn vị / assigned: " << id << " → " << *unit << "\n";
  return kExitOk;
}

int RunCaseDeadline(Context& ctx) {
  auto due = ctx.args().Get("due");
  if (!due || due->empty()) return ctx.Usage("--due is required, e.g. --due=2026-12-01T10:00:00Z");
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  const std::string& id = ctx.args().positionals()[0];
  Status s = db->SetDeadline(id, *due, ctx.args().Get("note").value_or(""));
  if (!s.ok()) return ctx.Fail(s);
  auto report = db->GetReport(id);
  std::cout << "Đã đặt hạn xử lý / deadline set: " << id << " → "
            << (report.ok() ? report->due_at.value_or(*due) : *due) << "\n";
  return kExitOk;
}

}  // namespace q11::cli
