#include "login_handler.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <sstream>

#include "accounts.h"
#include "http_body.h"
#include "http_errors.h"

namespace q11::server {
namespace {

constexpr size_t kMaxLoginBody = 64 * 1024;

struct Credentials {
  std::string name, password;
};

Result<Credentials> ParseCredentials(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
      return InvalidArgument("expected a JSON object {\"name\",\"password\"} / cần đối tượng JSON");
    Poco::JSON::Object::Ptr o = parsed.extract<Poco::JSON::Object::Ptr>();
    Poco::Dynamic::Var name = o->get("name"), password = o->get("password");
    if (!name.isString() || !password.isString())
      return InvalidArgument("name and password must be strings / cần tên đăng nhập và mật khẩu");
    return Credentials{name.extract<std::string>(), password.extract<std::string>()};
  } catch (const Poco::Exception& e) {
    return InvalidArgument("malformed JSON: " + e.displayText() + " / JSON không hợp lệ");
  }
}

}  // namespace

void LoginHandler::Handle(Poco::Net::HTTPServerRequest& request,
                          Poco::Net::HTTPServerResponse& response) {
  Result<std::string> body = ReadBody(request, kMaxLoginBody);
  if (!body.ok()) return SendBodyError(request, response, body.status());
  Result<Credentials> creds = ParseCredentials(*body);
  if (!creds.ok()) return SendStatusError(response, creds.status());
  Result<Account> account = Authenticate(*context().store, creds->name, creds->password);
  if (!account.ok()) {
    const Status& s = account.status();
    if (s.code() == StatusCode::kUnauthenticated)
      return SendJsonError(response, 401, "unauthenticated", "wrong name or password",
                           "Sai tên đăng nhập hoặc mật khẩu");
    if (s.code() == StatusCode::kPermissionDenied)
      return SendJsonError(response, 403, "permission_denied", "account disabled",
                           "Tài khoản đã bị khóa");
    return SendStatusError(response, s);
  }
  const TokenService& tokens = *context().tokens;
  Poco::JSON::Object o;
  o.set("token", tokens.Issue(*account, context().clock_ms() / 1000));
  o.set("expires_in", tokens.ttl_seconds());
  o.set("user_id", account->id);
  o.set("name", account->name);
  o.set("role", std::string(RoleName(account->role)));
  o.set("unit", account->unit);
  o.set("reporter_ref", account->reporter_ref);
  std::ostringstream out;
  o.stringify(out);
  SendJsonBody(response, out.str());
}

}  // namespace q11::server
