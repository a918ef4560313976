// Keeping the access token fresh: it lives 15 minutes, the refresh token much longer and
// rotates (each refresh answers a new access AND a new refresh token; the old refresh token
// is spent, and the server revokes the whole family if a spent one comes back). So the new
// pair is always stored together, in one transaction, before it is used.
//
// Limit: one process refreshes at a time. Two processes refreshing with the same refresh
// token look like a stolen token to the server, which then revokes the session (log in
// again). Apps hold one Database per process, so this does not arise there.
#pragma once

#include <cstdint>

#include "database_impl.h"
#include "server_call.h"

namespace q11::device {

// Refresh when the access token has less than this left: a sync's retries and backoff
// must not outlive it.
inline constexpr int64_t kRefreshMarginMs = 60'000;

// The account, refreshed first when its access token expires within kRefreshMarginMs and
// a refresh token is at hand. Errors are those of RefreshTokens.
Result<Account> FreshAccount(DatabaseImpl& db, Transport& transport, const Account& account,
                             const RetryPolicy& policy);

// The signed-in account with a fresh access token, for a call outside sync. Errors:
// kUnauthenticated "not logged in" when nobody has logged in (or the session was ended),
// then those of FreshAccount.
Result<Account> SignedIn(DatabaseImpl& db, Transport& transport);

// POST /v1/refresh now and store the rotated pair. Errors: kUnauthenticated "session
// expired: log in again" when there is no refresh token, it has expired, or the server
// refuses it (then the dead tokens are forgotten; local data and the outbox stay);
// kUnavailable (unreachable); kDataLoss (a malformed answer, or one for another user).
Result<Account> RefreshTokens(DatabaseImpl& db, Transport& transport, const Account& account,
                              const RetryPolicy& policy);

// The kUnauthenticated status of an ended session; `why` (may be empty) is appended.
Status SessionExpired(const std::string& why);

}  // namespace q11::device
