// syncserver: the Quận 11 sync server and its admin commands.
#include <malloc.h>
#include <sqlite3.h>

#include <cstdio>
#include <string>

#include "app/apikey_commands.h"
#include "app/audit_commands.h"
#include "app/backup_commands.h"
#include "app/conflict_commands.h"
#include "app/photo_commands.h"
#include "app/report_commands.h"
#include "app/scope_commands.h"
#include "app/server_app.h"
#include "app/unit_commands.h"
#include "app/user_commands.h"

namespace {

constexpr const char* kUsage =
    "usage: syncserver <command> [options]\n"
    "  serve      --data=DIR [--port=N] [--bind=ADDR]   run the sync server (chạy máy chủ)\n"
    "  user add   --data=DIR --name=NAME --password=PW --role=ROLE [--unit=UNIT]   add an account "
    "(thêm tài khoản)\n"
    "  user list  --data=DIR [--json]                   list accounts (danh sách tài khoản)\n"
    "  user disable|contact --data=DIR --name=NAME      lock an account; read a reporter's "
    "contact (audited)\n"
    "  seed-demo  --data=DIR                            create the demo accounts (tạo tài khoản "
    "mẫu)\n"
    "  conflicts  list|show|resolve --data=DIR ...      sync conflicts parked for an admin (xử lý "
    "xung đột)\n"
    "  photos prune --data=DIR [--partial-days=N]      free the space of withdrawn and abandoned "
    "photos\n"
    "  report     units|cases --data=DIR --from=DATE --to=DATE [--json|--csv]   monitoring "
    "figures (số liệu theo dõi)\n"
    "  apikey     add|list|revoke --data=DIR [--name=NAME]   Open311 API keys (khóa API "
    "Open311)\n"
    "  audit      verify --data=DIR [--head=ID:HASH]     check the audit trail's hash chain "
    "(kiểm tra nhật ký)\n"
    "  units      list|add|merge|retire --data=DIR ...  change the units (sắp xếp đơn vị hành "
    "chính, docs/units.md)\n"
    "  scopes     check --data=DIR [--fix]              compare the kept scope checksums with "
    "the rows (tổng kiểm tra)\n"
    "  backup     --data=DIR --to=BACKUP [--force]      back up, also while it runs (sao lưu)\n"
    "  restore    --from=BACKUP --data=DIR              restore a backup; devices heal (khôi "
    "phục)\n"
    "Run `syncserver <command> --help` for details.\n";

}  // namespace

int main(int argc, char** argv) {
  // Before SQLite initialises: its memory statistics take a process-wide mutex on every
  // allocation, which the request threads then fight over; nothing here reads them.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  // glibc gives each busy thread its own malloc arena; a dozen request threads each
  // holding the freed pages of a large pull inflate RSS. A few arenas are enough.
  mallopt(M_ARENA_MAX, 4);
  // Requests run on pool threads, so a thread arena's top is trimmed after one request and
  // grown back (mprotect, page faults) by the next: a fifth of a large push's CPU. Keep up
  // to 8 MiB of free top per arena instead.
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "serve") return q11::server::RunServe(argc, argv);
  if (command == "user") return q11::server::RunUserCommand(argc, argv);
  if (command == "seed-demo") return q11::server::RunSeedDemo(argc, argv);
  if (command == "conflicts") return q11::server::RunConflictsCommand(argc, argv);
  if (command == "photos") return q11::server::RunPhotosCommand(argc, argv);
  if (command == "report") return q11::server::RunReportCommand(argc, argv);
  if (command == "apikey") return q11::server::RunApiKeyCommand(argc, argv);
  if (command == "audit") return q11::server::RunAuditCommand(argc, argv);
  if (command == "units") return q11::server::RunUnitsCommand(argc, argv);
  if (command == "scopes") return q11::server::RunScopesCommand(argc, argv);
  if (command == "backup") return q11::server::RunBackupCommand(argc, argv);
  if (command == "restore") return q11::server::RunRestoreCommand(argc, argv);
  std::fprintf(stderr, "syncserver: unknown command '%s'\n%s", command.c_str(), kUsage);
  return 2;
}
