#include "http/guarded_handler.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <cstdio>

#include "audit/security_audit.h"
#include "http/client_address.h"
#include "http/http_errors.h"
#include "http/refusal_tally.h"
#include "http/request_deadline.h"

namespace q11::server {

void GuardedHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                   Poco::Net::HTTPServerResponse& response) {
  auto start = std::chrono::steady_clock::now();
  std::string failure;
  RequestHeadParsed(request);
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
  if (context_.log_requests || !failure.empty()) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%s %s %d %.1fms%s%s\n", request.getMethod().c_str(),
                 request.getURI().c_str(), static_cast<int>(response.getStatus()), ms,
                 failure.empty() ? "" : " error: ", failure.c_str());
  }
}

void ErrorHandler::Handle(Poco::Net::HTTPServerRequest& /*request*/,
                          Poco::Net::HTTPServerResponse& response) {
  // The request body (if any) is not read: close the connection after answering.
  response.setKeepAlive(false);
  SendJsonError(response, status_, code_, message_, message_vi_);
}

}  // namespace q11::server
