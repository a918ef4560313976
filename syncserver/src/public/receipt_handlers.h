// The public receipt lookup (docs/protocol.md, "Public receipt lookup"): anyone holding a
// report's receipt code sees where the case stands, without an account.
//   GET /public/receipts/{code}     JSON                       ReceiptApiHandler
//   GET /tra-cuu[?code=…], /receipt  an HTML page with a form  ReceiptPageHandler
//   GET /tra-cuu.css                 its style sheet            ReceiptPageHandler
//   GET /v1/public/reports?ward=…    a ward's reports, JSON     PublicReportsHandler
// The last one is how a citizen sees other citizens' reports (docs/security.md, "Read
// rules"): the same public view, without receipt codes, for any signed-in account.
// The page is rendered on the server (no script: it works on the plainest phone browser)
// and escapes everything it prints. Neither shows reporter data (receipt_queries.h).
// Lookups are rate-limited per client address (codes must not be guessable by brute
// force); every answer carries strict security headers and Cache-Control: no-store.
#pragma once

#include <string>

#include "http/guarded_handler.h"

namespace q11::server {

class ReceiptApiHandler final : public GuardedHandler {
 public:
  // `code`: the path's last segment, as typed (normalised here).
  ReceiptApiHandler(const HandlerContext& context, std::string code)
      : GuardedHandler(context), code_(std::move(code)) {}

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;

 private:
  std::string code_;
};

class PublicReportsHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

class ReceiptPageHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
