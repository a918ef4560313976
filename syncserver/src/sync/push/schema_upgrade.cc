#include "sync/push/schema_upgrade.h"

#include <string>

#include "protocol/schema_versions.h"
#include "sync/push/change_validator.h"

namespace q11::server {
namespace {

Status TooOld(int version) {
  const std::string v = std::to_string(version),
                    oldest = std::to_string(schema::kOldestSyncedSchemaVersion);
  return Refusal(StatusCode::kFailedPrecondition,
                 "this change was captured under data version " + v +
                     ", older than the oldest this server accepts (" + oldest +
                     "): update the app; the change stays on the phone",
                 "thay đổi được ghi theo phiên bản dữ liệu " + v +
                     " đã quá cũ, máy chủ không còn nhận: hãy cập nhật ứng dụng; dữ liệu vẫn "
                     "giữ trên máy");
}

Status TooNew(int version) {
  const std::string v = std::to_string(version),
                    ours = std::to_string(schema::kSyncedSchemaVersion);
  return Refusal(StatusCode::kFailedPrecondition,
                 "this change was captured under data version " + v +
                     ", newer than this server's (" + ours +
                     "): the server must be upgraded first; the change stays on the phone",
                 "thay đổi theo phiên bản dữ liệu " + v +
                     " mới hơn máy chủ: cần nâng cấp máy chủ trước; dữ liệu vẫn giữ trên máy");
}

void Pad(TableChanges& t, const TableShape& shape) {
  const size_t n = shape.columns.size();
  for (RowChange& row : t.rows) {
    if (row.op == SQLITE_INSERT) {
      for (size_t c = row.new_values.size(); c < n; ++c)
        row.new_values.push_back(shape.defaults[c]);
      row.old_values.resize(n);
    } else {
      row.old_values.resize(n);
      row.new_values.resize(n);
    }
  }
  t.pk.resize(n, false);
  t.column_count = static_cast<int>(n);
}

}  // namespace

Status UpgradeToLiveShapes(DecodedChangeset* cs, const TableShapes& shapes, uint16_t declared) {
  if (declared != 0 && declared > schema::kSyncedSchemaVersion) return TooNew(declared);
  if (declared != 0 && declared < schema::kOldestSyncedSchemaVersion) return TooOld(declared);
  for (TableChanges& t : cs->tables) {
    const TableShape* shape = shapes.Find(t.table);
    if (shape == nullptr) continue;  // the validator refuses it, naming the table
    const int live = static_cast<int>(shape->columns.size());
    const int version =
        declared != 0 ? declared : schema::VersionWithColumns(t.table, t.column_count);
    if (declared != 0 && schema::ColumnsIn(t.table, declared) != t.column_count)
      return Refusal(StatusCode::kFailedPrecondition,
                     "table " + t.table + " has " + std::to_string(t.column_count) +
                         " columns in the changeset, but data version " + std::to_string(declared) +
                         " has " + std::to_string(schema::ColumnsIn(t.table, declared)),
                     "số cột của bảng " + t.table + " không khớp với phiên bản dữ liệu");
    if (t.column_count == live) continue;
    if (version == 0 || t.column_count > live) continue;  // fits no version: the validator
    if (version < schema::kOldestSyncedSchemaVersion) return TooOld(version);
    Pad(t, *shape);
  }
  return Status::Ok();
}

}  // namespace q11::server
