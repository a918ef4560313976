#include "server_call.h"

#include <algorithm>

#include "protocol/json_value.h"

namespace q11::device {
namespace {

bool Retryable(int http_status) { return http_status >= 500 || http_status == 429; }

Status StatusForHttpError(const HttpReply& reply) {
  std::string msg = ServerMessage(reply);
  if (!reply.retry_after.empty())
    msg +=
        " (thử lại sau " + reply.retry_after + " giây / retry after " + reply.retry_after + " s)";
  // A server fault: its id finds the request in the server's log.
  if (reply.status >= 500)
    for (const auto& [name, value] : reply.headers)
      if (name == "X-Request-Id" && !value.empty())
        msg += " (mã yêu cầu / request id " + value + ")";
  switch (reply.status) {
    case 401:
      return Unauthenticated(msg);
    case 403:
      return PermissionDenied(msg);
    case 400:
      return InvalidArgument(msg);
    case 404:
      return NotFound(msg);
    case 409:
      return Status(StatusCode::kAlreadyExists, msg);
    default:
      if (Retryable(reply.status)) return Unavailable(msg);
      return FailedPrecondition(msg);
  }
}

}  // namespace

std::string ServerMessage(const HttpReply& reply) {
  std::string prefix = "server answered HTTP " + std::to_string(reply.status);
  if (Result<json::Value> obj = json::Parse(reply.body); obj.ok() && obj->is_object()) {
    std::string en = obj->StringOr("message");
    std::string vi = obj->StringOr("message_vi");
    if (en.empty() && vi.empty()) en = obj->StringOr("error");
    if (en.empty() && vi.empty()) return prefix;
    if (vi.empty() || vi == en) return en;
    if (en.empty()) return vi;
    return en + " / " + vi;
  }
  // Not our JSON (a proxy's page?): show the start of it, on one line.
  std::string excerpt = reply.body.substr(0, 200);
  std::replace(excerpt.begin(), excerpt.end(), '\n', ' ');
  std::replace(excerpt.begin(), excerpt.end(), '\r', ' ');
  return excerpt.empty() ? prefix : prefix + ": " + excerpt;
}

namespace {

// The retry loop of PostWithRetry and SendWithRetry; `send` makes one attempt.
template <typename SendOnce>
Result<HttpReply> WithRetry(Env& env, const RetryPolicy& policy, CallStats* stats, SendOnce send) {
  CallStats local;
  CallStats& st = stats != nullptr ? *stats : local;
  int attempts = std::max(1, policy.max_attempts);
  int backoff = std::max(0, policy.initial_backoff_ms);
  Status last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) {
      env.SleepMs(backoff);
      backoff *= 2;
    }
    ++st.attempts;
    Result<HttpReply> reply = send();
    if (!reply.ok()) {
      if (reply.status().code() != StatusCode::kUnavailable) return reply.status();
      last = reply.status();
      continue;
    }
    st.bytes_up += reply->bytes_sent;
    st.bytes_down += reply->bytes_received;
    if (reply->status >= 200 && reply->status < 300) return reply;
    last = StatusForHttpError(*reply);
    if (reply->status == 429 && !policy.retry_rate_limited)
      return Status(StatusCode::kResourceExhausted, last.message());
    if (!Retryable(reply->status)) return last;
  }
  return Status(StatusCode::kUnavailable,
                last.message() + " (after " + std::to_string(attempts) + " attempts)");
}

}  // namespace

Result<HttpReply> PostWithRetry(Transport& transport, Env& env, std::string_view path,
                                std::string_view content_type, std::string_view body,
                                std::string_view bearer, const RetryPolicy& policy,
                                CallStats* stats) {
  return WithRetry(env, policy, stats,
                   [&] { return transport.Post(path, content_type, body, bearer); });
}

Result<HttpReply> SendWithRetry(Transport& transport, Env& env, const HttpRequest& request,
                                const RetryPolicy& policy, CallStats* stats) {
  return WithRetry(env, policy, stats, [&] { return transport.Send(request); });
}

}  // namespace q11::device
