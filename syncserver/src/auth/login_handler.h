// POST /v1/login: {"name","password"[,"device_id"]} → 200 with the session shape
// (session_response.h): a short-lived access token and the first refresh token of a new
// family. Wrong name or password → 401; disabled account → 403; more than the rate limit
// per address, per (name, address) or per name → 429. The per-name limit (all addresses
// together) is not taken when `device_id` names a device already bound to that account,
// so guessing a name's password from elsewhere cannot lock its owner out of their own
// phone. Every attempt is audited (login.succeeded, login.failed).
#pragma once

#include "http/guarded_handler.h"

namespace q11::server {

class LoginHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
