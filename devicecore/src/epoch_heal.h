// Healing after the server was restored from a backup (docs/backup.md, "How devices heal").
//
// Every sync answer carries the server's epoch; a restore gives the server a new one. The
// device keeps the epoch it last synced with (device_meta "server_epoch"). When an answer
// carries another one, the server went back in time: its change log is behind this
// device's cursor, and it may lack rows this device pushed after the backup. Then:
//   1. the answer is dropped (its pull was built for a cursor of the old history), and in
//      one transaction (pull_applier's RestartFromNewEpoch): the pending local effects are
//      undone; the rows this device's account authored are kept aside (heal_* tables);
//      the case rows (reports, case_events, photos) are emptied; every outbox entry is
//      pending again (the server's verdict ledger went back too, and repeats the verdicts
//      it still has); the cursor goes to 0; the outbox is replayed; originals marked sent
//      are unsent again (the server checks which it has);
//   2. the device pulls from zero with the full-pull flag (nothing left out as its own
//      echo), so it ends up with exactly the server's rows for its scope plus its outbox;
//   3. when the pull reaches the end, FinishHeal queues as new local changes the rows kept
//      aside that the server did not send: what the backup lacks. The server validates them
//      like any push; ids never change, so nothing is doubled.
// What it cannot heal (changes by others to this device's reports, rows of wiped devices):
// docs/backup.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "database_impl.h"

namespace q11::device {

// device_meta keys.
inline constexpr char kServerEpochKey[] = "server_epoch";
inline constexpr char kHealPendingKey[] = "heal_pending";
inline constexpr char kHealEntryKey[] = "heal_entry";  // the outbox seq FinishHeal queued

// Keeps aside the rows of `account`'s authorship (reports it filed, events and photos it
// authored) in heal_reports, heal_case_events, heal_photos (added to a heal under way).
// Runs in the caller's transaction.
Status KeepOwnRowsAside(DatabaseImpl& db, const Account& account);

// True while a heal waits for its pull to reach the end.
Result<bool> HealPending(DatabaseImpl& db);

// The outbox entry FinishHeal queued while it has not gone up yet (it goes first, alone).
Result<std::optional<int64_t>> PendingHealEntry(DatabaseImpl& db);

// True while events or photos kept aside wait for their report to come back.
Result<bool> HealLeftovers(DatabaseImpl& db);

// After the full pull: queues as one captured local change (an outbox entry) the rows
// kept aside that are not on the device now, reports as the citizen first filed them
// (status new, no unit or server stamps: the server decides again). Ends the heal; events
// and photos of reports not on the device stay aside (HealLeftovers) and are queued by a
// later call once their report has come. Returns the number of rows queued.
Result<int> FinishHeal(DatabaseImpl& db);

}  // namespace q11::device
