// The admin console and its JSON API (docs/conflicts.md, "HTTP API"):
//   GET  /admin, /admin/, /admin/admin.css, /admin/admin.js   AdminPageHandler
//   GET  /v1/admin/conflicts?state=&table=&unit=&min_age_hours=  list
//   GET  /v1/admin/conflicts/{id}                                 one conflict
//   POST /v1/admin/conflicts/{id}/resolve                         {"take"} | {"set"}
// The API needs an admin's bearer token: 401 without or with a bad one, 403 for other
// roles. Handlers parse, call the Store, serialise (conflict_json.h); every answer carries
// the security headers (security_headers.h).
#pragma once

#include <string>

#include "http/guarded_handler.h"

namespace q11::server {

class AdminPageHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

class AdminApiHandler final : public GuardedHandler {
 public:
  // `id`: the conflict id from the path (empty for the list); `resolve`: the resolve route.
  AdminApiHandler(const HandlerContext& context, std::string id, bool resolve)
      : GuardedHandler(context), id_(std::move(id)), resolve_(resolve) {}

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;

 private:
  std::string id_;
  bool resolve_;
};

}  // namespace q11::server
