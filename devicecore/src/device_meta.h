// device_meta: the device's own key/value facts (device id, pull cursor, the logged-in
// account). A local table, never captured.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "devicecore/database.h"
#include "statement_cache.h"

namespace q11::device {

class DeviceMeta {
 public:
  // "*cache" must outlive this object.
  explicit DeviceMeta(StatementCache* cache) : cache_(cache) {}

  Result<std::optional<std::string>> Get(std::string_view key);
  Status Set(std::string_view key, std::string_view value);
  Status Erase(std::string_view key);

  Result<uint64_t> Cursor();
  Status SetCursor(uint64_t cursor);

  // kNotFound when nobody has logged in.
  Result<Account> GetAccount();
  // Writes every field, so a refresh stores the new access and refresh tokens together.
  // Callers wrap it in a transaction to make that atomic.
  Status SaveAccount(const Account& account);
  // Erases the access and refresh tokens and their expiry times (logout).
  Status ForgetTokens();

 private:
  StatementCache* cache_;
};

}  // namespace q11::device
