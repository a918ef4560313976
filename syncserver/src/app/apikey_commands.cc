#include "app/apikey_commands.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/cli_args.h"
#include "audit/security_audit.h"
#include "open311/api_keys.h"
#include "protocol/ids.h"
#include "store/data_dir.h"
#include "store/open_store.h"
#include "syncserver/store.h"

namespace q11::server {
namespace {

constexpr const char* kApiKeyUsage =
    "usage: syncserver apikey add --data=DIR --name=NAME      make an Open311 key for a client; "
    "printed once (tạo khóa API, chỉ in một lần)\n"
    "       syncserver apikey list --data=DIR [--json]        every key and whether it is "
    "revoked (danh sách khóa)\n"
    "       syncserver apikey revoke --data=DIR --name=NAME   stop a key at once (thu hồi khóa)\n"
    "  Keys let a client POST service requests to /open311/v2/ "
    "(docs/open311.md).\n" Q11_DATABASE_OPTION_HELP;

std::string NowUtc() {
  return FormatUtc(std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
}

// Opening the store first upgrades the database (the api_keys table). The server's data
// must be there: a key made in a mistyped folder would never be honoured.
// The keys are kept by the store (ApiKeyStore), which must outlive them.
struct OpenedKeys {
  std::unique_ptr<ServerStore> store;
  std::unique_ptr<ApiKeys> keys;
  ApiKeys* operator->() { return keys.get(); }
  ApiKeys& operator*() { return *keys; }
};

Result<OpenedKeys> OpenKeys(const std::string& dir, const std::string& database_url) {
  Q11_RETURN_IF_ERROR(RequireDataDir(dir, database_url));
  Result<std::unique_ptr<ServerStore>> store = OpenServerStore(PathsFor(dir), database_url);
  if (!store.ok()) return store.status();
  OpenedKeys opened;
  opened.store = std::move(*store);
  opened.keys = std::make_unique<ApiKeys>(*opened.store);
  return opened;
}

int List(ApiKeys& keys, bool json) {
  Result<std::vector<ApiKeyInfo>> list = keys.List();
  if (!list.ok()) return CommandFailed(list.status());
  if (json) {
    Poco::JSON::Array arr;
    for (const ApiKeyInfo& k : *list) {
      Poco::JSON::Object o;
      o.set("name", k.name);
      o.set("created_at", k.created_at);
      o.set("revoked_at",
            k.revoked_at.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(k.revoked_at));
      arr.add(o);
    }
    arr.stringify(std::cout);
    std::cout << "\n";
    return 0;
  }
  std::printf("%-24s %-26s %s\n", "NAME", "CREATED", "REVOKED");
  for (const ApiKeyInfo& k : *list)
    std::printf("%-24s %-26s %s\n", k.name.c_str(), k.created_at.c_str(),
                k.revoked_at.empty() ? "-" : k.revoked_at.c_str());
  return 0;
}

}  // namespace

int RunApiKeyCommand(int argc, char** argv) {
  if (argc < 3) return UsageError("missing apikey subcommand (add, list, revoke)", kApiKeyUsage);
  std::string sub = argv[2];
  if (sub == "--help" || sub == "-h") {
    std::fputs(kApiKeyUsage, stdout);
    return 0;
  }
  CliSpec spec;
  if (sub == "add" || sub == "revoke")
    spec = CliSpec{{"data", "name"}, {}};
  else if (sub == "list")
    spec = CliSpec{{"data"}, {"json"}};
  else
    return UsageError("unknown apikey subcommand '" + sub + "'", kApiKeyUsage);
  Result<CliArgs> args = ParseCliArgs(argc, argv, 3, spec);
  if (!args.ok()) return UsageError(args.status().message(), kApiKeyUsage);
  if (args->Has("help")) {
    std::fputs(kApiKeyUsage, stdout);
    return 0;
  }
  if (!args->values.count("data")) return UsageError("missing --data / thiếu --data", kApiKeyUsage);
  if (sub != "list" && !args->values.count("name"))
    return UsageError("missing --name / thiếu --name", kApiKeyUsage);
  Result<OpenedKeys> keys = OpenKeys(args->Get("data"), args->Get("database"));
  if (!keys.ok()) return CommandFailed(keys.status());
  if (sub == "list") return List(**keys, args->Has("json"));
  if (sub == "revoke") {
    Status s = (*keys)->Revoke(args->Get("name"), NowUtc());
    if (!s.ok()) return CommandFailed(s);
    (void)SecurityAudit::Open(*keys->store, CliNowMs)
        ->Record(CliActor(), "apikey.revoked", "apikey/" + args->Get("name"), "{}");
    std::printf("revoked %s (đã thu hồi)\n", args->Get("name").c_str());
    return 0;
  }
  Result<std::string> key = (*keys)->Add(args->Get("name"), NowUtc());
  if (!key.ok()) return CommandFailed(key.status());
  (void)SecurityAudit::Open(*keys->store, CliNowMs)
      ->Record(CliActor(), "apikey.added", "apikey/" + args->Get("name"), "{}");
  // The key alone on the last line, for scripts; it cannot be shown again.
  std::fprintf(stderr,
               "API key for %s (shown once; store it now / chỉ hiện một lần, hãy lưu lại):\n",
               args->Get("name").c_str());
  std::printf("%s\n", key->c_str());
  return 0;
}

}  // namespace q11::server
