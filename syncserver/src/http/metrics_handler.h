// GET /metrics: the server's metrics in Prometheus's text format (metrics/exposition.h;
// every metric and its meaning: docs/monitoring.md, "Watching the server").
//
// Guarded (the figures say how busy the server is and how much it holds): a loopback
// client may read them (the real peer, or the client a --trusted-proxy names in
// X-Forwarded-For: http/client_address.h), and with `serve --metrics-token=TOKEN` anyone
// who sends `Authorization: Bearer TOKEN`. A wrong token is refused from anywhere (401), a
// remote client without one too (403).
#pragma once

#include "http/guarded_handler.h"

namespace q11::server {

class MetricsHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
