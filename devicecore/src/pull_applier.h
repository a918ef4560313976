// Applies one sync response to the device database by rollback-and-replay, in ONE
// transaction (docs/architecture.md, "One sync, step by step"):
//   0. check the pull changeset's table headers against the live schema (pull_check.h):
//      a refused pull fails with nothing changed;
//   1. undo every outbox entry, newest first (the inverse of what its last replay did);
//   2. apply the server's pull changeset;
//   3. settle the pushed entries by their verdicts (a merge the server explains with a
//      message is also noted in settled_changes, so it does not pass unseen);
//   4. store the new cursor and drop acked entries the cursor has passed;
//   5. replay the remaining entries oldest first, recording what each replay really did
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
};

// The server answered with another epoch than the device's (epoch_heal.h): in ONE
// transaction, undo the pending local effects, keep the account's own rows aside, empty the
// case rows, make every outbox entry pending again, cursor 0, remember `epoch` and that a
// heal is under way, mark sent originals unsent, and replay the outbox.
Status RestartFromNewEpoch(DatabaseImpl& db, const std::string& epoch);

// `sent`: the outbox seqs the request pushed. A verdict for any other seq is kDataLoss.
Result<ApplyOutcome> ApplySyncResponse(DatabaseImpl& db, const std::vector<int64_t>& sent,
                                       const wire::SyncResponse& response);

}  // namespace q11::device
