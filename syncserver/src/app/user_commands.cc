#include "app/user_commands.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "app/cli_args.h"
#include "audit/security_audit.h"
#include "auth/accounts.h"
#include "auth/refresh_tokens.h"
#include "privacy/contact_vault.h"
#include "protocol/ids.h"
#include "store/data_dir.h"
#include "store/open_store.h"
#include "syncserver/store.h"

namespace q11::server {
namespace {

constexpr const char* kUserUsage =
    "usage: syncserver user add --data=DIR --name=NAME --password=PW --role=ROLE [--unit=UNIT]\n"
    "       syncserver user list --data=DIR [--json]\n"
    "       syncserver user disable --data=DIR --name=NAME   refuse the account at login, refresh "
    "and sync; revoke its sessions (khóa tài khoản)\n"
    "       syncserver user enable --data=DIR --name=NAME    let a disabled account log in again "
    "(mở khóa tài khoản)\n"
    "       syncserver user contact --data=DIR --name=NAME   show a reporter's contact details; "
    "audited (xem thông tin liên hệ, có ghi nhật ký)\n"
    "  Roles / vai trò: citizen (người dân), official (cán bộ, needs --unit), leader (lãnh đạo), "
    "admin.\n" Q11_DATABASE_OPTION_HELP;

constexpr const char* kSeedUsage =
    "usage: syncserver seed-demo --data=DIR\n"
    "  Creates the demo accounts when missing (idempotent) and prints them.\n"
    "  Tạo các tài khoản mẫu nếu chưa có.\n";

// user add and seed-demo make a new server's data; the other commands need it there.
enum class Data { kCreate, kExisting };

Result<std::unique_ptr<ServerStore>> OpenData(const CliArgs& args, Data data) {
  const std::string dir = args.Get("data"), url = args.Get("database");
  Q11_RETURN_IF_ERROR(data == Data::kCreate ? EnsureDataDir(dir) : RequireDataDir(dir, url));
  return OpenServerStore(PathsFor(dir), url);
}

int UserAdd(const CliArgs& args) {
  for (const char* required : {"data", "name", "password", "role"})
    if (!args.values.count(required))
      return UsageError(std::string("missing --") + required + " / thiếu --" + required,
                        kUserUsage);
  std::optional<Role> role = ParseRole(args.Get("role"));
  if (!role)
    return UsageError("unknown role '" + args.Get("role") + "' / vai trò không hợp lệ", kUserUsage);
  Result<std::unique_ptr<ServerStore>> store = OpenData(args, Data::kCreate);
  if (!store.ok()) return CommandFailed(store.status());
  NewAccount req{args.Get("name"), args.Get("password"), *role, args.Get("unit")};
  Result<Account> a = CreateAccount(**store, req, CliNowMs());
  if (!a.ok()) return CommandFailed(a.status());
  std::unique_ptr<SecurityAudit> audit = SecurityAudit::Open(**store, CliNowMs);
  (void)audit->Record(CliActor(), "account.added", "user/" + a->name,
                      AuditDetails({{"role", RoleName(a->role)}, {"unit", a->unit}}));
  std::printf("added %s (%s%s%s) id %s reporter_ref %s\n", a->name.c_str(),
              std::string(RoleName(a->role)).c_str(), a->unit.empty() ? "" : ", unit ",
              a->unit.c_str(), a->id.c_str(), a->reporter_ref.c_str());
  return 0;
}

int UserList(const CliArgs& args) {
  if (!args.values.count("data")) return UsageError("missing --data / thiếu --data", kUserUsage);
  Result<std::unique_ptr<ServerStore>> store = OpenData(args, Data::kExisting);
  if (!store.ok()) return CommandFailed(store.status());
  Result<std::vector<Account>> accounts = (*store)->ListAccounts();
  if (!accounts.ok()) return CommandFailed(accounts.status());
  if (args.Has("json")) {
    Poco::JSON::Array arr;
    for (const Account& a : *accounts) {
      Poco::JSON::Object o;
      o.set("id", a.id);
      o.set("name", a.name);
      o.set("role", std::string(RoleName(a.role)));
      o.set("unit", a.unit);
      o.set("reporter_ref", a.reporter_ref);
      o.set("created_at", a.created_at);
      o.set("disabled", a.disabled);
      arr.add(o);
    }
    arr.stringify(std::cout);
    std::cout << "\n";
    return 0;
  }
  std::printf("%-20s %-9s %-12s %-16s %s\n", "NAME", "ROLE", "UNIT", "REPORTER_REF", "ID");
  for (const Account& a : *accounts)
    std::printf("%-20s %-9s %-12s %-16s %s%s\n", a.name.c_str(),
                std::string(RoleName(a.role)).c_str(), a.unit.empty() ? "-" : a.unit.c_str(),
                a.reporter_ref.c_str(), a.id.c_str(), a.disabled ? " (disabled)" : "");
  return 0;
}

Result<Account> FindNamed(AccountStore& store, const std::string& name) {
  Result<std::optional<StoredAccount>> found = store.FindAccountByName(name);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound("no account named '" + name + "' / không có tài khoản");
  return std::move((*found)->account);
}

// user disable / user enable.
int UserSetDisabled(const CliArgs& args, bool disabled) {
  for (const char* required : {"data", "name"})
    if (!args.values.count(required))
      return UsageError(std::string("missing --") + required + " / thiếu --" + required,
                        kUserUsage);
  DataPaths paths = PathsFor(args.Get("data"));
  Result<std::unique_ptr<ServerStore>> store = OpenData(args, Data::kExisting);
  if (!store.ok()) return CommandFailed(store.status());
  Result<Account> account = FindNamed(**store, args.Get("name"));
  if (!account.ok()) return CommandFailed(account.status());
  // The running server re-reads the account on every request (bearer_auth.h), so the
  // flag takes effect at once; revoking the refresh families ends the sessions for good.
  Status updated = (*store)->Write([&](SqlConn& db) -> Status {
    Result<SqlStmt> st = db.Prepare("UPDATE users SET disabled = ?2 WHERE id = ?1");
    if (!st.ok()) return st.status();
    return st->Bind(1, account->id).Bind(2, disabled ? 1 : 0).Run();
  });
  if (!updated.ok()) return CommandFailed(updated);
  if (disabled) {
    Result<std::unique_ptr<RefreshTokens>> refresh = RefreshTokens::Open(**store, 0);
    if (!refresh.ok()) return CommandFailed(refresh.status());
    Status revoked = (*refresh)->RevokeUser(account->id, CliNowMs() / 1000);
    if (!revoked.ok()) return CommandFailed(revoked);
  }
  std::unique_ptr<SecurityAudit> audit = SecurityAudit::Open(**store, CliNowMs);
  (void)audit->Record(CliActor(), disabled ? "account.disabled" : "account.enabled",
                      "user/" + account->name, "{}");
  if (disabled)
    std::printf("disabled %s; its sessions are revoked / đã khóa tài khoản\n",
                account->name.c_str());
  else
    std::printf("enabled %s; it may log in again / đã mở khóa tài khoản\n", account->name.c_str());
  return 0;
}

int UserContact(const CliArgs& args) {
  for (const char* required : {"data", "name"})
    if (!args.values.count(required))
      return UsageError(std::string("missing --") + required + " / thiếu --" + required,
                        kUserUsage);
  DataPaths paths = PathsFor(args.Get("data"));
  Result<std::unique_ptr<ServerStore>> store = OpenData(args, Data::kExisting);
  if (!store.ok()) return CommandFailed(store.status());
  Result<Account> account = FindNamed(**store, args.Get("name"));
  if (!account.ok()) return CommandFailed(account.status());
  Result<std::unique_ptr<ContactVault>> vault = ContactVault::Open(**store, paths.contact_key);
  if (!vault.ok()) return CommandFailed(vault.status());
  Result<std::optional<Contact>> contact = (*vault)->Get(account->id);
  if (!contact.ok()) return CommandFailed(contact.status());
  // No read without its audit record.
  std::unique_ptr<SecurityAudit> audit = SecurityAudit::Open(**store, CliNowMs);
  Status audited = audit->Record(CliActor(), "contact.read", "user/" + account->name,
                                 AuditDetails({{"via", "cli"}}));
  if (!audited.ok()) return CommandFailed(audited);
  const Contact empty;
  const Contact& c = contact->has_value() ? **contact : empty;
  std::printf("name %s\nreporter_ref %s\nphone %s\nemail %s\n", account->name.c_str(),
              account->reporter_ref.c_str(), c.phone.empty() ? "-" : c.phone.c_str(),
              c.email.empty() ? "-" : c.email.c_str());
  // A reporter who gave a name of their own (an Open311 POST, docs/open311.md).
  if (!c.name.empty() && c.name != account->name) std::printf("contact_name %s\n", c.name.c_str());
  return 0;
}

}  // namespace

int RunUserCommand(int argc, char** argv) {
  if (argc < 3)
    return UsageError("missing user subcommand (add, list, disable, enable, contact)", kUserUsage);
  std::string sub = argv[2];
  if (sub == "--help" || sub == "-h") {
    std::fputs(kUserUsage, stdout);
    return 0;
  }
  CliSpec spec;
  if (sub == "add")
    spec = CliSpec{{"data", "name", "password", "role", "unit"}, {}};
  else if (sub == "list")
    spec = CliSpec{{"data"}, {"json"}};
  else if (sub == "disable" || sub == "enable" || sub == "contact")
    spec = CliSpec{{"data", "name"}, {}};
  else
    return UsageError("unknown user subcommand '" + sub + "'", kUserUsage);
  Result<CliArgs> args = ParseCliArgs(argc, argv, 3, spec);
  if (!args.ok()) return UsageError(args.status().message(), kUserUsage);
  if (args->Has("help")) {
    std::fputs(kUserUsage, stdout);
    return 0;
  }
  if (sub == "add") return UserAdd(*args);
  if (sub == "disable") return UserSetDisabled(*args, true);
  if (sub == "enable") return UserSetDisabled(*args, false);
  if (sub == "contact") return UserContact(*args);
  return UserList(*args);
}

int RunSeedDemo(int argc, char** argv) {
  Result<CliArgs> args = ParseCliArgs(argc, argv, 2, CliSpec{{"data"}, {}});
  if (!args.ok()) return UsageError(args.status().message(), kSeedUsage);
  if (args->Has("help")) {
    std::fputs(kSeedUsage, stdout);
    return 0;
  }
  if (!args->values.count("data")) return UsageError("missing --data / thiếu --data", kSeedUsage);
  Result<std::unique_ptr<ServerStore>> store = OpenData(*args, Data::kCreate);
  if (!store.ok()) return CommandFailed(store.status());
  const NewAccount kDemo[] = {
      {"lan", "lan-2026", Role::kCitizen, ""},
      {"canbo.p04", "p04-2026", Role::kOfficial, "p04"},
      {"canbo.q11", "q11-2026", Role::kOfficial, "q11"},
      {"lanhdao", "lanhdao-2026", Role::kLeader, ""},
      {"admin", "admin-2026", Role::kAdmin, ""},
  };
  std::printf("%-12s %-14s %-9s %s\n", "NAME", "PASSWORD", "ROLE", "UNIT");
  for (const NewAccount& d : kDemo) {
    Result<std::optional<StoredAccount>> existing = (*store)->FindAccountByName(d.name);
    if (!existing.ok()) return CommandFailed(existing.status());
    const char* note = "";
    if (!existing->has_value()) {
      Result<Account> a = CreateAccount(**store, d, CliNowMs());
      if (!a.ok()) return CommandFailed(a.status());
      note = "  (new / mới tạo)";
    } else {
      note = "  (exists; password unchanged / đã có)";
    }
    std::printf("%-12s %-14s %-9s %s%s\n", d.name.c_str(), d.password.c_str(),
                std::string(RoleName(d.role)).c_str(), d.unit.empty() ? "-" : d.unit.c_str(), note);
  }
  return 0;
}

}  // namespace q11::server
