// The whole HTTP response to a wait for changes, as bytes, for connections the watcher
// reactor answers itself (watcher_reactor.h) rather than through Poco. Same status codes
// and JSON bodies as the handler's own answers (wait_handler.h, http_errors.h); the
// connection is closed after it ("Connection: close").
#pragma once

#include <string>

#include "protocol/result.h"

namespace q11::server {

// {"changed":true} or {"changed":false}, 200.
const std::string& WaitAnswer(bool changed);
// The JSON error SendStatusError would send for `status`.
std::string WaitErrorAnswer(const Status& status);

}  // namespace q11::server
