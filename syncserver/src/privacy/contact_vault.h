// Reporters' contact details (name, phone, e-mail): given at sign-up, kept only on the
// server, sealed with AES-256-GCM (contact_cipher.h) under DATA/contact.key, which lives
// outside the database file. Reports and events carry only the pseudonymous
// reporter_ref; nothing here ever enters the change log or a pull.
//
// Reading a contact is for roles explicitly allowed (admin, leader) and is audited by
// the caller (the admin API and `syncserver user contact`).
//
// Table contacts of the server database: read on a connection of its own, written through
// the server's one writer (db_writer.h). Thread safety: safe from many threads.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "privacy/contact_cipher.h"
#include "protocol/result.h"
#include "q11sqlite/sqlite.h"
#include "store/sqlite/db_writer.h"

namespace q11::server {

struct Contact {
  std::string name;  // the account's name at sign-up
  std::string phone;
  std::string email;
};

class ContactVault {
 public:
  // Opens `db_path` (the server database) for reading and the key at `key_path` (made on
  // first use, 0600); writes, and the table's creation, go through `writer` (the server's;
  // it must outlive this).
  static Result<std::unique_ptr<ContactVault>> Open(const std::string& db_path,
                                                    const std::string& key_path, DbWriter& writer);
  // The same, writing on a connection of its own (command-line tools, tests).
  static Result<std::unique_ptr<ContactVault>> Open(const std::string& db_path,
                                                    const std::string& key_path);

  Status Put(std::string_view user_id, const Contact& contact, std::string_view now_utc);
  // nullopt when the account left no contact. kDataLoss when the sealed value does not
  // open (another key, or tampered with).
  Result<std::optional<Contact>> Get(std::string_view user_id);
  // Forgets the account's contact (none: nothing to do).
  Status Delete(std::string_view user_id);

 private:
  ContactVault(sql::Db db, ContactCipher cipher, DbWriter& writer)
      : db_(std::move(db)), cipher_(std::move(cipher)), writer_(writer) {}

  std::mutex mu_;  // guards db_ (reads)
  sql::Db db_;
  ContactCipher cipher_;
  std::unique_ptr<DbWriter> own_writer_;  // the two-argument Open(): the writer is this object's
  DbWriter& writer_;
};

}  // namespace q11::server
