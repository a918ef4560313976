#include "sync/wait_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <charconv>
#include <chrono>

#include "auth/bearer_auth.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "http/json_request.h"
#include "sync/change_notifier.h"

namespace q11::server {
namespace {

constexpr size_t kMaxWaitBody = 4096;
constexpr int kDefaultTimeoutS = 25;
constexpr int kMaxTimeoutS = 60;

std::optional<uint64_t> ParseU64(const std::string& s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

void WaitHandler::Handle(Poco::Net::HTTPServerRequest& request,
                         Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  Result<Account> account = AuthorizeBearer(ctx, request.get("Authorization", ""));
  if (!account.ok()) {
    response.setKeepAlive(false);  // the body stays unread
    return SendStatusError(response, account.status());
  }
  Result<std::string> body = ReadBody(request, kMaxWaitBody);
  if (!body.ok()) return SendBodyError(request, response, body.status());
  auto fields = ParseStringFields(*body, {"device_id", "cursor"}, {"timeout_seconds"});
  if (!fields.ok()) return SendStatusError(response, fields.status());
  std::optional<uint64_t> cursor = ParseU64((*fields)["cursor"]);
  std::optional<uint64_t> timeout =
      fields->count("timeout_seconds") ? ParseU64((*fields)["timeout_seconds"]) : kDefaultTimeoutS;
  if (!cursor || !timeout)
    return SendJsonError(response, 400, "invalid_argument",
                         "cursor and timeout_seconds must be whole numbers (as strings)",
                         "cursor và timeout_seconds phải là số nguyên");
  const std::string& device_id = (*fields)["device_id"];
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds(std::min<uint64_t>(*timeout, kMaxTimeoutS));

  ChangeNotifier::Slot slot =
      ctx.changes != nullptr ? ctx.changes->TryEnter() : ChangeNotifier::Slot();
  if (!slot) {
    response.set("Retry-After", "5");
    return SendJsonError(response, 503, "unavailable",
                         "too many devices are waiting for changes; sync instead, or wait again "
                         "in a few seconds",
                         "quá nhiều thiết bị đang chờ; hãy đồng bộ hoặc thử lại sau vài giây");
  }
  for (;;) {
    // Read the version first: a commit after this point wakes the wait below even if the
    // check misses it.
    uint64_t seen = ctx.changes->version();
    Result<bool> has = ctx.store->HasChanges(*account, *cursor, device_id);
    if (!has.ok()) return SendStatusError(response, has.status());
    if (*has) return SendJsonBody(response, R"({"changed":true})");
    if (!ctx.changes->WaitPast(seen, deadline))
      return SendJsonBody(response, R"({"changed":false})");
  }
}

}  // namespace q11::server
