#include "auth/register_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "audit/security_audit.h"
#include "auth/accounts.h"
#include "auth/rate_limiter.h"
#include "auth/refresh_tokens.h"
#include "auth/session_response.h"
#include "http/client_address.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "http/json_request.h"
#include "privacy/contact_vault.h"
#include "protocol/ids.h"

namespace q11::server {
namespace {

constexpr size_t kMaxRegisterBody = 16 * 1024;
constexpr size_t kMaxEmailBytes = 254;

// Stricter than accounts staff create (accounts.cc): self-chosen names are lowercase only,
// so "Lan" and "lan" cannot be two people.
bool SignUpName(const std::string& name) {
  if (name.size() < 3 || name.size() > 64) return false;
  for (unsigned char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

bool Phone(const std::string& phone) {
  if (phone.size() < 8 || phone.size() > 15) return false;
  for (unsigned char c : phone)
    if (!((c >= '0' && c <= '9') || c == '+')) return false;
  return true;
}

bool Email(const std::string& email) {
  size_t at = email.find('@');
  if (email.size() > kMaxEmailBytes || at == std::string::npos || at == 0 || at + 1 == email.size())
    return false;
  for (unsigned char c : email)
    if (c <= ' ' || c == 0x7f) return false;
  return true;
}

Status CheckSignUp(const std::map<std::string, std::string>& f) {
  if (!SignUpName(f.at("name")))
    return InvalidArgument(
        "name must be 3-64 characters of a-z 0-9 . _ - / tên đăng nhập phải dài 3-64 ký tự "
        "a-z 0-9 . _ -");
  size_t pw = f.at("password").size();
  if (pw < 8 || pw > 1024)
    return InvalidArgument("password must be 8-1024 bytes / mật khẩu phải dài 8-1024 byte");
  auto phone = f.find("phone");
  if (phone != f.end() && !phone->second.empty() && !Phone(phone->second))
    return InvalidArgument(
        "phone must be 8-15 digits or '+' / số điện thoại phải gồm 8-15 chữ số hoặc '+'");
  auto email = f.find("email");
  if (email != f.end() && !email->second.empty() && !Email(email->second))
    return InvalidArgument("email is not an e-mail address / địa chỉ e-mail không hợp lệ");
  return Status::Ok();
}

}  // namespace

void RegisterHandler::Handle(Poco::Net::HTTPServerRequest& request,
                             Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  std::string address = ClientAddress(ctx, request);
  int64_t now_ms = ctx.clock_ms();
  // Every attempt counts, valid or not: the limit also stops probing for taken names.
  if (ctx.limits != nullptr) {
    if (auto wait = ctx.limits->register_by_address.Take(address, now_ms)) {
      response.setKeepAlive(false);
      return SendRateLimited(response, *wait);
    }
  }
  Result<std::string> body = ReadBody(request, kMaxRegisterBody);
  if (!body.ok()) return SendBodyError(request, response, body.status());
  auto fields = ParseStringFields(*body, {"name", "password"}, {"phone", "email"});
  if (!fields.ok()) return SendStatusError(response, fields.status());
  Status valid = CheckSignUp(*fields);
  if (!valid.ok()) return SendStatusError(response, valid);
  const auto& f = *fields;
  NewAccount req{f.at("name"), f.at("password"), Role::kCitizen, ""};
  std::string phone = f.count("phone") ? f.at("phone") : "";
  std::string email = f.count("email") ? f.at("email") : "";
  // The contact is sealed and stored first, in a write of its own: if storing the account
  // then fails it is deleted again, and a crash in between leaves only a sealed contact
  // that no account names — never an account without the contact it was given.
  std::string contact_of;
  auto store_contact = [&](const Account& a) -> Status {
    if (phone.empty() && email.empty()) return Status::Ok();
    Q11_RETURN_IF_ERROR(ctx.contacts->Put(a.id, Contact{a.name, phone, email}, FormatUtc(now_ms)));
    contact_of = a.id;
    return Status::Ok();
  };
  Result<Account> account =
      CreateAccount(*ctx.store, req, now_ms, kPasswordIterations, store_contact);
  if (!account.ok() && !contact_of.empty()) (void)ctx.contacts->Delete(contact_of);
  if (!account.ok()) {
    if (account.status().code() == StatusCode::kAlreadyExists)
      return SendJsonError(response, 409, "already_exists", "this name is taken",
                           "Tên đăng nhập đã có người dùng");
    return SendStatusError(response, account.status());
  }
  Result<IssuedRefresh> refresh = ctx.refresh->IssueFamily(account->id, now_ms / 1000);
  if (!refresh.ok()) return SendStatusError(response, refresh.status());
  AuditIfEnabled(ctx.audit, account->name, "account.registered", "user/" + account->name,
                 AuditDetails({{"address", address},
                               {"contact", phone.empty() && email.empty() ? "none" : "sealed"}}));
  SendSession(ctx, *account, *refresh, response, 201);
}

}  // namespace q11::server
