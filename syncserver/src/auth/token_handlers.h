// The refresh-token endpoints (refresh_tokens.h):
//   POST /v1/refresh {"refresh_token"} → 200 the session shape with a new access token and
//     a new refresh token (the old one is spent). Unknown, expired, revoked → 401; a spent
//     token used again → 401 and its whole family is revoked; disabled account → 403.
//   POST /v1/logout {"refresh_token"} with the Bearer access token → 204; revokes that
//     family (the access token itself lives out its short life).
#pragma once

#include "http/guarded_handler.h"

namespace q11::server {

class RefreshHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

class LogoutHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
