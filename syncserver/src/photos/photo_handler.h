// The photo endpoints (docs/protocol.md, "Photos"), bearer token as for /v1/sync:
//   GET   /v1/photos/{sha256}/status         {"sha256","state","offset","bytes"}
//   PATCH /v1/photos/{sha256}?offset=N       appends the body at byte N of the original
//   GET   /v1/photos/{sha256}[?size=thumb]   the cleaned photo or its thumbnail; Range
// Who may: anyone whose pull may carry a report with a photo row of that hash (access_scope.h);
// everyone else gets 404, so hashes of other people's photos cannot be probed.
// Parses and serialises only; the bytes are PhotoStore's.
#pragma once

#include <string>
#include <string_view>

#include "http/guarded_handler.h"

namespace q11::server {

class PhotoHandler final : public GuardedHandler {
 public:
  enum class Action { kStatus, kUpload, kDownload };
  PhotoHandler(const HandlerContext& context, Action action, std::string sha256)
      : GuardedHandler(context), action_(action), sha256_(std::move(sha256)) {}

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;

 private:
  void SendState(Poco::Net::HTTPServerResponse& response, int64_t total);
  void Upload(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
              int64_t total);
  void Download(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  Action action_;
  std::string sha256_;
};

// The handler for a /v1/photos/... path, an ErrorHandler (405) for a known path with
// another method, or nullptr when `path` is not a photo path (the router goes on).
// Poco takes ownership of what is returned.
Poco::Net::HTTPRequestHandler* RoutePhoto(const HandlerContext& context, std::string_view path,
                                          const std::string& method);

}  // namespace q11::server
