#include "sync/sync_handler.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <sstream>

#include "audit/security_audit.h"
#include "auth/bearer_auth.h"
#include "auth/rate_limiter.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "metrics/server_metrics.h"
#include "protocol/sync_messages.h"
#include "sync/drift_reports.h"
#include "sync/sync_service.h"

namespace q11::server {
namespace {

constexpr std::string_view kContentType = "application/x-q11-sync";
constexpr int kAuditedRefusals = 10;  // refused entries of one push audited in full

}  // namespace

void SyncHandler::Handle(Poco::Net::HTTPServerRequest& request,
                         Poco::Net::HTTPServerResponse& response) {
  const auto start = std::chrono::steady_clock::now();
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
  // Counted whatever becomes of the sync: the device found it before sending this.
  NoteDriftReports(*account, sync->drift, context().metrics);
  int64_t now_ms = context().clock_ms();
  RateLimiter* refused_limit =
      context().limits != nullptr ? &context().limits->refused_entries_by_account : nullptr;
  // An account whose pushes the write rules keep refusing (a modified app flooding the
  // server, or one stuck in a loop) has its pushes paused; its pulls go on.
  if (refused_limit != nullptr && !sync->push.empty()) {
    if (auto wait = refused_limit->Check(account->id, now_ms)) {
      response.setKeepAlive(false);
      response.set("Retry-After", std::to_string(*wait));
      return SendJsonError(
          response, 429, "resource_exhausted",
          "too many refused changes from this account; pushes are paused, retry after " +
              std::to_string(*wait) + " s",
          "Tài khoản gửi quá nhiều thay đổi bị từ chối; tạm dừng nhận, thử lại sau " +
              std::to_string(*wait) + " giây");
    }
  }
  Result<wire::SyncResponse> result = RunSync(*context().store, *account, *sync, now_ms);
  if (!result.ok()) return SendStatusError(response, result.status());
  int refused = 0;
  Poco::JSON::Array first;  // the first few refusals, in full
  for (const wire::EntryVerdict& v : result->verdicts) {
    if (v.verdict != wire::Verdict::kRejected) continue;
    if (++refused > kAuditedRefusals) continue;
    Poco::JSON::Object e;
    e.set("local_seq", std::to_string(v.local_seq));
    e.set("message", v.message);
    first.add(e);
  }
  // One audit row per push, not per refused entry: a push of thousands of forbidden
  // changes costs one write, and the count says how many there were.
  if (refused > 0) {
    Poco::JSON::Object details;
    details.set("count", refused);
    details.set("entries", first);
    std::ostringstream json;
    details.stringify(json);
    AuditIfEnabled(context().audit, account->name, "push.rejected", "device/" + sync->device_id,
                   json.str());
  }
  if (refused_limit != nullptr) refused_limit->Spend(account->id, refused, now_ms);
  std::string bytes = wire::EncodeSyncResponse(*result);
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType(std::string(kContentType));
  response.sendBuffer(bytes.data(), bytes.size());
  if (metrics::ServerMetrics* m = context().metrics) {
    // A few relaxed atomic adds (metrics/README.md): nothing that would show in a sync.
    for (const wire::EntryVerdict& v : result->verdicts) {
      const auto i = static_cast<size_t>(v.verdict);
      if (i < m->push_entries.size()) m->push_entries[i].Add();
    }
    m->pull_rows.Add(result->pull_rows);
    m->pull_bytes.Add(result->pull_changeset.size());
    m->sync_micros.Observe(std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count());
  }
}

}  // namespace q11::server
