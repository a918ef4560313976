// One sync exchange for an authenticated account, independent of HTTP: bind the device,
// push (one transaction, committed before anything is answered), then pull from a
// snapshot taken after the commit, so the device's own changes come back in the same
// response with the server's stamps.
#pragma once

#include <cstdint>

#include "protocol/result.h"
#include "protocol/sync_messages.h"
#include "syncserver/account.h"
#include "syncserver/store.h"

namespace q11::server {

// Errors: kPermissionDenied (device bound to another account), kUnavailable /
// kInternal (database; nothing was applied).
Result<wire::SyncResponse> RunSync(SyncStore& store, const Account& account,
                                   const wire::SyncRequest& request, int64_t now_ms);

}  // namespace q11::server
