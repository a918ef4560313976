// Register(): checks the input by the server's rules, POST /v1/register, stores the account
// like Login. The phone and e-mail go to the server; the device keeps a copy for its user in
// device_meta only (never in the synced tables).
#include <algorithm>

#include "account_reply.h"
#include "certificate_refusal.h"
#include "database_impl.h"
#include "devicecore/account.h"
#include "server_call.h"
#include "status_macros.h"

namespace q11::device {
namespace {

// The limits of syncserver's account rules; the server checks them again (it must), these
// only spare an offline user a round trip to learn about a typo.
constexpr size_t kNameMin = 3, kNameMax = 64;
constexpr size_t kPasswordMin = 8, kPasswordMax = 1024;
constexpr size_t kPhoneMin = 8, kPhoneMax = 15;
constexpr size_t kEmailMax = 254;  // RFC 5321 path limit

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

Status ValidateRegistration(const Registration& r) {
  if (r.name.size() < kNameMin || r.name.size() > kNameMax ||
      !std::all_of(r.name.begin(), r.name.end(), NameChar))
    return InvalidArgument(
        "tên đăng nhập phải dài 3-64 ký tự, chỉ gồm a-z 0-9 . _ - / the name must be 3-64 "
        "characters of a-z 0-9 . _ -");
  if (r.password.size() < kPasswordMin || r.password.size() > kPasswordMax)
    return InvalidArgument(
        "mật khẩu phải dài 8-1024 byte / the password must be 8-1024 bytes long");
  if (!r.phone.empty() && (r.phone.size() < kPhoneMin || r.phone.size() > kPhoneMax ||
                           !std::all_of(r.phone.begin(), r.phone.end(),
                                        [](char c) { return (c >= '0' && c <= '9') || c == '+'; })))
    return InvalidArgument(
        "số điện thoại phải có 8-15 chữ số hoặc dấu + / the phone number must be 8-15 digits "
        "or +");
  if (!r.email.empty()) {
    size_t at = r.email.find('@');
    bool blank = std::any_of(r.email.begin(), r.email.end(),
                             [](unsigned char c) { return c <= ' ' || c == 0x7f; });
    if (at == std::string::npos || at == 0 || at + 1 == r.email.size() || blank ||
        r.email.size() > kEmailMax)
      return InvalidArgument("địa chỉ e-mail không hợp lệ / the e-mail address is not valid");
  }
  return Status::Ok();
}

Result<Account> Register(Database& database, Transport& transport, const std::string& server_url,
                         const Registration& registration, const std::string& server_ca_pem) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("Register needs a Database made by Database::Open");
  Q11_RETURN_IF_ERROR(ValidateRegistration(registration));

  RetryPolicy policy;
  policy.retry_rate_limited = false;  // the Retry-After is the user's to wait, not ours
  Result<HttpReply> reply = PostWithRetry(transport, db->env(), "/v1/register", "application/json",
                                          JsonBody({{"name", registration.name},
                                                    {"password", registration.password},
                                                    {"phone", registration.phone},
                                                    {"email", registration.email}}),
                                          "", policy, nullptr);
  if (!reply.ok()) {
    const Status& s = reply.status();
    switch (s.code()) {
      case StatusCode::kUnavailable:
        return Unavailable("cannot reach the server: " + s.message());
      case StatusCode::kAlreadyExists:
        return AlreadyExists("tên đăng nhập đã có người dùng / the name is taken: " + s.message());
      case StatusCode::kResourceExhausted:
        return ResourceExhausted("quá nhiều lần đăng ký / too many registrations: " + s.message());
      default:
        if (IsCertificateRefusal(s)) return s;  // the server was never asked
        return Status(s.code(), "registration refused: " + s.message());
    }
  }
  Q11_ASSIGN_OR_RETURN(Account account,
                       ParseAccountReply(reply->body, db->env().NowMs(), "registration"));
  account.server_url = server_url;
  account.server_ca_pem = server_ca_pem;
  account.contact_phone = registration.phone;
  account.contact_email = registration.email;
  Q11_RETURN_IF_ERROR(StoreNewAccount(*db, account));
  return account;
}

}  // namespace q11::device
