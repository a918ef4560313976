#include "app/unit_commands.h"

#include <cstdio>
#include <sstream>

#include "app/cli_args.h"
#include "protocol/schema.h"
#include "q11sqlite/sqlite.h"
#include "store/data_dir.h"
#include "store/data_dir_lock.h"
#include "store/open_store.h"
#include "sync/table_shapes.h"
#include "units/unit_changes.h"

namespace q11::server {
namespace {

constexpr const char* kUnitsUsage =
    "usage: syncserver units list --data=DIR              every unit, retired ones with their "
    "successor (danh sách đơn vị)\n"
    "       syncserver units add --data=DIR --id=ID --kind=ward|department --name-vi=NAME\n"
    "                            --name-en=NAME [--parent=UNIT]   a new unit (thêm đơn vị)\n"
    "       syncserver units merge --data=DIR --from=UNIT[,UNIT...] --into=UNIT "
    "[--move-accounts]\n"
    "           retire units into another (sáp nhập đơn vị): their open cases move to it with\n"
    "           an assignment event, devices of the old unit lose them and those of the new\n"
    "           one get them; closed cases keep their unit; devices that still send an old id\n"
    "           are redirected. --move-accounts: officials of the old units become the new\n"
    "           unit's (they sign in again).\n"
    "       syncserver units retire --data=DIR --unit=UNIT [--into=UNIT] [--move-accounts]\n"
    "           without --into, only a unit with no open case and no active account.\n"
    "  Changes refuse while a server runs on DIR (it reads the units when it starts): stop\n"
    "  it, change the units, start it again (docs/units.md).\n" Q11_DATABASE_OPTION_HELP;

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// The synced tables' shapes as SQLite sees the DDL (the same on both engines).
Result<TableShapes> SyncedShapes() {
  Result<sql::Db> scratch = sql::Db::Open(":memory:");
  if (!scratch.ok()) return scratch.status();
  Q11_RETURN_IF_ERROR(scratch->Exec(schema::SyncedTablesSql()));
  return TableShapes::Load(*scratch);
}

int List(DbWriter& db) {
  Status s = db.Write([](SqlConn& conn) -> Status {
    Result<SqlStmt> st = conn.Prepare(
        "SELECT u.id, u.kind, COALESCE(u.parent_id, ''), u.name_vi, "
        "COALESCE(r.successor_id, ''), COALESCE(r.retired_at, ''), COALESCE(r.prior_kind, '') "
        "FROM units u LEFT JOIN retired_units r ON r.unit_id = u.id ORDER BY u.kind = 'retired', "
        "u.id");
    if (!st.ok()) return st.status();
    std::printf("%-16s %-10s %-10s %-44s %s\n", "ID", "KIND", "PARENT", "NAME",
                "RETIRED (ngừng hoạt động) → SUCCESSOR");
    for (;;) {
      Result<bool> row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      std::string retired = st->Text(5).empty() ? "-"
                                                : st->Text(5) + " (" + st->Text(6) + ") → " +
                                                      (st->Text(4).empty() ? "-" : st->Text(4));
      std::printf("%-16s %-10s %-10s %-44s %s\n", st->Text(0).c_str(), st->Text(1).c_str(),
                  st->Text(2).c_str(), st->Text(3).c_str(), retired.c_str());
    }
  });
  if (!s.ok()) return CommandFailed(s);
  return 0;
}

}  // namespace

int RunUnitsCommand(int argc, char** argv) {
  if (argc < 3)
    return UsageError("missing units subcommand (list, add, merge, retire)", kUnitsUsage);
  const std::string sub = argv[2];
  if (sub == "--help" || sub == "-h") {
    std::fputs(kUnitsUsage, stdout);
    return 0;
  }
  CliSpec spec;
  if (sub == "list")
    spec = CliSpec{{"data"}, {}};
  else if (sub == "add")
    spec = CliSpec{{"data", "id", "kind", "name-vi", "name-en", "parent"}, {}};
  else if (sub == "merge")
    spec = CliSpec{{"data", "from", "into"}, {"move-accounts"}};
  else if (sub == "retire")
    spec = CliSpec{{"data", "unit", "into"}, {"move-accounts"}};
  else
    return UsageError("unknown units subcommand '" + sub + "'", kUnitsUsage);
  Result<CliArgs> args = ParseCliArgs(argc, argv, 3, spec);
  if (!args.ok()) return UsageError(args.status().message(), kUnitsUsage);
  if (args->Has("help")) {
    std::fputs(kUnitsUsage, stdout);
    return 0;
  }
  if (!args->values.count("data")) return UsageError("missing --data / thiếu --data", kUnitsUsage);
  if (sub == "merge" && (!args->values.count("from") || !args->values.count("into")))
    return UsageError("merge needs --from and --into / cần --from và --into", kUnitsUsage);
  if (sub == "retire" && !args->values.count("unit"))
    return UsageError("retire needs --unit / cần --unit", kUnitsUsage);
  const std::string dir = args->Get("data"), url = args->Get("database");
  Status present = RequireDataDir(dir, url);
  if (!present.ok()) return CommandFailed(present);
  // A running server would go on judging pushes by the units it read at its start.
  std::optional<DataDirLock> lock;
  if (sub != "list") {
    Result<DataDirLock> taken = DataDirLock::Take(dir, DataDirLock::Mode::kExclusive);
    if (!taken.ok()) return CommandFailed(taken.status());
    lock.emplace(std::move(*taken));
  }
  Result<std::unique_ptr<ServerStore>> store = OpenServerStore(PathsFor(dir), url);
  if (!store.ok()) return CommandFailed(store.status());
  if (sub == "list") return List(**store);
  Result<TableShapes> shapes = SyncedShapes();
  if (!shapes.ok()) return CommandFailed(shapes.status());

  UnitMergeOutcome merged;
  const int64_t now = CliNowMs();
  Status s = (*store)->Write([&](SqlConn& db) -> Status {
    merged = UnitMergeOutcome();  // a job may run more than once
    Result<std::unique_ptr<UnitChanges>> units = UnitChanges::Create(db, *shapes);
    if (!units.ok()) return units.status();
    if (sub == "add") {
      NewUnit u{args->Get("id"), args->Get("kind"), args->Get("name-vi"), args->Get("name-en"),
                args->Get("parent")};
      return (*units)->Add(u);
    }
    const std::vector<std::string> from =
        sub == "merge" ? SplitList(args->Get("from")) : std::vector<std::string>{args->Get("unit")};
    return (*units)->Merge(from, args->Get("into"), now, args->Has("move-accounts"), &merged);
  });
  if (!s.ok()) return CommandFailed(s);
  if (sub == "add") {
    std::printf("added unit %s (đã thêm đơn vị)\n", args->Get("id").c_str());
    return 0;
  }
  for (const std::string& u : merged.retired)
    std::printf("retired %s%s (đã ngừng hoạt động)\n", u.c_str(),
                args->Get("into").empty() ? "" : (" → " + args->Get("into")).c_str());
  std::printf("open cases moved: %lld (phản ánh đang xử lý đã chuyển); accounts moved: %lld\n",
              static_cast<long long>(merged.cases_moved),
              static_cast<long long>(merged.accounts_moved));
  std::printf("start the server again to serve the new units (khởi động lại máy chủ)\n");
  return 0;
}

}  // namespace q11::server
