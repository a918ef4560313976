#include "sync/sync_service.h"

#include <algorithm>
#include <string>

#include "protocol/schema_versions.h"
#include "q11sqlite/changeset_narrowing.h"
#include "sync/access_scope.h"

namespace q11::server {
namespace {

// Apps before the declaration (protocol/schema_versions.h) spoke version 2.
constexpr int kUndeclaredSchemaVersion = 2;

Status UnsupportedApp(int version) {
  const std::string v = std::to_string(version),
                    oldest = std::to_string(schema::kOldestSyncedSchemaVersion),
                    ours = std::to_string(schema::kSyncedSchemaVersion);
  if (version > schema::kSyncedSchemaVersion)
    return FailedPrecondition("this app uses data version " + v + ", newer than this server's (" +
                              ours +
                              "): the server must be upgraded first; nothing was sent and your "
                              "changes stay on the phone / Ứng dụng mới hơn máy chủ: cần nâng "
                              "cấp máy chủ; dữ liệu vẫn giữ trên máy");
  return FailedPrecondition("this app is too old to sync (data version " + v +
                            "; the server accepts " + oldest + " to " + ours +
                            "): update the app; nothing was sent and your changes stay on the "
                            "phone / Ứng dụng đã quá cũ, không thể đồng bộ: hãy cập nhật ứng "
                            "dụng; dữ liệu vẫn giữ trên máy");
}

// What an app on an older, still supported version is told at every sync.
std::string OlderAppNotice(int version) {
  const std::string v = std::to_string(version),
                    ours = std::to_string(schema::kSyncedSchemaVersion);
  return "This app uses data version " + v + "; the server is at version " + ours +
         ". It keeps syncing until version " + v +
         " reaches the server's cut-off: please update the app. / Ứng dụng đang dùng phiên bản "
         "dữ liệu " +
         v + ", máy chủ đã ở phiên bản " + ours + ". Vui lòng cập nhật ứng dụng.";
}

}  // namespace

Result<wire::SyncResponse> RunSync(SyncStore& store, const Account& account,
                                   const wire::SyncRequest& request, int64_t now_ms) {
  const int version =
      request.schema_version != 0 ? request.schema_version : kUndeclaredSchemaVersion;
  if (!schema::IsSupportedSchemaVersion(version)) return UnsupportedApp(version);
  Q11_RETURN_IF_ERROR(store.BindDevice(request.device_id, account));
  wire::SyncResponse response;
  Result<std::string> epoch = store.Epoch();
  if (!epoch.ok()) return epoch.status();
  response.epoch = *epoch;
  response.server_time_ms = now_ms;
  if (!request.known_epoch.empty() && request.known_epoch != *epoch) {
    // The device last synced with this server before it was restored from a backup: it
    // must rebuild its copy first (docs/backup.md). Its push would meet a server that
    // lacks what its entries build on, and their refusals would stay in the ledger.
    response.cursor = request.cursor;
    response.has_more = true;
    return response;
  }
  if (!request.scope_only.empty()) {
    // A scope repair reads; it never writes, so its answer is that scope's rows alone.
    if (!request.push.empty())
      return InvalidArgument(
          "a scope repair (scope only) carries no changes: push them in a sync of their own / "
          "yêu cầu sửa phạm vi dữ liệu không được kèm thay đổi");
    const std::vector<std::string> readable = ReadAudiences(account);
    if (std::find(readable.begin(), readable.end(), request.scope_only) == readable.end())
      return PermissionDenied(NotYourScope(request.scope_only));
  }
  if (!request.push.empty()) {
    Result<std::vector<wire::EntryVerdict>> verdicts =
        store.Push(account, request.device_id, request.push, request.cursor);
    if (!verdicts.ok()) return verdicts.status();
    response.verdicts = std::move(*verdicts);
  }
  // A device rebuilding its copy (a new epoch, docs/backup.md) holds none of its own
  // writes any more: nothing is left out of its pull as an echo.
  Result<PullPage> page =
      store.Pull(account, request.cursor, request.max_pull_rows,
                 request.full_pull ? std::string_view() : request.device_id, request.scope_only);
  if (!page.ok()) return page.status();
  response.cursor = page->cursor;
  response.has_more = page->has_more;
  response.pull_rows = page->rows;
  response.pull_changeset = std::move(page->changeset);
  // The checksums are of rows with every column of this version: an older app holds
  // fewer columns and could not compute them (nor does it know section 21).
  if (version == schema::kSyncedSchemaVersion) response.scope_sums = std::move(page->scope_sums);
  if (version < schema::kSyncedSchemaVersion) {
    // The older app's tables have the first columns of each table only.
    Result<std::string> narrow = sql::NarrowChangeset(
        response.pull_changeset,
        [version](std::string_view table) { return schema::ColumnsIn(table, version); });
    if (!narrow.ok())
      return Internal("cannot build the pull for data version " + std::to_string(version) + ": " +
                      narrow.status().message());
    response.pull_changeset = std::move(*narrow);
    response.notice = OlderAppNotice(version);
  }
  return response;
}

}  // namespace q11::server
