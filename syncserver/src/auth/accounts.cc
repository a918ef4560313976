#include "auth/accounts.h"

#include "auth/secure_random.h"
#include "protocol/ids.h"

namespace q11::server {
namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr size_t kMinPasswordBytes = 6;
constexpr size_t kMaxPasswordBytes = 1024;

bool SaneName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (unsigned char c : name) {
    // Letters, digits and . _ - @ only: names appear in logs and on the command line.
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string NewReporterRef() { return "cd-" + RandomBase32(12); }

Result<Account> CreateAccount(AccountStore& store, const NewAccount& req, int64_t now_ms,
                              int iterations,
                              const std::function<Status(const Account&)>& before_store) {
  if (!SaneName(req.name))
    return InvalidArgument(
        "name must be 1-64 characters of a-z A-Z 0-9 . _ - @ / tên không hợp lệ");
  if (req.password.size() < kMinPasswordBytes || req.password.size() > kMaxPasswordBytes)
    return InvalidArgument("password must be 6-1024 bytes / mật khẩu phải dài 6-1024 byte");
  if (req.role == Role::kOfficial) {
    if (req.unit.empty()) return InvalidArgument("an official needs --unit / cán bộ cần có --unit");
    Result<bool> exists = store.UnitExists(req.unit);
    if (!exists.ok()) return exists.status();
    if (!*exists) return InvalidArgument("unknown unit '" + req.unit + "' / không có đơn vị này");
    // An official of a retired unit would see nothing: its cases moved on.
    Result<std::optional<std::string>> retired = store.RetiredInto(req.unit);
    if (!retired.ok()) return retired.status();
    if (retired->has_value())
      return InvalidArgument(
          "unit '" + req.unit + "' was retired" +
          ((*retired)->empty() ? std::string() : ", merged into '" + **retired + "'") +
          " (docs/units.md) / đơn vị đã ngừng hoạt động" +
          ((*retired)->empty() ? std::string() : ", nay là '" + **retired + "'"));
  } else if (!req.unit.empty()) {
    return InvalidArgument("only officials belong to a unit / chỉ cán bộ mới thuộc đơn vị");
  }
  PasswordHash hash = HashNewPassword(req.password, iterations);
  StoredAccount stored;
  stored.account.id = NewUuid7(now_ms);
  stored.account.name = req.name;
  stored.account.role = req.role;
  stored.account.unit = req.unit;
  stored.account.reporter_ref = NewReporterRef();
  stored.account.created_at = FormatUtc(now_ms);
  stored.pw_hash = std::move(hash.hash);
  stored.salt = std::move(hash.salt);
  stored.iterations = hash.iterations;
  if (before_store) Q11_RETURN_IF_ERROR(before_store(stored.account));
  Q11_RETURN_IF_ERROR(store.AddAccount(stored));
  return stored.account;
}

Result<Account> Authenticate(AccountStore& store, std::string_view name,
                             std::string_view password) {
  Result<std::optional<StoredAccount>> found = store.FindAccountByName(name);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    // Same cost as a real check, so response time does not reveal which names exist.
    (void)DerivePasswordHash(password, "q11-no-such-user", kPasswordIterations);
    return Unauthenticated("wrong name or password");
  }
  const StoredAccount& s = **found;
  if (!VerifyPassword(password, PasswordHash{s.pw_hash, s.salt, s.iterations}))
    return Unauthenticated("wrong name or password");
  if (s.account.disabled) return PermissionDenied("account disabled");
  return s.account;
}

}  // namespace q11::server
