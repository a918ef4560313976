// The push half of a sync: every entry of one request inside the write transaction its
// caller opened (group_commit.h: concurrent requests share one).
//
// Per entry: an entry already recorded for (device_id, local_seq) gets its recorded
// verdict and is not applied again; otherwise the changeset is read with the iterator
// (changeset_reader.h), checked against the live schema and the role's rules
// (change_validator.h), stamped (server_stamps.h), applied row by row with the three-way
// merge (row_merger.h), and its verdict recorded (verdict_ledger.h). The caller commits
// before it answers, with synchronous=FULL.
//
// No savepoint per entry: with temp_store=MEMORY its sub-journal copies every page the
// entry touches (4 KiB each; 1,400 pages and as many fresh page faults for the benchmark's
// 1,000-report update, a third of its CPU), only to serve a rare case. Almost every refusal
// comes before the entry writes anything (reading, validation, stamping). A refusal after
// it has written (the merge finds a row missing or an id taken) is a late refusal: Apply()
// notes it and fails with kAborted, the caller rolls the transaction back and calls again,
// and that entry is then refused without being applied.
//
// An entry that fails for a reason other than a refusal (kInternal: an unexpected SQL
// error; kResourceExhausted: a row too big) is set aside the same way with the `retry`
// verdict and its attempt counted (entry_retries.h); the rest of the push goes on. After
// kMaxEntryAttempts it is rejected for good. Failures of the store itself (kUnavailable:
// disk full, I/O; kDataLoss: corruption) still fail the whole push: nothing is applied.
//
// Thread safety: one PushApplier per write connection; the caller serialises Apply().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "conflicts/conflict_log.h"
#include "protocol/result.h"
#include "protocol/sync_messages.h"
#include "store/sql/sql_conn.h"
#include "sync/changelog/change_log.h"
#include "sync/merge/row_merger.h"
#include "sync/push/entry_retries.h"
#include "sync/push/verdict_ledger.h"
#include "sync/reference_data.h"
#include "sync/table_shapes.h"
#include "syncserver/account.h"

namespace q11::server {

class PushApplier {
 public:
  // REQUIRES: db, shapes and refs outlive the applier; db is the only writer.
  static Result<std::unique_ptr<PushApplier>> Create(SqlConn& db, const TableShapes& shapes,
                                                     const ReferenceData& refs);

  // Entries set aside after they had written (a late refusal, or a failure answered with
  // `retry`): local_seq -> the verdict they get when the push runs again.
  struct LateVerdict {
    wire::Verdict verdict = wire::Verdict::kRejected;
    std::string message;
    int attempts = 0;   // retry only: the failed attempt this is
    std::string error;  // retry only: what failed
  };
  using LateRefusals = std::map<uint64_t, LateVerdict>;

  // One verdict per entry, in order. Errors mean the caller must roll back what this
  // call wrote (kUnavailable: retry later). kAborted with a new entry in `late`: roll
  // back and call again with the same `late` (see above); each such round adds an entry,
  // so there are at most as many rounds as entries. `device_cursor`: see Store::Push.
  // REQUIRES: inside a write transaction on db.
  Result<std::vector<wire::EntryVerdict>> Apply(const Account& account, std::string_view device_id,
                                                const std::vector<wire::PushEntry>& entries,
                                                int64_t now_ms, LateRefusals& late,
                                                std::optional<uint64_t> device_cursor = {});

  // Drops up to `limit` superseded change-log entries in one transaction; returns how many.
  Result<int64_t> CompactLog(int64_t limit);

 private:
  PushApplier(SqlConn& db, const TableShapes& shapes, const ReferenceData& refs)
      : db_(db), shapes_(shapes), refs_(refs) {}
  // The verdict of one new entry. Refusals become a kRejected verdict, entry failures a
  // kRetry (or, past the attempts, kRejected) verdict; store failures abort.
  Result<wire::EntryVerdict> ApplyEntry(const Account& account, std::string_view device_id,
                                        const wire::PushEntry& entry, int64_t now_ms,
                                        LateRefusals& late);
  Status ApplyChanges(const DecodedChangeset& cs, const MergeScope& scope, EntryOutcome* outcome);
  // The verdict of an entry that failed with `failure` (not a refusal): retry, or rejected
  // once it has failed kMaxEntryAttempts times.
  Result<LateVerdict> Failed(std::string_view device_id, uint64_t local_seq, const Status& failure);
  // Gives `v` the late verdict, recording a retry's attempt.
  Status Settle(std::string_view device_id, const LateVerdict& late, int64_t now_ms,
                wire::EntryVerdict* v);

  SqlConn& db_;
  const TableShapes& shapes_;
  const ReferenceData& refs_;
  std::optional<uint64_t> device_cursor_;  // of the Apply() in progress
  std::unique_ptr<ChangeLog> log_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ConflictLog> conflicts_;
  std::unique_ptr<RowArchive> archive_;
  std::unique_ptr<VerdictLedger> ledger_;
  std::unique_ptr<EntryRetries> retries_;
  std::unique_ptr<RowMerger> merger_;
  SqlStmt touch_device_;
  SqlStmt receipt_taken_;  // another report holds this receipt code
};

}  // namespace q11::server
