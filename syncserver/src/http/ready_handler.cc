#include "http/ready_handler.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <sstream>

#include "http/http_errors.h"
#include "http/readiness.h"

namespace q11::server {

void ReadyHandler::Handle(Poco::Net::HTTPServerRequest& /*request*/,
                          Poco::Net::HTTPServerResponse& response) {
  if (context().readiness == nullptr)
    return SendJsonError(response, 503, "unavailable", "readiness is not checked here",
                         "không kiểm tra được trạng thái sẵn sàng");
  const ReadyReport r = context().readiness->Check();
  Poco::JSON::Object o;
  o.set("status", r.ready ? "ready" : "not_ready");
  o.set("database", r.database_ok ? "ok" : "failing");
  o.set("free_bytes", r.free_bytes);
  Poco::JSON::Array reasons;
  for (const std::string& why : r.reasons) reasons.add(why);
  o.set("reasons", reasons);
  std::ostringstream body;
  o.stringify(body);
  if (!r.ready) response.set("Retry-After", "5");
  SendJsonBody(response, body.str(), r.ready ? 200 : 503);
}

}  // namespace q11::server
