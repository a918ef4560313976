#include "sync_request.h"

#include "epoch_heal.h"
#include "protocol/schema_versions.h"
#include "status_macros.h"

namespace q11::device {

Result<BuiltRequest> BuildSyncRequest(DatabaseImpl& db, uint32_t max_pull_rows,
                                      size_t max_push_bytes) {
  // One read transaction, so the cursor and the outbox are seen at the same moment.
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db.db(), /*immediate=*/false));
  BuiltRequest out;
  out.request.device_id = db.DeviceId();
  Q11_ASSIGN_OR_RETURN(out.request.cursor, db.meta().Cursor());
  out.request.max_pull_rows = max_pull_rows;
  out.request.client = kClientName;
  Q11_ASSIGN_OR_RETURN(PushBatch batch,
                       db.outbox().NextPush(max_push_bytes, wire::kMaxPushEntries));
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
  Q11_ASSIGN_OR_RETURN(out.request.full_pull, HealPending(db));
  Q11_RETURN_IF_ERROR(tx.Commit());
  return out;
}

}  // namespace q11::device
