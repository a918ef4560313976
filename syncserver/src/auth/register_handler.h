// POST /v1/register {"name","password","phone"?,"email"?}: a citizen signs up from the
// device → 201 with the session shape (session_response.h), role citizen. 400 for bad
// input (name 3-64 characters of a-z 0-9 . _ -, password 8-1024 bytes, phone 8-15 digits
// or '+', e-mail with '@'), 409 for a taken name, 429 over the per-address limit. The
// phone and e-mail go only to the contact vault (encrypted), never into a synced table.
#pragma once

#include "http/guarded_handler.h"

namespace q11::server {

class RegisterHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace q11::server
