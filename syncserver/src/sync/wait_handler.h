// POST /v1/changes/wait: a long poll. Answers {"changed":true} as soon as the account has
// something to pull after the given cursor (at once when it already has), or
// {"changed":false} after timeout_seconds (default 25, at most 60). The device then syncs.
//
// The request is read and first checked on the Poco thread. When nothing is there yet,
// the connection is detached from Poco and handed to the watcher reactor
// (watcher_reactor.h), which holds it without a thread and closes it after answering;
// 503 with Retry-After when it already holds --max-watchers. Without a reactor (TLS
// listeners: Poco's socket carries the TLS session) the request waits on its thread, at
// most --threads − 4 of them (change_notifier.h), with the same 503 beyond.
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
