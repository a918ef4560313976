// The base of every HTTP handler: the one place where exceptions from Poco (or anything
// else) are caught and turned into a 500 JSON answer, and where each request is logged
// in one line. Handlers implement Handle() and never let the server crash on input.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>

#include "http/handler_context.h"

namespace q11::server {

class GuardedHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit GuardedHandler(const HandlerContext& context) : context_(context) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) final;

 protected:
  virtual void Handle(Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response) = 0;
  const HandlerContext& context() const { return context_; }

 private:
  const HandlerContext& context_;
};

// Answers every request with one fixed JSON error (unknown route, wrong method).
class ErrorHandler final : public GuardedHandler {
 public:
  ErrorHandler(const HandlerContext& context, int http_status, std::string code,
               std::string message, std::string message_vi)
      : GuardedHandler(context),
        status_(http_status),
        code_(std::move(code)),
        message_(std::move(message)),
        message_vi_(std::move(message_vi)) {}

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;

 private:
  int status_;
  std::string code_, message_, message_vi_;
};

}  // namespace q11::server
