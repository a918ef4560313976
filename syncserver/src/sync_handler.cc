#include "sync_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "bearer_auth.h"
#include "http_body.h"
#include "http_errors.h"
#include "protocol/sync_messages.h"
#include "rate_limiter.h"
#include "security_audit.h"
#include "sync_service.h"

namespace q11::server {
namespace {

constexpr std::string_view kContentType = "application/x-q11-sync";

}  // namespace

void SyncHandler::Handle(Poco::Net::HTTPServerRequest& request,
                         Poco::Net::HTTPServerResponse& response) {
  Result<Account> account = AuthorizeBearer(context(), request.get("Authorization", ""));
  if (!account.ok()) {
    response.setKeepAlive(false);  // the body stays unread
    return SendStatusError(response, account.status());
  }
  if (context().limits != nullptr) {
    if (auto wait = context().limits->sync_by_account.Take(account->id, context().clock_ms())) {
      response.setKeepAlive(false);
      return SendRateLimited(response, *wait);
    }
  }
  Result<std::string> body = ReadBody(request, context().max_body_bytes);
  if (!body.ok()) return SendBodyError(request, response, body.status());
  Result<wire::SyncRequest> sync = wire::DecodeSyncRequest(*body);
  if (!sync.ok()) {
    const Status& s = sync.status();
    // Every decode failure is the client's: 413 for sizes over the limits, else 400 (the
    // code name still says which kind: data_loss, failed_precondition for a version...).
    int http = s.code() == StatusCode::kResourceExhausted ? 413 : 400;
    return SendJsonError(response, http, StatusCodeName(s.code()),
                         "malformed sync request: " + s.message(), "Yêu cầu đồng bộ không hợp lệ");
  }
  body->clear();
  body->shrink_to_fit();  // a push can be megabytes; do not hold it through the pull
  int64_t now_ms = context().clock_ms();
  Result<wire::SyncResponse> result = RunSync(*context().store, *account, *sync, now_ms);
  if (!result.ok()) return SendStatusError(response, result.status());
  for (const wire::EntryVerdict& v : result->verdicts)
    if (v.verdict == wire::Verdict::kRejected)
      AuditIfEnabled(
          context().audit, account->name, "push.rejected", "device/" + sync->device_id,
          AuditDetails({{"local_seq", std::to_string(v.local_seq)}, {"message", v.message}}));
  std::string bytes = wire::EncodeSyncResponse(*result);
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType(std::string(kContentType));
  response.sendBuffer(bytes.data(), bytes.size());
}

}  // namespace q11::server
