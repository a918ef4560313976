#include "app/scope_commands.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "app/cli_args.h"
#include "protocol/schema.h"
#include "q11sqlite/sqlite.h"
#include "store/data_dir.h"
#include "store/open_store.h"
#include "sync/changelog/scope_sums.h"
#include "sync/table_shapes.h"

namespace q11::server {
namespace {

constexpr const char* kScopesUsage =
    "usage: syncserver scopes check --data=DIR [--fix] [--json]\n"
    "  Compares the scope checksums the server keeps for every audience (what each pull\n"
    "  tells devices their copy must sum to, docs/protocol.md \"Verified convergence\")\n"
    "  with the ones its rows give now, and names each scope that differs.\n"
    "  --fix: stores the computed checksums (and every row's digest) instead.\n"
    "  It scans every synced row, holding the write lock meanwhile: pushes wait.\n"
    "  Exit status: 0 equal (or fixed), 1 differ, 2 usage error, 3 could not be read.\n"
    "  So sánh tổng kiểm tra từng phạm vi dữ liệu với dữ liệu thực; --fix ghi "
    "lại.\n" Q11_DATABASE_OPTION_HELP;

int Usage(const std::string& message) {
  std::fprintf(stderr, "syncserver scopes: %s\n%s", message.c_str(), kScopesUsage);
  return 2;
}

Poco::JSON::Object SumJson(const wire::ScopeSum& s) {
  Poco::JSON::Object o;
  o.set("rows", static_cast<Poco::UInt64>(s.rows));
  o.set("checksum", s.Hex());
  return o;
}

}  // namespace

int RunScopesCommand(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "check") {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
      std::fputs(kScopesUsage, stdout);
      return 0;
    }
    return Usage("the subcommand is check");
  }
  Result<CliArgs> args = ParseCliArgs(argc, argv, 3, CliSpec{{"data"}, {"json", "fix"}});
  if (!args.ok()) return Usage(args.status().message());
  if (args->Has("help")) {
    std::fputs(kScopesUsage, stdout);
    return 0;
  }
  if (!args->values.count("data")) return Usage("missing --data / thiếu --data");
  const std::string url = args->Get("database");
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "syncserver scopes: %s\n", s.message().c_str());
    return 3;
  };
  if (Status s = RequireDataDir(args->Get("data"), url); !s.ok()) return fail(s);
  Result<std::unique_ptr<ServerStore>> store = OpenServerStore(PathsFor(args->Get("data")), url);
  if (!store.ok()) return fail(store.status());
  // The synced tables' shapes from their DDL, as the PostgreSQL store reads them.
  Result<sql::Db> scratch = sql::Db::Open(":memory:");
  if (!scratch.ok()) return fail(scratch.status());
  if (Status s = scratch->Exec(schema::SyncedTablesSql()); !s.ok()) return fail(s);
  Result<TableShapes> shapes = TableShapes::Load(*scratch);
  if (!shapes.ok()) return fail(shapes.status());

  const bool fix = args->Has("fix");
  ScopeSums kept, actual;
  // One transaction: the kept sums and the rows are the same moment's.
  Status read = (*store)->Write([&](SqlConn& db) -> Status {
    Result<ScopeSums> k = ReadScopeSums(db);
    if (!k.ok()) return k.status();
    kept = std::move(*k);
    Result<ScopeSums> a = ComputeScopeSums(db, *shapes, /*store=*/fix);
    if (!a.ok()) return a.status();
    actual = std::move(*a);
    return Status::Ok();
  });
  if (!read.ok()) return fail(read);
  const std::vector<ScopeDifference> diffs = CompareScopeSums(kept, actual);

  if (args->Has("json")) {
    Poco::JSON::Object o;
    o.set("equal", diffs.empty());
    o.set("fixed", fix && !diffs.empty());
    o.set("scopes", static_cast<Poco::UInt64>(actual.size()));
    Poco::JSON::Array list;
    for (const ScopeDifference& d : diffs) {
      Poco::JSON::Object e;
      e.set("scope", d.audience);
      e.set("kept", SumJson(d.kept));
      e.set("actual", SumJson(d.actual));
      list.add(e);
    }
    o.set("differ", list);
    o.stringify(std::cout);
    std::cout << "\n";
  } else if (diffs.empty()) {
    std::printf("equal / khớp: %zu scopes, their kept checksums are their rows'\n", actual.size());
  } else {
    for (const ScopeDifference& d : diffs)
      std::printf("DIFFERS / KHÁC: scope %s: kept %llu rows %s, rows give %llu rows %s\n",
                  d.audience.c_str(), static_cast<unsigned long long>(d.kept.rows),
                  d.kept.Hex().c_str(), static_cast<unsigned long long>(d.actual.rows),
                  d.actual.Hex().c_str());
    if (fix)
      std::printf(
          "fixed / đã sửa: the checksums of the rows are stored; devices of these scopes "
          "repair their copies at their next sync\n");
  }
  return diffs.empty() || fix ? 0 : 1;
}

}  // namespace q11::server
