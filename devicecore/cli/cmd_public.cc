// q11 public reports | receipt (devicecore/public_cases.h): the public view of reports,
// read online.
#include <iostream>

#include "cli.h"
#include "devicecore/json.h"
#include "devicecore/public_cases.h"

namespace q11::cli {
namespace {

std::string NameOr(const std::string& vi, const std::string& id) {
  return vi.empty() ? (id.empty() ? "-" : id) : vi;
}

void PrintCase(const Context& ctx, const device::PublicCase& c, bool with_history) {
  // Empty strings are unknown times: "-".
  auto Short = [&ctx](const std::string& iso) {
    return ctx.Time(iso.empty() ? std::nullopt : std::optional<std::string>(iso));
  };
  if (!c.receipt_code.empty()) std::cout << c.receipt_code << "  ";
  std::cout << c.status_vi << " / " << c.status_en << (c.overdue ? " ! quá hạn / overdue" : "")
            << "\n  " << NameOr(c.category_vi, c.category_id) << " · "
            << NameOr(c.ward_vi, c.ward_id) << " · xử lý / unit: " << NameOr(c.unit_vi, c.unit_id)
            << "\n  tiếp nhận / received " << Short(c.received_at) << ", hạn / due "
            << Short(c.expected_at.empty() ? c.due_at : c.expected_at) << ", cập nhật / updated "
            << Short(c.updated_at) << "\n";
  if (!c.duplicate_of.empty()) std::cout << "  trùng với / duplicate of " << c.duplicate_of << "\n";
  if (!with_history) return;
  for (const device::PublicStep& s : c.history) {
    std::cout << "  " << Short(s.at) << "  " << s.kind;
    if (!s.status.empty()) std::cout << " → " << s.status;
    if (!s.note.empty()) std::cout << ": " << OneLine(s.note, 300);
    std::cout << "\n";
  }
}

// A whole number within [lo, hi] from --name, or nullopt (usage error) when malformed.
std::optional<int64_t> IntOption(const Context& ctx, const char* name, int fallback, int lo,
                                 int hi) {
  std::optional<std::string> v = ctx.args().Get(name);
  if (!v) return fallback;
  return WholeNumber(*v, lo, hi);
}

}  // namespace

int RunPublicReports(Context& ctx) {
  std::string ward = ctx.args().Get("ward").value_or("");
  if (ward.empty()) return ctx.Usage("--ward=WARD is required (e.g. p05; see q11 ref list)");
  std::optional<int64_t> limit = IntOption(ctx, "limit", 50, 1, 200);
  std::optional<int64_t> offset = IntOption(ctx, "offset", 0, 0, 1 << 30);
  if (!limit || !offset) return ctx.Usage("--limit is 1-200 and --offset 0 or more");
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto server = ctx.Server();
  if (!server.ok()) return ctx.Fail(server.status());
  if (server->url.empty())
    return ctx.Fail(Unauthenticated("not logged in: run q11 login / chưa đăng nhập"));
  auto transport = Connect(*server, 30000);
  if (!transport.ok()) return ctx.Fail(transport.status());
  auto cases = device::BrowseWardReports(*db, **transport, ward, static_cast<int>(*limit),
                                         static_cast<int>(*offset));
  if (!cases.ok()) return ctx.Fail(cases.status());
  if (ctx.args().Has("json")) {
    std::cout << device::PublicCasesToJson(*cases) << "\n";
    return kExitOk;
  }
  if (cases->empty()) std::cout << "Không có phản ánh / no reports\n";
  for (const device::PublicCase& c : *cases) PrintCase(ctx, c, /*with_history=*/false);
  return kExitOk;
}

int RunPublicReceipt(Context& ctx) {
  auto server = ctx.Server();
  if (!server.ok()) return ctx.Fail(server.status());
  if (server->url.empty())
    return ctx.Usage("--server=URL is needed on a device that has not logged in");
  auto transport = Connect(*server, 30000);
  if (!transport.ok()) return ctx.Fail(transport.status());
  auto found =
      device::LookupReceipt(**transport, *device::DefaultEnv(), ctx.args().positionals()[0]);
  if (!found.ok()) return ctx.Fail(found.status());
  if (ctx.args().Has("json"))
    std::cout << device::PublicCaseToJson(*found) << "\n";
  else
    PrintCase(ctx, *found, /*with_history=*/true);
  return kExitOk;
}

}  // namespace q11::cli
