#include "pull_check.h"

#include "device_schema.h"
#include "q11sqlite/changeset_shape_check.h"

namespace q11::device {

Status CheckPulledChangeset(sql::Db& db, std::string_view changeset) {
  if (changeset.empty()) return Status::Ok();
  // Read live on every page (five small PRAGMA queries) rather than cached: the schema is
  // the one this very transaction will apply to, even after a migration.
  Result<sql::SyncableTables> live = sql::SyncableTables::Load(db, SyncedTableNames());
  if (!live.ok()) return live.status();
  std::optional<sql::ShapeError> refused = sql::CheckChangesetShape(changeset, *live);
  if (!refused) return Status::Ok();
  return DataLoss("the server's changes were refused, nothing was applied: " +
                  refused->English(sql::kDeviceSide) +
                  " / thay đổi từ máy chủ bị từ chối, không có gì được áp dụng: " +
                  refused->Vietnamese(sql::kDeviceSide));
}

}  // namespace q11::device
