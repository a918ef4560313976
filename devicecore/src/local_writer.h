// The captured write path: every local change to the synced tables runs here, as one
// BEGIN IMMEDIATE transaction with a fresh session recording it; the session's changeset
// is appended to the outbox in the same transaction, with the reports it touches. A crash
// or an error before COMMIT leaves neither the rows nor the outbox entry.
#pragma once

#include <cstdint>
#include <functional>

#include "devicecore/env.h"
#include "outbox.h"
#include "q11sqlite/sqlite.h"
#include "touched_reports.h"

namespace q11::device {

class LocalWriter {
 public:
  // All pointers must outlive the writer. `owner` names the report of a captured event row
  // that does not carry it.
  LocalWriter(sql::Db* db, Outbox* outbox, Env* env, EventOwner owner)
      : db_(db), outbox_(outbox), env_(env), owner_(std::move(owner)) {}

  // Runs `write` inside the captured transaction. If it returns an error the transaction
  // rolls back. Returns the new outbox seq, or 0 when the write changed no synced row (no
  // entry is made then). A full disk is PhoneStorageFull(), with nothing written; a failing
  // one (SQLITE_IOERR) PhoneStorageFailed().
  Result<int64_t> Run(const std::function<Status()>& write);

 private:
  Result<int64_t> RunOnce(const std::function<Status()>& write);

  sql::Db* db_;
  Outbox* outbox_;
  Env* env_;
  EventOwner owner_;
};

// kResourceExhausted saying the device's own storage is full and nothing was saved: what a
// local write or a pull that hit SQLITE_FULL answers (the server being full is another
// message, from the server).
Status PhoneStorageFull();

// kUnavailable saying the device's own storage failed a read or write (SQLITE_IOERR), not
// the network: what a local write or a sync that hit one answers. `what`: "this change was
// not saved" / "the sync was not finished"..., in both languages.
Status PhoneStorageFailed(const std::string& what_vi, const std::string& what_en);

}  // namespace q11::device
