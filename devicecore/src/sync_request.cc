#include "sync_request.h"

#include "epoch_heal.h"
#include "protocol/schema_versions.h"
#include "scope_repair.h"
#include "status_macros.h"

namespace q11::device {

Result<BuiltRequest> BuildSyncRequest(DatabaseImpl& db, uint32_t max_pull_rows,
                                      size_t max_push_bytes, bool push) {
  // One read transaction, so the cursor and the outbox are seen at the same moment.
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db.db(), /*immediate=*/false));
  BuiltRequest out;
  out.request.device_id = db.DeviceId();
  Q11_ASSIGN_OR_RETURN(out.request.cursor, db.meta().Cursor());
  out.request.max_pull_rows = max_pull_rows;
  out.request.client = kClientName;
  // Healing after a restore (epoch_heal.h): nothing goes up while the copy is rebuilt (an
  // entry could build on a row the restored server lacks, and be refused for good); then the
  // rows the server lacked go up first, alone, so the queued entries find them there.
  Q11_ASSIGN_OR_RETURN(bool healing, HealPending(db));
  Q11_ASSIGN_OR_RETURN(std::optional<int64_t> heal_entry, PendingHealEntry(db));
  PushBatch batch;
  if (!push) {
    // Nothing goes up; what waits is not forgotten, but this exchange does not send it.
  } else if (heal_entry) {
    Q11_ASSIGN_OR_RETURN(batch, db.outbox().PushOne(*heal_entry));
    out.heal_entry = true;
    batch.more = true;
  } else if (!healing) {
    Q11_ASSIGN_OR_RETURN(batch, db.outbox().NextPush(max_push_bytes, wire::kMaxPushEntries));
  } else {
    Q11_ASSIGN_OR_RETURN(int64_t waiting, db.outbox().CountPending());
    batch.more = waiting > 0;  // held back, not forgotten
  }
  out.more_unsent = batch.more;
  out.sent = batch.seqs;
  out.request.push.reserve(batch.seqs.size());
  // The pull comes in this build's schema; each entry says what it was captured under.
  out.request.schema_version = schema::kSyncedSchemaVersion;
  for (size_t i = 0; i < batch.seqs.size(); ++i)
    out.request.push.push_back({static_cast<uint64_t>(batch.seqs[i]),
                                std::move(batch.changesets[i]),
                                static_cast<uint16_t>(batch.schema_versions[i])});
  // Rebuilding after a restore (epoch_heal.h): the pull must leave none of our writes out.
  out.request.full_pull = healing;
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> epoch, db.meta().Get(kServerEpochKey));
  out.request.known_epoch = epoch.value_or("");
  Q11_ASSIGN_OR_RETURN(out.request.drift, PendingDriftReports(db));
  Q11_RETURN_IF_ERROR(tx.Commit());
  return out;
}

}  // namespace q11::device
