#include "http/guarded_handler.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>

#include "audit/security_audit.h"
#include "http/client_address.h"
#include "http/http_errors.h"
#include "http/refusal_tally.h"
#include "http/request_deadline.h"
#include "http/route_label.h"
#include "log/logger.h"
#include "metrics/server_metrics.h"

namespace q11::server {

void GuardedHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                   Poco::Net::HTTPServerResponse& response) {
  auto start = std::chrono::steady_clock::now();
  std::string failure;
  RequestHeadParsed(request);
  // Every line logged while this request is handled carries its id; the client gets it
  // back to quote (log/logger.h).
  const std::string request_id = log::RequestIdFrom(request.get("X-Request-Id", ""));
  log::RequestScope scope(request_id);
  response.set("X-Request-Id", request_id);
  try {
    if (context_.busy && context_.busy()) response.setKeepAlive(false);
    Handle(request, response);
  } catch (const Poco::Exception& e) {
    failure = e.displayText();
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (!failure.empty()) {
    // Nothing was applied: a push commits only after its last entry, and an exception
    // before that rolls the transaction back.
    if (!response.sent()) {
      try {
        response.setKeepAlive(false);
        SendJsonError(response, 500, "internal", "server fault: " + failure,
                      "Lỗi máy chủ; chưa có thay đổi nào được lưu");
      } catch (...) {
        // The connection is gone; Poco closes it.
      }
    }
  }
  // Every refusal of who the caller is or what it may do goes to the audit trail: a
  // stream of 401s is someone guessing tokens, 403s someone probing rules, 429s flooding.
  int code = static_cast<int>(response.getStatus());
  if (code == 401 || code == 403 || code == 429) {
    try {
      std::string_view uri = request.getURI();
      std::string_view path = uri.substr(0, uri.find('?'));
      if (context_.refusals != nullptr)
        // Counted in memory, written once per window (refusal_tally.h): a flood of bad
        // requests must not cost a durable commit each.
        context_.refusals->Count(ClientAddress(context_, request), std::to_string(code),
                                 request.getMethod() + " " + std::string(path));
      else
        AuditIfEnabled(context_.audit, "-", "http.refused", path,
                       AuditDetails({{"status", std::to_string(code)},
                                     {"method", request.getMethod()},
                                     {"address", ClientAddress(context_, request)}}));
    } catch (...) {
      // The audit must never take the server down; SecurityAudit reports its own failures.
    }
  }
  AnswerSent();
  std::string_view uri = request.getURI();
  const size_t route = RouteIndex(uri.substr(0, uri.find('?')));
  if (context_.metrics != nullptr) context_.metrics->requests.Count(route, code);
  if (context_.log_requests || !failure.empty()) {
    log::RequestLine line;
    line.method = request.getMethod();
    line.uri = uri;
    line.route = RouteLabelAt(route);
    line.status = code;
    line.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::string client;
    if (log::CurrentFormat() == log::Format::kJson) {
      try {
        client = ClientAddress(context_, request);
      } catch (...) {
        // The peer is gone; the line goes without it.
      }
    }
    line.client = client;
    line.failure = failure;
    log::Request(line);
  }
}

void ErrorHandler::Handle(Poco::Net::HTTPServerRequest& /*request*/,
                          Poco::Net::HTTPServerResponse& response) {
  // The request body (if any) is not read: close the connection after answering.
  response.setKeepAlive(false);
  SendJsonError(response, status_, code_, message_, message_vi_);
}

}  // namespace q11::server
