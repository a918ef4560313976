// `syncserver apikey add|list|revoke`: the keys Open311 clients post service requests with
// (api_keys.h, docs/open311.md). `add` prints the new key once; only its hash is kept.
#pragma once

namespace q11::server {

// Exit codes: 0 done, 1 failed, 2 usage.
int RunApiKeyCommand(int argc, char** argv);

}  // namespace q11::server
