#include "local_writer.h"

#include "device_schema.h"
#include "protocol/ids.h"
#include "status_macros.h"

namespace q11::device {

Result<int64_t> LocalWriter::Run(const std::function<Status()>& write) {
  Result<int64_t> seq = RunOnce(write);
  if (!seq.ok() && sql::IsStorageFull(seq.status())) return PhoneStorageFull();
  if (!seq.ok() && sql::IsStorageError(seq.status()))
    return PhoneStorageFailed("chưa lưu thay đổi này", "this change was not saved");
  return seq;
}

Result<int64_t> LocalWriter::RunOnce(const std::function<Status()>& write) {
  // IMMEDIATE: take the write lock before reading anything the write depends on, so a
  // concurrent sync in another process cannot slip in between validation and write.
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(*db_));
  std::string changeset;
  {
    // One session per transaction: a session records the net effect since it was created.
    Q11_ASSIGN_OR_RETURN(sql::Session session, sql::Session::Create(*db_, SyncedTableNames()));
    Q11_RETURN_IF_ERROR(write());
    Q11_ASSIGN_OR_RETURN(changeset, session.Changeset());
  }
  int64_t seq = 0;
  if (!changeset.empty()) {
    // Now, while the rows are there to name an event's report.
    Q11_ASSIGN_OR_RETURN(std::vector<std::string> reports, TouchedReports(changeset, owner_));
    Q11_ASSIGN_OR_RETURN(seq, outbox_->Append(changeset, reports, FormatUtc(env_->NowMs())));
  }
  Q11_RETURN_IF_ERROR(tx.Commit());
  return seq;
}

Status PhoneStorageFull() {
  return ResourceExhausted(
      "this device's storage is full: nothing was saved or changed; free some space and try "
      "again / Bộ nhớ máy đã đầy: chưa lưu thay đổi nào; hãy giải phóng dung lượng rồi thử lại");
}

Status PhoneStorageFailed(const std::string& what_vi, const std::string& what_en) {
  return Unavailable("Bộ nhớ máy báo lỗi đọc/ghi: " + what_vi +
                     "; dữ liệu đã lưu trước đó vẫn còn. Hãy thử lại; nếu lỗi lặp lại, hãy giải "
                     "phóng dung lượng hoặc khởi động lại máy / this device's storage failed to "
                     "read or write (disk I/O error): " +
                     what_en +
                     "; what was saved before is kept. Try again; if it keeps happening, free "
                     "some space or restart the device");
}

}  // namespace q11::device
