#include "sync/wait_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <fcntl.h>

#include <charconv>
#include <chrono>

#include "auth/bearer_auth.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "http/json_request.h"
#include "sync/change_notifier.h"
#include "sync/watcher_reactor.h"

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

void SendBusy(Poco::Net::HTTPServerResponse& response) {
  response.set("Retry-After", "5");
  SendJsonError(response, 503, "unavailable",
                "too many devices are waiting for changes; sync instead, or wait again "
                "in a few seconds",
                "quá nhiều thiết bị đang chờ; hãy đồng bộ hoặc thử lại sau vài giây");
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

  if (ctx.changes == nullptr) return SendBusy(response);
  // Read the version first: a commit after this point wakes the wait below even if the
  // check misses it.
  uint64_t seen = ctx.changes->version();
  Result<bool> has = ctx.store->HasChanges(*account, *cursor, device_id);
  if (!has.ok()) return SendStatusError(response, has.status());
  if (*has) return SendJsonBody(response, R"({"changed":true})");
  if (std::chrono::steady_clock::now() >= deadline)
    return SendJsonBody(response, R"({"changed":false})");

  auto* held = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (ctx.watchers != nullptr && held != nullptr) {
    WatcherReactor::Ticket ticket = ctx.watchers->Reserve();
    if (!ticket) return SendBusy(response);
    // The reactor's own descriptor of the connection: Poco closes its copy when this
    // thread's connection object ends, which does not close the socket.
    Fd connection(::fcntl(held->socket().impl()->sockfd(), F_DUPFD_CLOEXEC, 0));
    if (connection.get() < 0)
      return SendStatusError(response, Unavailable("no file descriptor left to hold the wait"));
    // From here Poco has no socket: its session ends without reading or writing again.
    held->detachSocket();
    auto question = std::make_shared<WaitQuestion>(WaitQuestion{*account, device_id, *cursor});
    ctx.watchers->Hold(std::move(ticket), std::move(connection), std::move(question), seen,
                       deadline);
    return;
  }

  ChangeNotifier::Slot slot = ctx.changes->TryEnter();
  if (!slot) return SendBusy(response);
  for (;;) {
    if (!ctx.changes->WaitPast(seen, deadline))
      return SendJsonBody(response, R"({"changed":false})");
    // Read the version first, as above.
    seen = ctx.changes->version();
    has = ctx.store->HasChanges(*account, *cursor, device_id);
    if (!has.ok()) return SendStatusError(response, has.status());
    if (*has) return SendJsonBody(response, R"({"changed":true})");
  }
}

}  // namespace q11::server
