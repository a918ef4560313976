#include "request_router.h"

#include <Poco/Net/HTTPServerRequest.h>

#include "health_handler.h"
#include "login_handler.h"
#include "sync_handler.h"

namespace q11::server {

Poco::Net::HTTPRequestHandler* RequestRouter::createRequestHandler(
    const Poco::Net::HTTPServerRequest& request) {
  // Poco takes ownership of the returned handler. Error codes stay within the stable
  // names of protocol/result.h (docs/protocol.md): 405 is an invalid_argument.
  std::string_view uri = request.getURI();
  std::string_view path = uri.substr(0, uri.find('?'));
  const std::string& method = request.getMethod();
  struct Route {
    std::string_view path;
    const char* method;
  };
  static constexpr Route kRoutes[] = {
      {"/healthz", "GET"},
      {"/v1/login", "POST"},
      {"/v1/sync", "POST"},
  };
  for (const Route& r : kRoutes) {
    if (r.path != path) continue;
    if (method != r.method)
      return new ErrorHandler(context_, 405, "invalid_argument",
                              std::string(path) + " accepts " + r.method + " only",
                              "Phương thức không được hỗ trợ");
    if (path == "/healthz") return new HealthHandler(context_);
    if (path == "/v1/login") return new LoginHandler(context_);
    return new SyncHandler(context_);
  }
  return new ErrorHandler(context_, 404, "not_found", "no such endpoint: " + std::string(path),
                          "Không có đường dẫn này");
}

}  // namespace q11::server
