// The change log devices pull from. Each synced row that changes gets the next global
// sequence number; row_log keeps each row's latest sequence (and whether it was deleted),
// row_audience files that sequence under each audience that may see the row, so a pull
// reads only its own audiences' entries in sequence order.
//
// Older row_audience entries of a row are left in place rather than deleted on every change
// (that delete touched two indexes per audience and was most of an update's cost): a pull
// joins row_log and skips entries whose sequence is no longer the row's. An audience that
// stops seeing a row (a report reassigned to another unit) gets a "gone" entry instead, which
// pulls turn into a removal; gone entries are kept even when stale, since a device of that
// audience may not have pulled the removal yet. Compact() drops the stale live entries.
//
// Sequences are allocated inside the push transaction: Begin() reads the counter, Finish()
// writes it back before COMMIT; a rolled-back transaction takes them back with it.
//
// Scope checksums (scope_sums.h): row_log also keeps, per row, the digest of the version
// counted in scope_sums and the audiences it is counted under. Finish() reads each row
// recorded since Begin() as stored now (all of the transaction's writes are done by then),
// takes its old digest out of its old audiences' sums and adds the new one to the audiences
// it is filed under now (a deleted row counts in none), and writes the changed sums: O(rows
// changed), in the same transaction. A built-in reference row that no change had logged
// yet was counted under "ref" with its digest in unlogged_ref: that is its old digest.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "protocol/scope_digest.h"
#include "store/sql/sql_conn.h"
#include "sync/changelog/row_digests.h"
#include "sync/table_shapes.h"

namespace q11::server {

class ChangeLog {
 public:
  // Prepares the statements on the write connection. REQUIRES: db and shapes outlive the log.
  static Result<std::unique_ptr<ChangeLog>> Create(SqlConn& db, const TableShapes& shapes);

  // REQUIRES: inside the write transaction.
  Status Begin();
  // Gives the row (table, pk) the next sequence, files it under `audiences` (1-4 of them)
  // and files a removal under each of `departed` (audiences that no longer see it); returns
  // the sequence. REQUIRES: between Begin() and Finish().
  // `echo`: this version is that device's own write. With an empty `base` the device holds
  // it exactly as stored, and its pulls leave it out; else base (echo_base.h) says which
  // columns the device holds otherwise, and its pulls carry just those. With `seen_by`,
  // only if the row's previous version has a sequence ≤ seen_by (the device had pulled
  // it; checked by the same statement that records the change).
  struct Echo {
    std::string_view device;  // empty: no echo
    std::string_view base;
    std::optional<uint64_t> seen_by;
  };
  Result<uint64_t> Record(std::string_view table, std::string_view pk, bool deleted,
                          const std::vector<std::string>& audiences,
                          const std::vector<std::string>& departed = {}, const Echo& echo = {});
  // Brings the scope checksums up to date with the rows recorded, writes the counter.
  Status Finish();

  // A pushed entry starts: forget which rows the previous one logged as echoes.
  void BeginEntry() { echoed_.clear(); }
  // The entry's verdict is "parked": the device takes its whole local effect back, so the
  // rows it logged as that device's echoes must be pulled back in full after all.
  Status ForgetEchoes();

  // Deletes up to `limit` live entries that a newer change of their row superseded; returns
  // how many. REQUIRES: inside the write transaction.
  Result<int64_t> Compact(int64_t limit);

  // The row's latest sequence and whether it was deleted; nullopt when never logged.
  struct RowState {
    uint64_t seq = 0;
    bool deleted = false;
  };
  Result<std::optional<RowState>> Find(std::string_view table, std::string_view pk);

 private:
  explicit ChangeLog(SqlConn& db) : db_(&db) {}
  Status UpdateScopeSums();
  // The digest a built-in reference row was counted with before any change logged it
  // (scope_sums.h), taken out of unlogged_ref; nullopt for other rows.
  Result<std::optional<wire::Digest128>> TakeUnloggedRef(std::string_view table,
                                                         std::string_view pk);

  // A row recorded since Begin(): its sequence and the audiences it was filed under.
  struct Recorded {
    std::string table, pk;
    uint64_t seq;
    std::string audiences;  // '\n' between, as row_log.digest_audiences
  };
  SqlConn* db_;
  std::unique_ptr<RowDigests> digests_;
  std::vector<Recorded> recorded_;
  SqlStmt read_digest_, write_digest_, read_sum_, write_sum_, read_unlogged_, drop_unlogged_;
  uint64_t last_seq_ = 0;
  uint64_t stored_seq_ = 0;
  SqlStmt read_counter_, write_counter_, upsert_row_, find_row_, insert_gone_, compact_,
      forget_echo_;
  std::vector<std::pair<std::string, std::string>> echoed_;  // (table, pk) of this entry
  // insert_audiences_[n - 1] files a row under n audiences in one statement.
  SqlStmt insert_audiences_[4];
};

}  // namespace q11::server
