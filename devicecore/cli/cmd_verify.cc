// q11 verify: does this device hold exactly what the server says it should? Per scope, and
// per row when a scope differs; --repair makes it so (devicecore/verify.h).
#include <climits>
#include <iostream>

#include "cli.h"
#include "devicecore/verify.h"

namespace q11::cli {
namespace {

constexpr size_t kRowsShown = 200;  // in text; --json lists them all

const char* KindText(const std::string& kind) {
  if (kind == "missing") return "thiếu trên máy / missing here";
  if (kind == "extra") return "thừa trên máy / extra here  ";
  return "khác máy chủ / changed      ";
}

void PrintScope(const device::ScopeVerdict& v) {
  std::cout << "Phạm vi / scope " << v.audience << ": ";
  if (v.equal && !v.repaired) {
    std::cout << "khớp / equal (" << v.device_rows << " dòng / rows, " << v.device_checksum
              << ")\n";
    return;
  }
  std::cout << (v.repaired ? "đã sửa / repaired" : "KHÁC / DIFFERENT") << " — "
            << v.differences.size() << " dòng khác / rows differ; máy này / this device "
            << v.device_rows << " dòng / rows " << v.device_checksum << ", máy chủ / server "
            << v.server_rows << " dòng / rows " << v.server_checksum << "\n";
  size_t shown = 0;
  for (const device::RowDifference& d : v.differences) {
    if (shown++ == kRowsShown) {
      std::cout << "  … " << v.differences.size() - kRowsShown
                << " dòng nữa / more rows (--json lists them all)\n";
      break;
    }
    std::cout << "  " << KindText(d.kind) << "  " << d.table << "  " << d.id << "\n";
  }
  if (!v.problem.empty()) std::cout << "  ! " << OneLine(v.problem, 1000) << "\n";
}

}  // namespace

int RunVerify(Context& ctx) {
  const Args& a = ctx.args();
  device::VerifyOptions options;
  options.repair = a.Has("repair");
  int timeout_ms = 30000;
  if (auto t = a.Get("timeout-ms")) {
    auto v = WholeNumber(*t, 1, INT_MAX);
    if (!v) return ctx.Usage("--timeout-ms must be a positive number");
    timeout_ms = static_cast<int>(*v);
  }
  if (auto n = a.Get("attempts")) {
    auto v = WholeNumber(*n, 1, INT_MAX);
    if (!v) return ctx.Usage("--attempts must be a positive number");
    options.max_attempts = static_cast<int>(*v);
  }
  // Failures to compare exit kExitUnverified, not kExitFailed: 1 means "different" here.
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitUnverified;
  auto server = ctx.Server();
  if (!server.ok()) return ctx.Fail(server.status()), kExitUnverified;
  if (server->url.empty())
    return ctx.Fail(Unauthenticated("not logged in: run q11 login")), kExitUnverified;
  auto transport = Connect(*server, timeout_ms);
  if (!transport.ok()) return ctx.Fail(transport.status()), kExitUnverified;
  auto report = device::Verify(*db, **transport, options);
  if (!report.ok()) return ctx.Fail(report.status()), kExitUnverified;

  if (a.Has("json")) {
    std::cout << device::VerifyReportToJson(*report) << "\n";
  } else {
    for (const device::ScopeVerdict& v : report->scopes) PrintScope(v);
    if (report->equal)
      std::cout << "Thiết bị khớp với máy chủ / this device matches the server (at change "
                << report->cursor << ")\n";
    else
      std::cout << "Thiết bị KHÁC máy chủ / this device DIFFERS from the server"
                << (options.repair ? "" : ": q11 verify --repair sửa / repairs it") << "\n";
  }
  return report->equal ? kExitOk : kExitDifferent;
}

}  // namespace q11::cli
