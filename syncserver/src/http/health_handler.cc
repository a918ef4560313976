#include "http/health_handler.h"

#include <Poco/Net/HTTPServerResponse.h>

#include <string>

#include "http/http_errors.h"
#include "sync/change_notifier.h"

namespace q11::server {

void HealthHandler::Handle(Poco::Net::HTTPServerRequest& /*request*/,
                           Poco::Net::HTTPServerResponse& response) {
  // "waiting": devices whose long poll (POST /v1/changes/wait) sleeps until the next
  // commit; for monitoring, and for tests that must know a device waits before acting.
  const int waiting = context().changes != nullptr ? context().changes->sleeping() : 0;
  SendJsonBody(response, R"({"status":"ok","version":")" Q11_SERVER_VERSION R"(","waiting":)" +
                             std::to_string(waiting) + "}");
}

}  // namespace q11::server
