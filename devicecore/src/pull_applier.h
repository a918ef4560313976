// Applies one sync response to the device database by rollback-and-replay, in ONE
// transaction (docs/architecture.md, "One sync, step by step"):
//   0. check the pull changeset's table headers against the live schema (pull_check.h):
//      a refused pull fails with nothing changed;
//   1. undo every outbox entry, newest first (the inverse of what its last replay did);
//   2. apply the server's pull changeset;
//   3. settle the pushed entries by their verdicts (a merge the server explains with a
//      message is also noted in settled_changes, so it does not pass unseen);
//   4. store the new cursor and drop acked entries the cursor has passed;
//   5. verify: when the response carries the scopes' checksums (a complete pull), add up
//      each scope's rows as they are now, exactly the server's state (the pull applied, the
//      outbox not yet replayed), and compare (scope_rows.h; a scope that differs is
//      repaired afterwards by the caller, scope_repair.h);
//   6. replay the remaining entries oldest first, recording what each replay really did
//      as its next undo.
// Either all of it commits or nothing changes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "database_impl.h"
#include "protocol/sync_messages.h"

namespace q11::device {

struct ApplyOutcome {
  int applied = 0, merged = 0, parked = 0, rejected = 0, retry = 0;
  int64_t pull_omitted = 0;            // pulled changes skipped on a constraint violation
  int64_t replay_omitted = 0;          // local changes that no longer apply (row gone, constraint)
  std::vector<std::string> messages;   // for rejected, parked and merged-with-message entries
  std::vector<SettledChange> settled;  // the same entries, as kept in settled_changes
  std::vector<std::string> retry_messages;  // "#SEQ retry: why", for entries still pending
  // Step 5: one per checksum the response carried (none when the pull was not complete).
  struct ScopeCheck {
    std::string audience;
    wire::ScopeSum server, device;
    bool equal() const { return server == device; }
  };
  std::vector<ScopeCheck> checks;
};

// The server answered with another epoch than the device's (epoch_heal.h): in ONE
// transaction, undo the pending local effects, keep the account's own rows aside, empty the
// case rows, make every outbox entry pending again, cursor 0, remember `epoch` and that a
// heal is under way, mark sent originals unsent, and replay the outbox.
Status RestartFromNewEpoch(DatabaseImpl& db, const std::string& epoch);

// `sent`: the outbox seqs the request pushed. A verdict for any other seq is kDataLoss.
// `drift_sent`: the drift reports the request carried; answered, they are forgotten.
Result<ApplyOutcome> ApplySyncResponse(DatabaseImpl& db, const std::vector<int64_t>& sent,
                                       const wire::SyncResponse& response,
                                       const std::vector<wire::DriftReport>& drift_sent = {});

// Takes every outbox entry's local effect back out, newest first: the device's rows are
// then the server's as last pulled. In the caller's transaction.
Status UndoOutbox(DatabaseImpl& db);
// Replays every outbox entry oldest first, recording what each replay really did as its
// next undo (`*omitted` counts changes that no longer apply). In the caller's transaction.
Status ReplayOutbox(DatabaseImpl& db, int64_t* omitted);

}  // namespace q11::device
