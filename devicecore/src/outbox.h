// The outbox: local transactions' changesets waiting for the server, in local_seq order.
// Every method runs inside the caller's transaction; none opens its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devicecore/database.h"
#include "statement_cache.h"

namespace q11::device {

// An entry as the rebase (undo/apply/replay) needs it.
struct RebaseEntry {
  int64_t seq = 0;
  std::string changeset;            // as pushed
  std::optional<std::string> undo;  // what the last replay did; nullopt: same as changeset
  bool acked = false;
  int64_t server_seq = 0;
  // What to invert to take this entry's local effect back out.
  const std::string& LocalEffect() const { return undo ? *undo : changeset; }
};

struct PushBatch {
  std::vector<int64_t> seqs;
  std::vector<std::string> changesets;
  // The synced schema version each was captured under (protocol/schema_versions.h): an
  // entry queued before an app upgrade keeps its older shape and says so.
  std::vector<int> schema_versions;
  bool more = false;  // pending entries left out because of the size cap
};

class Outbox {
 public:
  // "*cache" must outlive the Outbox.
  explicit Outbox(StatementCache* cache) : cache_(cache) {}

  // Appends a captured changeset and the reports it touches; returns its new seq (never
  // reused).
  Result<int64_t> Append(const std::string& changeset, const std::vector<std::string>& report_ids,
                         const std::string& created_at);

  // Pending entries in seq order, at least one when any, at most `max_bytes` of
  // changesets otherwise and at most `max_entries`.
  Result<PushBatch> NextPush(size_t max_bytes, size_t max_entries);
  // Just entry `seq`, when it is pending (else an empty batch).
  Result<PushBatch> PushOne(int64_t seq);

  // Every entry (pending and acked) in seq order.
  Result<std::vector<RebaseEntry>> AllForRebase();

  Status MarkAcked(int64_t seq, int64_t server_seq);
  // Every entry pending again (the server went back to a backup: what it acknowledged
  // since may be gone; its ledger answers again for what it still has).
  Status ResetAcks();
  // Every entry's local effect forgotten (set to nothing), for rows emptied underneath.
  Status ForgetEffects();
  // Moves an entry to settled_changes with the verdict name and the server's message.
  Status Settle(int64_t seq, const std::string& verdict, const std::string& message,
                const std::string& settled_at);
  // Keeps the server's message about an entry it merged (a column settled by its rules) in
  // settled_changes as verdict 'merged'. The entry itself stays in the outbox, acked, and
  // goes as usual; the settled copy is only read, never replayed.
  Status NoteMerged(int64_t seq, const std::string& message, const std::string& settled_at);
  // Drops acked entries whose effect the pull cursor has passed (the pulled rows now carry
  // it). Returns how many.
  Result<int64_t> DropPassed(uint64_t cursor);
  // Records what the last replay of `seq` really did (may be empty: nothing).
  Status SetUndo(int64_t seq, const std::string& undo);

  Result<int64_t> CountPending();
  Result<int64_t> CountAll();
  Result<std::vector<OutboxEntry>> List();
  // Every entry's state and reports, in seq order, for "which reports have unsent changes".
  struct EntryReports {
    int64_t seq = 0;
    bool pending = false;  // false: acked
    std::vector<std::string> report_ids;
  };
  Result<std::vector<EntryReports>> ReportsOfEntries();

  Result<std::vector<SettledChange>> ListSettled();
  Status DiscardSettled(int64_t seq);

 private:
  Status CopyToSettled(int64_t seq, const std::string& verdict, const std::string& message,
                       const std::string& settled_at);

  StatementCache* cache_;
};

}  // namespace q11::device
