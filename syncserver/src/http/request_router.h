// Routes a request to its handler by path and method:
//   GET  /healthz    HealthHandler;  GET /readyz  ReadyHandler;  GET /metrics  MetricsHandler
//   POST /v1/login   LoginHandler
//   POST /v1/sync    SyncHandler
//   POST /v1/register  RegisterHandler;  POST /v1/refresh, /v1/logout  token_handlers.h
//   GET  /v1/admin/users/{name}/contact      ContactHandler
//   GET  /v1/photos/{sha256}[/status], PATCH /v1/photos/{sha256}   PhotoHandler
//   GET  /admin, /admin/...                  AdminPageHandler (the console's files)
//   GET  /v1/admin/conflicts[/{id}], POST /v1/admin/conflicts/{id}/resolve   AdminApiHandler
// An unknown path is a 404 JSON error, a known path with another method a 405.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "http/handler_context.h"

namespace q11::server {

class RequestRouter final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  // REQUIRES: context outlives the router (and the HTTPServer that owns it).
  explicit RequestRouter(const HandlerContext& context) : context_(context) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  const HandlerContext& context_;
};

}  // namespace q11::server
