#include "sync_service.h"

namespace q11::server {

Result<wire::SyncResponse> RunSync(Store& store, const Account& account,
                                   const wire::SyncRequest& request, int64_t now_ms) {
  Q11_RETURN_IF_ERROR(store.BindDevice(request.device_id, account));
  wire::SyncResponse response;
  if (!request.push.empty()) {
    Result<std::vector<wire::EntryVerdict>> verdicts =
        store.Push(account, request.device_id, request.push, request.cursor);
    if (!verdicts.ok()) return verdicts.status();
    response.verdicts = std::move(*verdicts);
  }
  Result<PullPage> page =
      store.Pull(account, request.cursor, request.max_pull_rows, request.device_id);
  if (!page.ok()) return page.status();
  response.cursor = page->cursor;
  response.has_more = page->has_more;
  response.pull_rows = page->rows;
  response.pull_changeset = std::move(page->changeset);
  response.server_time_ms = now_ms;
  return response;
}

}  // namespace q11::server
