#include "conflicts/admin_handlers.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "auth/bearer_auth.h"
#include "conflicts/admin_assets.h"
#include "conflicts/conflict_json.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "http/security_headers.h"

namespace q11::server {
namespace {

constexpr size_t kMaxResolveBody = 256 * 1024;

Result<ConflictFilter> ParseFilter(const std::string& uri) {
  ConflictFilter f;
  try {
    Poco::URI parsed(uri);
    for (const auto& [key, value] : parsed.getQueryParameters()) {
      if (key == "state") {
        if (value != "open" && value != "resolved" && value != "all")
          return InvalidArgument("state must be open, resolved or all / trạng thái không hợp lệ");
        f.state = value;
      } else if (key == "table") {
        f.table = value;
      } else if (key == "unit") {
        f.unit = value;
      } else if (key == "min_age_hours") {
        if (value.empty()) continue;
        char* end = nullptr;
        long long n = std::strtoll(value.c_str(), &end, 10);
        if (end == nullptr || *end != '\0' || n < 0 || n > 24LL * 365 * 100)
          return InvalidArgument(
              "min_age_hours must be a whole number of hours / số giờ không hợp lệ");
        f.min_age_hours = n;
      } else {
        return InvalidArgument("unknown query parameter '" + key + "' / tham số không hợp lệ");
      }
    }
  } catch (const Poco::Exception& e) {
    return InvalidArgument("malformed query: " + e.displayText() + " / truy vấn không hợp lệ");
  }
  return f;
}

}  // namespace

void AdminPageHandler::Handle(Poco::Net::HTTPServerRequest& request,
                              Poco::Net::HTTPServerResponse& response) {
  SetSecurityHeaders(response, /*no_store=*/false);
  std::string_view uri = request.getURI();
  const AdminAsset* asset = FindAdminAsset(uri.substr(0, uri.find('?')));
  if (asset == nullptr)
    return SendJsonError(response, 404, "not_found", "no such page", "Không có trang này");
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType(std::string(asset->content_type));
  response.sendBuffer(asset->body.data(), asset->body.size());
}

void AdminApiHandler::Handle(Poco::Net::HTTPServerRequest& request,
                             Poco::Net::HTTPServerResponse& response) {
  SetSecurityHeaders(response, /*no_store=*/true);
  Result<Account> account = AuthorizeBearer(context(), request.get("Authorization", ""));
  if (!account.ok()) {
    response.setKeepAlive(false);  // any body stays unread
    return SendStatusError(response, account.status());
  }
  if (account->role != Role::kAdmin) {
    response.setKeepAlive(false);
    return SendJsonError(response, 403, "permission_denied",
                         "only administrators may see and resolve conflicts",
                         "Chỉ quản trị viên được xem và xử lý xung đột");
  }
  ConflictStore& store = *context().store;
  if (resolve_) {
    Result<std::string> body = ReadBody(request, kMaxResolveBody);
    if (!body.ok()) return SendBodyError(request, response, body.status());
    Result<ConflictDecision> decision = ParseDecisionJson(*body);
    if (!decision.ok()) return SendStatusError(response, decision.status());
    Result<ResolvedConflict> r = store.ResolveConflict(id_, *decision, account->name);
    if (!r.ok()) return SendStatusError(response, r.status());
    return SendJsonBody(response, ResolvedJson(*r));
  }
  if (!id_.empty()) {
    Result<ConflictDetail> d = store.GetConflict(id_);
    if (!d.ok()) return SendStatusError(response, d.status());
    return SendJsonBody(response, ConflictDetailJson(*d));
  }
  Result<ConflictFilter> filter = ParseFilter(request.getURI());
  if (!filter.ok()) return SendStatusError(response, filter.status());
  Result<std::vector<ConflictSummary>> list = store.ListConflicts(*filter);
  if (!list.ok()) return SendStatusError(response, list.status());
  SendJsonBody(response, ConflictListJson(*list));
}

}  // namespace q11::server
