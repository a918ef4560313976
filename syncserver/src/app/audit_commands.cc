#include "app/audit_commands.h"

#include <Poco/JSON/Object.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "app/cli_args.h"
#include "audit/audit_verifier.h"
#include "store/data_dir.h"
#include "store/open_store.h"

namespace q11::server {
namespace {

constexpr const char* kAuditUsage =
    "usage: syncserver audit verify --data=DIR [--head=ID:HASH] [--json]\n"
    "  Checks the audit trail's hash chain: every conflict parked and resolved, every push\n"
    "  with its verdicts, every account, key and admin action, every security event. Each\n"
    "  record carries the hash of the one before, so a record edited, inserted or removed\n"
    "  in the database breaks the chain; the first broken record is named.\n"
    "  Prints the head (last record and its hash): keep it elsewhere, and give it back as\n"
    "  --head=ID:HASH later to find records cut off the end as well.\n"
    "  Exit status: 0 intact, 1 broken, 2 usage error, 3 the trail could not be read.\n"
    "  Kiểm tra chuỗi băm của nhật ký kiểm toán; chỉ ra bản ghi đầu tiên bị sửa.\n"
    "  Safe while the server runs (it reads a page at a time).\n" Q11_DATABASE_OPTION_HELP;

int Usage(const std::string& message) {
  std::fprintf(stderr, "syncserver audit: %s\n%s", message.c_str(), kAuditUsage);
  return 2;
}

}  // namespace

int RunAuditCommand(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "verify") {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
      std::fputs(kAuditUsage, stdout);
      return 0;
    }
    return Usage("the subcommand is verify");
  }
  Result<CliArgs> args = ParseCliArgs(argc, argv, 3, CliSpec{{"data", "head"}, {"json"}});
  if (!args.ok()) return Usage(args.status().message());
  if (args->Has("help")) {
    std::fputs(kAuditUsage, stdout);
    return 0;
  }
  if (!args->values.count("data")) return Usage("missing --data / thiếu --data");
  std::optional<AuditHead> head;
  if (args->Has("head")) {
    const std::string text = args->Get("head");
    size_t colon = text.find(':');
    std::optional<long> id =
        colon == std::string::npos ? std::nullopt : ParseInt(text.substr(0, colon), 1, LONG_MAX);
    if (!id || text.size() - colon - 1 != 64)
      return Usage("--head must be ID:HASH as printed by audit verify");
    head = AuditHead{*id, text.substr(colon + 1)};
  }
  const std::string url = args->Get("database");
  if (Status s = RequireDataDir(args->Get("data"), url); !s.ok()) {
    std::fprintf(stderr, "syncserver audit: %s\n", s.message().c_str());
    return 3;
  }
  Result<std::unique_ptr<ServerStore>> store = OpenServerStore(PathsFor(args->Get("data")), url);
  if (!store.ok()) {
    std::fprintf(stderr, "syncserver audit: %s\n", store.status().message().c_str());
    return 3;
  }
  Result<AuditVerdict> v = VerifyAuditTrail(**store, head);
  if (!v.ok()) {
    std::fprintf(stderr, "syncserver audit: cannot read the trail: %s\n",
                 v.status().message().c_str());
    return 3;
  }
  if (args->Has("json")) {
    Poco::JSON::Object o;
    o.set("intact", !v->broken.has_value());
    if (v->broken) o.set("broken", *v->broken);
    o.set("checked", v->checked);
    o.set("before_chain", v->before_chain);
    o.set("pruned", v->pruned);
    if (!v->head_hash.empty()) o.set("head", std::to_string(v->head_id) + ":" + v->head_hash);
    o.stringify(std::cout);
    std::cout << "\n";
  } else if (v->broken) {
    std::printf(
        "BROKEN / BỊ SỬA: %s\n"
        "  %lld records checked before it. Nhật ký kiểm toán đã bị thay đổi ngoài máy chủ.\n",
        v->broken->c_str(), static_cast<long long>(v->checked));
  } else {
    std::printf("intact / nguyên vẹn: %lld records chained (%lld pruned by retention)",
                static_cast<long long>(v->checked), static_cast<long long>(v->pruned));
    if (v->before_chain > 0)
      std::printf(", %lld older records from before the chain",
                  static_cast<long long>(v->before_chain));
    std::printf("\n");
    if (!v->head_hash.empty())
      std::printf("head: %lld:%s\n", static_cast<long long>(v->head_id), v->head_hash.c_str());
  }
  return v->broken ? 1 : 0;
}

}  // namespace q11::server
