#include "app/photo_commands.h"

#include <cstdio>
#include <set>
#include <string>

#include "app/cli_args.h"
#include "audit/security_audit.h"
#include "photos/photo_store.h"
#include "store/data_dir.h"
#include "store/open_store.h"
#include "store/sql/sql_conn.h"

namespace q11::server {
namespace {

constexpr const char* kPhotosUsage =
    "usage: syncserver photos prune --data=DIR [--partial-days=N] [--grace-hours=H]\n"
    "  Deletes the photo files no photo row names any more (their reports were withdrawn)\n"
    "  and partial uploads untouched for N days (default 30). Files changed in the last H\n"
    "  hours (default 24) are kept, so it is safe while the server runs.\n"
    "  Xóa ảnh không còn thuộc phản ánh nào và các lượt tải lên bỏ dở.\n" Q11_DATABASE_OPTION_HELP;

int Usage(const std::string& message) {
  std::fprintf(stderr, "syncserver photos: %s\n%s", message.c_str(), kPhotosUsage);
  return 2;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "syncserver photos: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int RunPhotosCommand(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "prune") {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
      std::fputs(kPhotosUsage, stdout);
      return 0;
    }
    return Usage("the only subcommand is prune");
  }
  Result<CliArgs> args =
      ParseCliArgs(argc, argv, 3, CliSpec{{"data", "partial-days", "grace-hours"}, {}});
  if (!args.ok()) return Usage(args.status().message());
  if (args->Has("help")) {
    std::fputs(kPhotosUsage, stdout);
    return 0;
  }
  if (!args->values.count("data")) return Usage("missing --data / thiếu --data");
  std::optional<long> days = ParseInt(args->Get("partial-days", "30"), 0, 3650);
  if (!days) return Usage("--partial-days must be 0-3650");
  // A photo completed just now may belong to a row this command did not read.
  std::optional<long> grace = ParseInt(args->Get("grace-hours", "24"), 0, 87600);
  if (!grace) return Usage("--grace-hours must be 0-87600");
  const std::string url = args->Get("database");
  if (Status s = RequireDataDir(args->Get("data"), url); !s.ok()) return Fail(s);
  DataPaths paths = PathsFor(args->Get("data"));
  Result<std::unique_ptr<ServerStore>> db = OpenServerStore(paths, url);
  if (!db.ok()) return Fail(db.status());
  std::set<std::string> referenced;
  // Read through the writer: one consistent look, on either engine, rare enough to queue.
  Status read = (*db)->Write([&](SqlConn& conn) -> Status {
    referenced.clear();
    Result<SqlStmt> st = conn.Prepare("SELECT DISTINCT sha256 FROM photos");
    if (!st.ok()) return st.status();
    for (;;) {
      Result<bool> row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      referenced.insert(st->Text(0));
    }
  });
  if (!read.ok()) return Fail(read);
  Result<std::unique_ptr<PhotoStore>> store = PhotoStore::Open(paths.photos);
  if (!store.ok()) return Fail(store.status());
  Result<PhotoStore::Pruned> pruned = (*store)->Prune(
      referenced, static_cast<int64_t>(*days) * 86400, static_cast<int64_t>(*grace) * 3600);
  if (!pruned.ok()) return Fail(pruned.status());
  (void)SecurityAudit::Open(**db, CliNowMs)
      ->Record(CliActor(), "photos.pruned", "photos",
               AuditDetails({{"photos", std::to_string(pruned->photos)},
                             {"partials", std::to_string(pruned->partials)},
                             {"bytes", std::to_string(pruned->bytes)}}));
  std::printf("Đã xóa / removed %d photos and %d partial uploads, %lld bytes freed\n",
              pruned->photos, pruned->partials, static_cast<long long>(pruned->bytes));
  return 0;
}

}  // namespace q11::server
