#include "privacy/contact_vault.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "auth/key_file.h"

namespace q11::server {
namespace {

constexpr size_t kKeyBytes = 32;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS contacts (
  user_id TEXT PRIMARY KEY NOT NULL,
  sealed BLOB NOT NULL,   -- AES-256-GCM of {"name","phone","email"}, key in DATA/contact.key
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
)sql";

std::string ToJson(const Contact& c) {
  Poco::JSON::Object o;
  o.set("name", c.name);
  o.set("phone", c.phone);
  o.set("email", c.email);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

Result<Contact> FromJson(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    Poco::JSON::Object::Ptr o = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    return Contact{o->optValue<std::string>("name", ""), o->optValue<std::string>("phone", ""),
                   o->optValue<std::string>("email", "")};
  } catch (const Poco::Exception& e) {
    return DataLoss("stored contact is not JSON: " + e.displayText());
  }
}

}  // namespace

Result<std::unique_ptr<ContactVault>> ContactVault::Open(const std::string& db_path,
                                                         const std::string& key_path,
                                                         DbWriter& writer) {
  Result<std::string> key = LoadOrCreateKey(key_path, kKeyBytes);
  if (!key.ok()) return key.status();
  key->resize(kKeyBytes);
  Q11_RETURN_IF_ERROR(writer.Write([](sql::Db& db) { return db.Exec(kSchema); }));
  Result<sql::Db> db = sql::Db::Open(db_path, /*create=*/false);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ContactVault>(
      new ContactVault(std::move(*db), ContactCipher(std::move(*key)), writer));
}

Result<std::unique_ptr<ContactVault>> ContactVault::Open(const std::string& db_path,
                                                         const std::string& key_path) {
  Result<std::unique_ptr<DbWriter>> writer = OpenOwnWriter(db_path);
  if (!writer.ok()) return writer.status();
  Result<std::unique_ptr<ContactVault>> vault = Open(db_path, key_path, **writer);
  if (vault.ok()) (*vault)->own_writer_ = std::move(*writer);
  return vault;
}

Status ContactVault::Put(std::string_view user_id, const Contact& contact,
                         std::string_view now_utc) {
  const std::string sealed = cipher_.Seal(ToJson(contact), user_id);
  return writer_.Write([&](sql::Db& db) -> Status {
    Result<sql::Statement> st = db.Prepare(
        "INSERT INTO contacts (user_id, sealed, updated_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (user_id) DO UPDATE SET sealed = excluded.sealed, "
        "updated_at = excluded.updated_at");
    if (!st.ok()) return st.status();
    return st->Bind(1, user_id).BindBlob(2, sealed).Bind(3, now_utc).Run();
  });
}

Result<std::optional<Contact>> ContactVault::Get(std::string_view user_id) {
  std::string sealed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Result<sql::Statement> st = db_.Prepare("SELECT sealed FROM contacts WHERE user_id = ?1");
    if (!st.ok()) return st.status();
    st->Bind(1, user_id);
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<Contact>();
    sealed = st->Blob(0);
    st->Reset();
  }
  Result<std::string> json = cipher_.Open(sealed, user_id);
  if (!json.ok()) return json.status();
  Result<Contact> c = FromJson(*json);
  if (!c.ok()) return c.status();
  return std::optional<Contact>(std::move(*c));
}

Status ContactVault::Delete(std::string_view user_id) {
  return writer_.Write([&](sql::Db& db) -> Status {
    Result<sql::Statement> st = db.Prepare("DELETE FROM contacts WHERE user_id = ?1");
    if (!st.ok()) return st.status();
    return st->Bind(1, user_id).Run();
  });
}

}  // namespace q11::server
