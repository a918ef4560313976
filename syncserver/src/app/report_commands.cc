#include "app/report_commands.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "app/cli_args.h"
#include "monitor/unit_report.h"
#include "monitor/unit_report_csv.h"
#include "monitor/unit_report_json.h"
#include "protocol/ids.h"
#include "protocol/vietnam_time.h"
#include "store/data_dir.h"
#include "store/open_store.h"
#include "syncserver/store.h"

namespace q11::server {
namespace {

constexpr const char* kUsage =
    "usage: syncserver report units --data=DIR --from=DATE --to=DATE [--json|--csv] [--now=ISO]\n"
    "       syncserver report cases --data=DIR --from=DATE --to=DATE [--unit=U] [--overdue]\n"
    "                               [--json|--csv] [--now=ISO]\n"
    "  Monitoring figures of the reports received from DATE to DATE (YYYY-MM-DD, Vietnam\n"
    "  time, both included), per unit and per category (docs/monitoring.md).\n"
    "  Số liệu theo dõi các phản ánh tiếp nhận trong khoảng ngày, theo đơn vị và lĩnh vực.\n"
    "  A case moved by a units merge after the period counts under its units of that time\n"
    "  (theo đơn vị tại thời điểm đó, docs/units.md).\n"
    "  units   the unit table (bảng đơn vị); cases: the cases with every timestamp (danh sách\n"
    "          hồ sơ), --overdue: only those overdue now (quá hạn).\n"
    "  --now=ISO  compute \"now\" figures at this instant instead of the clock (for checks):\n"
    "             ISO-8601 with any offset (2026-11-27T17:00:00+07:00, ...Z) or a date\n"
    "             (17:00 that day, Vietnam time).\n" Q11_DATABASE_OPTION_HELP;

std::string Hours(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *v);
  return buf;
}

std::string Percent(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *v * 100);
  return buf;
}

void PrintTable(const UnitReport& r) {
  std::printf("Từ %s đến %s (giờ Việt Nam), lúc %s / from %s to %s, now %s\n",
              r.period.from_day.c_str(), r.period.to_day.c_str(), r.now.c_str(),
              r.period.from_day.c_str(), r.period.to_day.c_str(), r.now.c_str());
  std::printf("%-14s %6s %5s %5s %6s %5s %5s %7s %6s %6s %6s %6s %6s %7s %5s\n", "UNIT", "RECV",
              "OPEN", "PROG", "RESOLV", "REJ", "LATE", "ONTIME", "ACC50", "ACC90", "RES50", "RES90",
              "REOPEN", "STARS", "N");
  auto row = [](const Figures& f) {
    char stars[32] = "-";
    if (f.satisfaction) std::snprintf(stars, sizeof stars, "%.2f", *f.satisfaction);
    std::printf("%-14s %6lld %5lld %5lld %6lld %5lld %5lld %7s %6s %6s %6s %6s %6s %7s %5lld\n",
                f.id.c_str(), static_cast<long long>(f.received), static_cast<long long>(f.open),
                static_cast<long long>(f.in_progress), static_cast<long long>(f.resolved),
                static_cast<long long>(f.rejected), static_cast<long long>(f.overdue_now),
                Percent(f.on_time_rate).c_str(), Hours(f.accept_median_h).c_str(),
                Hours(f.accept_p90_h).c_str(), Hours(f.resolve_median_h).c_str(),
                Hours(f.resolve_p90_h).c_str(), Percent(f.reopen_rate).c_str(), stars,
                static_cast<long long>(f.ratings));
  };
  for (const Figures& f : r.units) row(f);
  std::printf("\n");
  for (const Figures& f : r.categories) row(f);
  std::printf(
      "\nRECV received/tiếp nhận, OPEN open/đang mở (PROG in progress/đang xử lý), RESOLV "
      "resolved/đã giải quyết,\nREJ rejected/từ chối, LATE overdue now/quá hạn, ONTIME on-time "
      "rate/tỷ lệ đúng hạn = on time ÷ (resolved + overdue),\nACC/RES time to accept/resolve in "
      "working hours (median, 90th percentile), REOPEN reopen rate, STARS mean rating (N).\n");
}

}  // namespace

int RunReportCommand(int argc, char** argv) {
  if (argc < 3 || (std::string(argv[2]) != "units" && std::string(argv[2]) != "cases")) {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    return UsageError("report needs units or cases / thiếu units hoặc cases", kUsage);
  }
  const std::string sub = argv[2];
  CliSpec spec{{"data", "from", "to", "now"}, {"json", "csv"}};
  if (sub == "cases") {
    spec.valued.insert("unit");
    spec.flags.insert("overdue");
  }
  Result<CliArgs> args = ParseCliArgs(argc, argv, 3, spec);
  if (!args.ok()) return UsageError(args.status().message(), kUsage);
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  for (const char* required : {"data", "from", "to"})
    if (!args->values.count(required))
      return UsageError(std::string("missing --") + required + " / thiếu --" + required, kUsage);
  if (args->Has("json") && args->Has("csv")) return UsageError("--json or --csv, not both", kUsage);
  Result<ReportPeriod> period = ParsePeriod(args->Get("from"), args->Get("to"));
  if (!period.ok()) return UsageError(period.status().message(), kUsage);
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (args->values.count("now")) {
    std::optional<int64_t> at = vntime::ParseTypedTime(args->Get("now"));
    if (!at) return UsageError(std::string("--now must be ") + vntime::kTypedTimeHelp, kUsage);
    now = *at;
  }
  const std::string url = args->Get("database");
  if (Status s = RequireDataDir(args->Get("data"), url); !s.ok()) return CommandFailed(s);
  Result<std::unique_ptr<ServerStore>> store = OpenServerStore(PathsFor(args->Get("data")), url);
  if (!store.ok()) return CommandFailed(store.status());
  Result<MonitorFacts> facts = (*store)->ReadMonitorFacts(period->from_utc, period->to_utc);
  if (!facts.ok()) return CommandFailed(facts.status());

  if (sub == "units") {
    UnitReport report = ComputeUnitReport(*facts, *period, now);
    if (args->Has("json"))
      std::printf("%s\n", UnitReportJson(report).c_str());
    else if (args->Has("csv")) {
      std::string csv = UnitsCsv(report);
      std::fwrite(csv.data(), 1, csv.size(), stdout);
    } else
      PrintTable(report);
    return 0;
  }
  if (args->values.count("unit") && !KnownUnit(*facts, args->Get("unit")))
    return CommandFailed(NotFound("no unit '" + args->Get("unit") + "' / không có đơn vị này"));
  std::vector<CaseRow> cases =
      CasesOf(*facts, *period, args->Get("unit"), args->Has("overdue"), now);
  if (args->Has("json")) {
    std::printf("%s\n", CaseListJson(args->Get("unit"), *period, FormatUtc(now), cases).c_str());
  } else if (args->Has("csv")) {
    std::string csv = CasesCsv(cases);
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  } else {
    for (const CaseRow& r : cases)
      std::printf("%-36s %-14s %-11s %-24s %-24s %s\n", r.facts->id.c_str(),
                  r.facts->receipt_code.c_str(), r.facts->status.c_str(),
                  r.facts->received_at.c_str(), r.deadline.c_str(), r.overdue_now ? "QUÁ HẠN" : "");
  }
  return 0;
}

}  // namespace q11::server
