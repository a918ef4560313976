// POST /v1/changes/wait: a long poll. Answers {"changed":true} as soon as the account has
// something to pull after the given cursor (at once when it already has), or
// {"changed":false} after timeout_seconds (default 25, at most 60). The device then syncs.
// 503 with Retry-After when too many devices already wait (change_notifier.h).
#pragma once

#include "http/guarded_handler.h"

namespace q11::server {

class WaitHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
