// GET /readyz: 200 {"status":"ready",...} when this server should get traffic (its
// database takes a write, its disk has room: readiness.h), else 503 with the reasons.
// For load balancers and orchestrators; /healthz says only that the process answers.
#pragma once

#include "http/guarded_handler.h"

namespace q11::server {

class ReadyHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
