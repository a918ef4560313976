// Reporters' contact details (name, phone, e-mail): given at sign-up, kept only on the
// server, sealed with AES-256-GCM (contact_cipher.h) under DATA/contact.key, which lives
// outside the database file. Reports and events carry only the pseudonymous
// reporter_ref; nothing here ever enters the change log or a pull.
//
// Reading a contact is for roles explicitly allowed (admin, leader) and is audited by
// the caller (the admin API and `syncserver user contact`).
//
// The sealed bytes are kept by a ContactStore (store/contact_store.h), which the store the
// caller opened implements. Thread safety: safe from many threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "privacy/contact_cipher.h"
#include "protocol/result.h"
#include "store/contact_store.h"

namespace q11::server {

struct Contact {
  std::string name;  // the account's name at sign-up
  std::string phone;
  std::string email;
};

class ContactVault {
 public:
  // Loads the key at `key_path` (made on first use, 0600); the sealed contacts are kept by
  // `store`, which must outlive this.
  static Result<std::unique_ptr<ContactVault>> Open(ContactStore& store,
                                                    const std::string& key_path);

  Status Put(std::string_view user_id, const Contact& contact, std::string_view now_utc);
  // nullopt when the account left no contact. kDataLoss when the sealed value does not
  // open (another key, or tampered with).
  Result<std::optional<Contact>> Get(std::string_view user_id);
  // Forgets the account's contact (none: nothing to do).
  Status Delete(std::string_view user_id);

 private:
  ContactVault(ContactStore& store, ContactCipher cipher)
      : store_(store), cipher_(std::move(cipher)) {}

  ContactStore& store_;
  ContactCipher cipher_;
};

}  // namespace q11::server
