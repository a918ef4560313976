// POST /v1/login: {"name","password"} → 200 with the session shape (session_response.h):
// a short-lived access token and the first refresh token of a new family. Wrong name or
// password → 401; disabled account → 403; more than the rate limit per address or per
// name → 429. Every attempt is audited (login.succeeded, login.failed).
#pragma once

#include "guarded_handler.h"

namespace q11::server {

class LoginHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
