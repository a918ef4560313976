// q11 ref list: the reference data every device carries.
#include <iostream>

#include "cli.h"
#include "devicecore/json.h"

namespace q11::cli {

int RunRefList(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto units = db->ListUnits();
  if (!units.ok()) return ctx.Fail(units.status());
  auto categories = db->ListCategories();
  if (!categories.ok()) return ctx.Fail(categories.status());
  if (ctx.args().Has("json")) {
    std::cout << device::ReferenceToJson(*units, *categories) << "\n";
    return kExitOk;
  }
  std::cout << "Đơn vị / units:\n";
  for (const device::Unit& u : *units)
    std::cout << "  " << u.id << std::string(u.id.size() < 14 ? 14 - u.id.size() : 1, ' ')
              << u.name_vi << " (" << u.name_en << ")"
              << (u.kind == "retired" ? " — đã ngừng hoạt động / retired" : "") << "\n";
  std::cout << "Lĩnh vực / categories:\n";
  // The handling time counts working hours from the server's receipt (docs/workflow.md).
  for (const device::Category& c : *categories) {
    std::cout << "  " << c.id << std::string(c.id.size() < 22 ? 22 - c.id.size() : 1, ' ')
              << c.name_vi << " — ";
    if (c.deadline_amount > 0)
      std::cout << c.level << ", " << c.deadline_amount
                << (c.deadline_unit == "working_days" ? " ngày làm việc / working days"
                                                      : " giờ làm việc / working hours");
    else
      std::cout << c.deadline_hours << "h";
    std::cout << ", " << c.default_unit << "\n";
  }
  return kExitOk;
}

}  // namespace q11::cli
