// The device side of a sync exchange.
//
// Sync: one HTTP round trip per page: push the outbox entries not yet acknowledged, pull
// the changes since the cursor, then in ONE local transaction: undo all local changes still
// in the outbox (newest first), apply the server's changes, settle the outbox by the
// server's verdicts, and replay the remaining local changes on top (rebase). Network
// failures retry with backoff; a sync that fails changes nothing locally. After a sync with
// no new local writes the device holds exactly the server's view for its user.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devicecore/account.h"  // Login, Register, Logout
#include "devicecore/database.h"
#include "devicecore/env.h"
#include "devicecore/photos.h"
#include "protocol/result.h"

namespace q11::device {

struct SyncOptions {
  int max_attempts = 4;          // per round trip, for kUnavailable / HTTP 5xx / 429
  int initial_backoff_ms = 200;  // doubled after each failed attempt
  int max_pages = 1000;          // stop after this many round trips
  uint32_t max_pull_rows = 0;    // 0: server default
  // After the push and pull: send the bytes of unsent photos (photos.h). Their failure never
  // fails the sync; the report went out already.
  bool upload_photos = true;
  // Then fetch the thumbnails of photos this device has rows for but no bytes (photos.h),
  // so officials see a report's photos small first; full photos only on demand.
  bool fetch_thumbnails = true;
  PhotoProgressFn photo_progress;  // bytes done / total while photos go up; may be empty
};

// A scope (an audience this account reads: "ref", or its own "all", "u:<unit>",
// "r:<reporter_ref>") whose rows on this device did not add up to the server's checksum
// after a complete pull (docs/protocol.md, "Verified convergence"). The sync repairs only
// that scope: it pulls the scope's rows into a scratch copy, checks them against the
// server's checksum, and makes the device's rows equal in one transaction, the pending
// local changes undone first and replayed after (none is lost). The server hears of it in
// the next request.
struct ScopeDrift {
  std::string audience;
  uint32_t rows_differing = 0;  // rows missing, extra or changed on the device (0: not known)
  bool repaired = false;        // the device's rows now add up to the server's checksum
  // Not tried now: an earlier repair of this scope did not converge (or its drift came
  // back), so the device waits until next_try_ms (Unix ms; 1 minute, doubling to 1 day).
  bool backing_off = false;
  int64_t next_try_ms = 0;
  std::string message;  // why it was not repaired, "" when it was
};

struct SyncResult {
  int round_trips = 0;
  int pushed = 0, applied = 0, merged = 0, parked = 0, rejected = 0;
  int64_t pulled_rows = 0;
  uint64_t cursor = 0;
  int64_t bytes_up = 0, bytes_down = 0;
  // "#SEQ VERDICT: message" for every entry rejected, parked or merged with a message.
  std::vector<std::string> messages;
  // The same entries as kept in Database::SettledChanges(), in verdict order.
  std::vector<SettledChange> settled;
  int64_t pending_after = 0;
  int retried = 0;  // entries the server asked to send again later (verdict retry)
  // "#SEQ retry: why" for each of them (the server's message, e.g. "attempt 2 of 5").
  std::vector<std::string> retry_messages;
  int64_t pull_omitted = 0;  // pulled changes skipped because they broke a local constraint
  bool has_more = false;     // stopped at max_pages with more to exchange
  // The server was restored from a backup (its epoch changed, docs/backup.md): this sync
  // started to rebuild the device's copy from the server's rows; `requeued` counts the
  // device's own rows the server lacked, queued to go up again.
  bool new_epoch = false;
  int requeued = 0;
  // The server's word for the user, e.g. that this app's data version nears its cut-off
  // (docs/protocol.md, "Schema versions"); empty when none.
  std::string notice;
  // What happened to the photo bytes. photos.waiting / bytes_waiting count every queued
  // photo not on the server after this sync, also when the uploads were not tried.
  PhotoUploadResult photos;
  // Scopes found different from the server's checksums, and what was done (ScopeDrift).
  // Empty when every scope the server sent a checksum for added up.
  std::vector<ScopeDrift> drift;
};

// After each complete pull (the server sent every change for this device) the device adds
// up its copy of each scope, as it is before its pending changes are replayed, and
// compares it with the server's checksum; a scope that differs is repaired (ScopeDrift,
// result.drift) and one more round trip tells the server.
// Tokens: when the access token expires within a minute, it is refreshed first; a sync
// request answered 401 is refreshed once and sent once more. A refresh the server refuses
// ends the session (tokens forgotten, outbox untouched): kUnauthenticated, log in again.
// Then the photos' bytes go up (UploadPhotos); how that went is in result.photos.
// Errors: kUnauthenticated (not logged in / session expired: log in again), kUnavailable
// (server unreachable after retries; the message says how many changes wait),
// kPermissionDenied, kDataLoss (a malformed response), kInternal.
Result<SyncResult> Sync(Database& db, Transport& transport, const SyncOptions& options = {});

// Waits, at most `timeout_seconds` (the server caps it at 60), until the server has changes
// for this device to pull: true then (call Sync), false when the time ran out. One attempt,
// no retries; the transport's timeout must exceed `timeout_seconds`. Errors as for Sync,
// plus kUnavailable with a Retry-After when too many devices already wait.
Result<bool> WaitForChanges(Database& db, Transport& transport, int timeout_seconds = 25);

// The request WaitForChanges sends, for an app that makes the HTTP call itself without
// blocking (the web app's worker fetch()es it): POST `path` with `body` of `content_type`
// and "Authorization: Bearer <bearer>". Refreshes the access token first when it expires
// within a minute (one attempt through `transport`). Errors as for WaitForChanges.
struct WaitRequest {
  std::string path, content_type, body, bearer;
};
Result<WaitRequest> MakeWaitRequest(Database& db, Transport& transport, int timeout_seconds = 25);
// The server's answer to that request (a 2xx body): whether there are changes to pull.
// kDataLoss when it is not {"changed": true|false, ...}.
Result<bool> ReadWaitAnswer(const std::string& body);

}  // namespace q11::device
