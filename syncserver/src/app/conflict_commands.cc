#include "app/conflict_commands.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli_args.h"
#include "conflicts/conflict_json.h"
#include "store/data_dir.h"
#include "store/open_store.h"
#include "syncserver/store.h"

namespace q11::server {
namespace {

constexpr const char* kUsage =
    "usage: syncserver conflicts list    --data=DIR [--state=open|resolved|all] [--table=T] "
    "[--unit=U]\n"
    "                                    [--min-age-hours=N] [--json]\n"
    "       syncserver conflicts show    --data=DIR ID [--json]\n"
    "       syncserver conflicts resolve --data=DIR ID (--take=server|--take=device |\n"
    "                                    --set=COL=VALUE ... [--set-null=COL ...]) [--by=NAME] "
    "[--json]\n"
    "  Sync conflicts parked for an admin (docs/conflicts.md).\n"
    "  Xung đột đồng bộ đang chờ quản trị viên xử lý.\n"
    "  list     open conflicts, newest first (danh sách xung đột)\n"
    "  show     one conflict: base, device and server value per column (chi tiết)\n"
    "  resolve  take the server's values, the device's, or set columns (unlisted columns\n"
    "           keep the server's value); --set=COL= sets an empty string, --set-null=COL\n"
    "           sets NULL. The decision becomes a new server change every device receives at\n"
    "           its next sync, and is audited (xử lý: giữ máy chủ, lấy thiết bị, hoặc sửa).\n"
    "  --by=NAME  who decides, for the audit log (default: cli:$USER).\n"
    "  Exit codes: 0 ok, 1 refused or failed, 2 usage error.\n" Q11_DATABASE_OPTION_HELP;

struct Args {
  std::string sub, data, database, id, state = "open", table, unit, take, by;
  long min_age_hours = 0;
  bool json = false, help = false;
  std::map<std::string, FieldValue> set;
};

Result<Args> Parse(int argc, char** argv) {
  Args a;
  a.sub = argv[2];
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      a.help = true;
      continue;
    }
    if (arg == "--json") {
      a.json = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      if (!a.id.empty()) return InvalidArgument("unexpected argument '" + arg + "'");
      a.id = arg;
      continue;
    }
    size_t eq = arg.find('=');
    if (eq == std::string::npos)
      return InvalidArgument("option " + arg + " needs a value: " + arg + "=...");
    std::string key = arg.substr(2, eq - 2), value = arg.substr(eq + 1);
    if (key == "data") {
      a.data = value;
    } else if (key == "database") {
      a.database = value;
    } else if (key == "state" && a.sub == "list") {
      if (value != "open" && value != "resolved" && value != "all")
        return InvalidArgument("--state must be open, resolved or all");
      a.state = value;
    } else if (key == "table" && a.sub == "list") {
      a.table = value;
    } else if (key == "unit" && a.sub == "list") {
      a.unit = value;
    } else if (key == "min-age-hours" && a.sub == "list") {
      std::optional<long> n = ParseInt(value, 0, 24L * 365 * 100);
      if (!n) return InvalidArgument("--min-age-hours must be a whole number of hours");
      a.min_age_hours = *n;
    } else if (key == "take" && a.sub == "resolve") {
      if (value != "server" && value != "device")
        return InvalidArgument(
            "--take must be server or device / --take phải là server hoặc device");
      a.take = value;
    } else if (key == "set" && a.sub == "resolve") {
      size_t col_end = value.find('=');
      if (col_end == std::string::npos || col_end == 0)
        return InvalidArgument("--set needs COL=VALUE, e.g. --set=status=accepted");
      a.set[value.substr(0, col_end)] = FieldValue::Text(value.substr(col_end + 1));
    } else if (key == "set-null" && a.sub == "resolve") {
      if (value.empty()) return InvalidArgument("--set-null needs a column name");
      a.set[value] = FieldValue::Null();
    } else if (key == "by" && a.sub == "resolve") {
      a.by = value;
    } else {
      return InvalidArgument("unknown option --" + key + " for 'conflicts " + a.sub + "'");
    }
  }
  return a;
}

Result<std::unique_ptr<ServerStore>> OpenData(const Args& a) {
  Q11_RETURN_IF_ERROR(
      RequireDataDir(a.data, a.database));  // a typo must not read as "no conflicts"
  return OpenServerStore(PathsFor(a.data), a.database);
}

std::string Show(const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::kInteger:
      return std::to_string(v.i);
    case FieldValue::Type::kReal: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.15g", v.r);
      return buf;
    }
    case FieldValue::Type::kText:
      return "'" + v.s + "'";
    default:
      return "NULL";
  }
}

int List(ConflictStore& store, const Args& a) {
  ConflictFilter f;
  f.state = a.state;
  f.table = a.table;
  f.unit = a.unit;
  f.min_age_hours = a.min_age_hours;
  Result<std::vector<ConflictSummary>> list = store.ListConflicts(f);
  if (!list.ok()) return CommandFailed(list.status());
  if (a.json) {
    std::cout << ConflictListJson(*list) << "\n";
    return 0;
  }
  if (list->empty()) {
    std::printf("no %s conflicts / không có xung đột\n", a.state == "all" ? "" : a.state.c_str());
    return 0;
  }
  std::printf("%-36s %-24s %-10s %-14s %-6s %-24s %-14s %s\n", "ID", "CREATED", "TABLE",
              "OPERATION", "UNIT", "COLUMNS", "USER", "STATE");
  for (const ConflictSummary& s : *list) {
    std::string cols;
    for (const std::string& c : s.columns) cols += (cols.empty() ? "" : ",") + c;
    std::printf("%-36s %-24s %-10s %-14s %-6s %-24s %-14s %s\n", s.id.c_str(), s.created_at.c_str(),
                s.table.c_str(), ConflictOpName(s.op), s.unit.c_str(), cols.c_str(), s.user.c_str(),
                s.state.c_str());
  }
  return 0;
}

int ShowOne(ConflictStore& store, const Args& a) {
  Result<ConflictDetail> d = store.GetConflict(a.id);
  if (!d.ok()) return CommandFailed(d.status());
  if (a.json) {
    std::cout << ConflictDetailJson(*d) << "\n";
    return 0;
  }
  const ConflictSummary& s = d->summary;
  std::printf("conflict %s (%s)\n", s.id.c_str(), s.state.c_str());
  std::printf("  row        %s %s  operation %s\n", s.table.c_str(), s.row_id.c_str(),
              ConflictOpName(s.op));
  std::printf("  unit       %s%s%s\n", s.unit.c_str(), s.assigned_unit.empty() ? "" : ", assigned ",
              s.assigned_unit.c_str());
  std::printf("  pushed by  %s from device %s at %s\n", s.user.c_str(), s.device_id.c_str(),
              s.created_at.c_str());
  if (s.state == "open" && d->row_seq != d->current_seq)
    std::printf("  NOTE: the row changed since (seq %llu → %llu); resolving is refused\n",
                static_cast<unsigned long long>(d->row_seq),
                static_cast<unsigned long long>(d->current_seq));
  std::printf("  %-16s %-26s %-26s %-26s%s\n", "COLUMN", "BASE (gốc)", "DEVICE (thiết bị)",
              "SERVER (máy chủ)", d->resolution ? " RESOLVED (đã xử lý)" : "");
  for (const ConflictColumn& c : d->columns) {
    std::string device = s.op == ConflictOp::kDelete ? "(deleted / xóa)" : Show(c.device);
    std::string resolved;
    if (d->resolution) {
      auto it = d->resolution->values.find(c.column);
      resolved = it == d->resolution->values.end() ? "" : " " + Show(it->second);
    }
    std::printf("  %-16s %-26s %-26s %-26s%s\n", c.column.c_str(), Show(c.base).c_str(),
                device.c_str(), Show(c.server).c_str(), resolved.c_str());
  }
  if (d->resolution)
    std::printf("  resolved by %s at %s (%s)\n", d->resolution->by.c_str(),
                d->resolution->at.c_str(), d->resolution->decision.c_str());
  return 0;
}

int Resolve(ConflictStore& store, const Args& a) {
  ConflictDecision d;
  if (!a.take.empty() && !a.set.empty())
    return UsageError("give either --take or --set/--set-null, not both / chỉ chọn một cách xử lý",
                      kUsage);
  if (a.take.empty() && a.set.empty())
    return UsageError("say what to do: --take=server, --take=device or --set=COL=VALUE", kUsage);
  if (a.take == "server") d.take = ConflictDecision::Take::kServer;
  if (a.take == "device") d.take = ConflictDecision::Take::kDevice;
  d.set = a.set;
  std::string by = a.by;
  if (by.empty()) {
    const char* user = std::getenv("USER");
    by = std::string("cli:") + (user != nullptr && *user ? user : "unknown");
  }
  Result<ResolvedConflict> r = store.ResolveConflict(a.id, d, by);
  if (!r.ok()) return CommandFailed(r.status());
  if (a.json) {
    std::cout << ResolvedJson(*r) << "\n";
    return 0;
  }
  std::printf(
      "resolved %s at server sequence %llu; devices receive it at their next sync\n"
      "đã xử lý; các thiết bị nhận kết quả ở lần đồng bộ tới\n",
      r->id.c_str(), static_cast<unsigned long long>(r->server_seq));
  return 0;
}

}  // namespace

int RunConflictsCommand(int argc, char** argv) {
  if (argc < 3) return UsageError("missing conflicts subcommand (list, show, resolve)", kUsage);
  std::string sub = argv[2];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (sub != "list" && sub != "show" && sub != "resolve")
    return UsageError("unknown conflicts subcommand '" + sub + "' (list, show, resolve)", kUsage);
  Result<Args> args = Parse(argc, argv);
  if (!args.ok()) return UsageError(args.status().message(), kUsage);
  if (args->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args->data.empty()) return UsageError("missing --data=DIR / thiếu --data", kUsage);
  if (sub != "list" && args->id.empty())
    return UsageError("missing the conflict ID / thiếu mã xung đột", kUsage);
  if (sub == "list" && !args->id.empty())
    return UsageError("unexpected argument '" + args->id + "'", kUsage);
  Result<std::unique_ptr<ServerStore>> store = OpenData(*args);
  if (!store.ok()) return CommandFailed(store.status());
  if (sub == "list") return List(**store, *args);
  if (sub == "show") return ShowOne(**store, *args);
  return Resolve(**store, *args);
}

}  // namespace q11::server
