#include "health_handler.h"

#include <Poco/Net/HTTPServerResponse.h>

#include "http_errors.h"

namespace q11::server {

void HealthHandler::Handle(Poco::Net::HTTPServerRequest& /*request*/,
                           Poco::Net::HTTPServerResponse& response) {
  SendJsonBody(response, R"({"status":"ok","version":")" Q11_SERVER_VERSION R"("})");
}

}  // namespace q11::server
