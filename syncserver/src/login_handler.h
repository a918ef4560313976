// POST /v1/login: {"name","password"} → {"token","expires_in","user_id","name","role",
// "unit","reporter_ref"}. Wrong name or password → 401; disabled account → 403.
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
