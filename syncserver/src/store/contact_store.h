// Where reporters' sealed contact details are kept (privacy/contact_vault.h seals and
// opens them; this side only ever sees the sealed bytes). The SQLite store implements it
// (table contacts), writing through its single writer.
//
// Thread safety: safe from many threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace q11::server {

class ContactStore {
 public:
  virtual ~ContactStore() = default;
  // Keeps `sealed` for the account, replacing what it had.
  virtual Status PutSealedContact(std::string_view user_id, std::string_view sealed,
                                  std::string_view updated_at) = 0;
  // The account's sealed contact; nullopt when it left none.
  virtual Result<std::optional<std::string>> FindSealedContact(std::string_view user_id) = 0;
  // Forgets the account's contact (none: nothing to do).
  virtual Status DeleteContact(std::string_view user_id) = 0;
};

}  // namespace q11::server
