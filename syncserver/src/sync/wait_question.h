// What a device waiting for changes asks (POST /v1/changes/wait): is there anything after
// `cursor` for `account`'s pull on `device_id`? Immutable once asked, so the reactor and
// the checker threads share it without locks (std::shared_ptr<const WaitQuestion>).
#pragma once

#include <cstdint>
#include <string>

#include "syncserver/account.h"

namespace q11::server {

struct WaitQuestion {
  Account account;
  std::string device_id;
  uint64_t cursor = 0;

  // Equal for questions whose answers are equal at any one moment: Store::HasChanges
  // depends on the account, the cursor and the device only.
  std::string Key() const {
    return account.id + '\n' + account.unit + '\n' +
           std::to_string(static_cast<int>(account.role)) + '\n' + device_id + '\n' +
           std::to_string(cursor);
  }
};

}  // namespace q11::server
