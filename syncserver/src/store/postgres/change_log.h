// The commit-ordered change log on PostgreSQL: what devices pull from, with several
// writers (several syncservers, each with its group commit) on one database.
//
// The problem. A pull asks for the entries with `seq > cursor` and then moves its cursor to
// the last one it got. That is only correct if an entry can never become visible after a
// pull has passed its sequence. Sequences from a SEQUENCE (nextval, identity, serial) break
// exactly that: writer A takes 41, writer B takes 42, B commits first, a pull sees 42 and
// moves its cursor to 42, then A commits 41, which no pull will ever ask for again. The
// device silently misses a change for good (tests/postgres/change_log_test.cc shows it).
// On SQLite this cannot happen (one writer at a time); on PostgreSQL it does as soon as
// two transactions write at once.
//
// The fix: a one-row counter, sync_head, taken as the LAST statement before COMMIT:
//     UPDATE sync_head SET seq = seq + n WHERE id RETURNING seq
// (here inside one statement that also inserts the entries with those sequences). The
// UPDATE holds the row's lock until COMMIT ends, so a second writer's UPDATE waits for the
// first writer's COMMIT and then (READ COMMITTED re-reads the newest row version) numbers
// its entries after the first's. Sequences are therefore handed out in commit order, and
// PostgreSQL releases a transaction's locks only after it has become visible to new
// snapshots: whoever can see sequence s can see every sequence below it. Since the counter
// goes back with a rollback, the sequences are also gapless.
//
// Why it scales well enough: the lock is held only from that last statement to the end of
// COMMIT (the WAL flush), never while a push is validated or merged. With group commit per
// server (one transaction and one counter update per group of pushes), N servers mean at
// most N commits queueing on the row at once, which the WAL flush serialises anyway.
// Alternatives considered: pg_snapshot_xmin-based cursors (pulls would stall behind any
// long write), an advisory lock around commit (same effect, more to get wrong).
//
// Requirements for writers: Append() in READ COMMITTED (in REPEATABLE READ or SERIALIZABLE
// the waiting writer gets a serialization failure instead; retryable, but pointless), and
// nothing after it but COMMIT. AppendAndCommit() does both in one call.
//
// A pull runs one statement, so one snapshot reads both the entries and the counter: when
// the page is not full it returns the counter as the new cursor (every sequence up to it is
// committed and visible in that snapshot), so a device whose audiences saw no change still
// moves forward.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "store/postgres/connection.h"

namespace q11::pg {

// One row change to log.
struct ChangeEntry {
  std::string table;
  std::string pk;
  bool deleted = false;
  std::vector<std::string> audiences;  // who may pull it (a repeated one counts once)
};

// The sequences an Append handed out: first..last, in the entries' order (empty when
// last < first, i.e. nothing was appended).
struct SeqRange {
  int64_t first = 1;
  int64_t last = 0;
};

// Gives `entries` the next sequences from the counter and logs them. This must be the
// last statement before COMMIT (see above). REQUIRES: `txn` is active, READ COMMITTED.
Result<SeqRange> Append(Transaction& txn, const std::vector<ChangeEntry>& entries);
// Append() and then COMMIT: the order the comment above asks for, in one call. With no
// entries, just commits (the counter is not touched).
Result<SeqRange> AppendAndCommit(Transaction& txn, const std::vector<ChangeEntry>& entries);

struct PulledChange {
  int64_t seq = 0;
  std::string table;
  std::string pk;
  bool deleted = false;
};
struct PullPage {
  std::vector<PulledChange> changes;  // seq > cursor, ascending, each once
  int64_t cursor = 0;                 // to send next time
  bool more = false;                  // the page is full: pull again at once
};

// The entries after `cursor` that any of `audiences` may see, at most `limit` (> 0).
Result<PullPage> Pull(Connection& conn, const std::vector<std::string>& audiences, int64_t cursor,
                      int limit);

// The counter: the last sequence handed out by a committed transaction.
Result<int64_t> Head(Connection& conn);

}  // namespace q11::pg
