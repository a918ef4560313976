// POST /v1/sync: bearer token → capped body → DecodeSyncRequest → RunSync → encoded sync
// response (application/x-q11-sync). Parses and serialises only; the work is in
// sync_service.cc.
#pragma once

#include "http/guarded_handler.h"

namespace q11::server {

class SyncHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
