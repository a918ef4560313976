// GET /healthz: {"status":"ok","version":"…","waiting":N} while the server runs; N is the
// number of devices whose wait for changes sleeps until the next commit.
#pragma once

#include "http/guarded_handler.h"

namespace q11::server {

class HealthHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
