#include "privacy/contact_vault.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "auth/key_file.h"

namespace q11::server {
namespace {

constexpr size_t kKeyBytes = 32;

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

Result<std::unique_ptr<ContactVault>> ContactVault::Open(ContactStore& store,
                                                         const std::string& key_path) {
  Result<std::string> key = LoadOrCreateKey(key_path, kKeyBytes);
  if (!key.ok()) return key.status();
  key->resize(kKeyBytes);
  return std::unique_ptr<ContactVault>(new ContactVault(store, ContactCipher(std::move(*key))));
}

Status ContactVault::Put(std::string_view user_id, const Contact& contact,
                         std::string_view now_utc) {
  return store_.PutSealedContact(user_id, cipher_.Seal(ToJson(contact), user_id), now_utc);
}

Result<std::optional<Contact>> ContactVault::Get(std::string_view user_id) {
  Result<std::optional<std::string>> sealed = store_.FindSealedContact(user_id);
  if (!sealed.ok()) return sealed.status();
  if (!sealed->has_value()) return std::optional<Contact>();
  Result<std::string> json = cipher_.Open(**sealed, user_id);
  if (!json.ok()) return json.status();
  Result<Contact> c = FromJson(*json);
  if (!c.ok()) return c.status();
  return std::optional<Contact>(std::move(*c));
}

Status ContactVault::Delete(std::string_view user_id) { return store_.DeleteContact(user_id); }

}  // namespace q11::server
