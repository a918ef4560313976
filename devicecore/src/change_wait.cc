// WaitForChanges(): one long poll (POST /v1/changes/wait, docs/protocol.md). The server
// holds the request until something for this account lands after the device's cursor, so
// an online device learns of new work within a second without polling hard.
// MakeWaitRequest() is the same request for apps that send it themselves.
#include "account_reply.h"
#include "devicecore/sync.h"
#include "protocol/json_value.h"
#include "server_call.h"
#include "status_macros.h"
#include "token_refresh.h"

namespace q11::device {
namespace {

// One attempt: the caller's loop is the retry (a long poll that failed is simply asked
// again after a pause).
constexpr RetryPolicy kOnce{1, 0};

}  // namespace

Result<WaitRequest> MakeWaitRequest(Database& database, Transport& transport, int timeout_seconds) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr)
    return InvalidArgument("WaitForChanges needs a Database made by Database::Open");
  Result<Account> account = db->GetAccount();
  if (!account.ok()) {
    if (account.status().code() == StatusCode::kNotFound)
      return Unauthenticated("not logged in: run q11 login");
    return account.status();
  }
  Q11_ASSIGN_OR_RETURN(Account fresh, FreshAccount(*db, transport, *account, kOnce));
  Q11_ASSIGN_OR_RETURN(uint64_t cursor, db->meta().Cursor());
  WaitRequest request;
  request.path = "/v1/changes/wait";
  request.content_type = "application/json";
  request.body = JsonBody({{"device_id", db->DeviceId()},
                           {"cursor", std::to_string(cursor)},
                           {"timeout_seconds", std::to_string(std::max(0, timeout_seconds))}});
  request.bearer = fresh.token;
  return request;
}

Result<bool> ReadWaitAnswer(const std::string& body) {
  Result<json::Value> answer = json::Parse(body);
  if (!answer.ok())
    return DataLoss("malformed answer to a wait for changes: " + answer.status().message());
  const json::Value* changed = answer->Find("changed");
  if (changed == nullptr || !changed->is_bool())
    return DataLoss("malformed answer to a wait for changes: " + body.substr(0, 200));
  return changed->boolean();
}

Result<bool> WaitForChanges(Database& database, Transport& transport, int timeout_seconds) {
  Q11_ASSIGN_OR_RETURN(WaitRequest request, MakeWaitRequest(database, transport, timeout_seconds));
  Env& env = DatabaseImpl::From(database)->env();
  Q11_ASSIGN_OR_RETURN(HttpReply reply,
                       PostWithRetry(transport, env, request.path, request.content_type,
                                     request.body, request.bearer, kOnce, nullptr));
  return ReadWaitAnswer(reply.body);
}

}  // namespace q11::device
