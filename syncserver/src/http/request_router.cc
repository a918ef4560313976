#include "http/request_router.h"

#include <Poco/Net/HTTPServerRequest.h>

#include "auth/login_handler.h"
#include "auth/register_handler.h"
#include "auth/token_handlers.h"
#include "conflicts/admin_handlers.h"
#include "http/health_handler.h"
#include "http/metrics_handler.h"
#include "http/ready_handler.h"
#include "monitor/monitor_handlers.h"
#include "open311/open311_handlers.h"
#include "photos/photo_handler.h"
#include "privacy/contact_handler.h"
#include "public/app_handlers.h"
#include "public/receipt_handlers.h"
#include "sync/sync_handler.h"
#include "sync/wait_handler.h"

namespace q11::server {
namespace {

constexpr std::string_view kConflicts = "/v1/admin/conflicts";
constexpr std::string_view kUsers = "/v1/admin/users/";
constexpr std::string_view kContact = "/contact";
constexpr std::string_view kReceipts = "/public/receipts/";

// Conflict ids are UUIDs; anything else in the path is an unknown route.
bool IsConflictId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
      return false;
  return true;
}

bool IsAccountName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
          c == '_' || c == '-' || c == '@'))
      return false;
  return true;
}

}  // namespace

Poco::Net::HTTPRequestHandler* RequestRouter::createRequestHandler(
    const Poco::Net::HTTPServerRequest& request) {
  // Poco takes ownership of the returned handler. Error codes stay within the stable
  // names of protocol/result.h (docs/protocol.md): 405 is an invalid_argument.
  std::string_view uri = request.getURI();
  std::string_view path = uri.substr(0, uri.find('?'));
  const std::string& method = request.getMethod();
  struct Route {
    std::string_view path;
    const char* method;
  };
  static constexpr Route kRoutes[] = {
      {"/healthz", "GET"},      {"/readyz", "GET"},           {"/v1/login", "POST"},
      {"/v1/sync", "POST"},     {"/v1/refresh", "POST"},      {"/v1/logout", "POST"},
      {"/v1/register", "POST"}, {"/v1/changes/wait", "POST"}, {"/metrics", "GET"},
  };
  auto wrong_method = [&](const char* allowed) {
    return new ErrorHandler(context_, 405, "invalid_argument",
                            std::string(path) + " accepts " + allowed + " only",
                            "Phương thức không được hỗ trợ");
  };
  // The landing page and the web app: app_handlers.h.
  if (Poco::Net::HTTPRequestHandler* app = RouteApp(context_, path, method)) return app;
  if (path == "/admin" || path.substr(0, 7) == "/admin/") {
    if (method != "GET") return wrong_method("GET");
    return new AdminPageHandler(context_);
  }
  // The public receipt lookup (no account): receipt_handlers.h.
  if (path == "/tra-cuu" || path == "/receipt" || path == "/tra-cuu.css") {
    if (method != "GET") return wrong_method("GET");
    return new ReceiptPageHandler(context_);
  }
  if (path.substr(0, kReceipts.size()) == kReceipts && path.size() - kReceipts.size() <= 64 &&
      path.find('/', kReceipts.size()) == std::string_view::npos) {
    if (method != "GET") return wrong_method("GET");
    return new ReceiptApiHandler(context_, std::string(path.substr(kReceipts.size())));
  }
  if (path == "/v1/public/reports") {
    if (method != "GET") return wrong_method("GET");
    return new PublicReportsHandler(context_);
  }
  if (path == kConflicts) {
    if (method != "GET") return wrong_method("GET");
    return new AdminApiHandler(context_, "", false);
  }
  if (path.substr(0, kConflicts.size() + 1) == std::string(kConflicts) + "/") {
    std::string_view rest = path.substr(kConflicts.size() + 1);
    size_t slash = rest.find('/');
    std::string_view id = rest.substr(0, slash);
    std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (IsConflictId(id) && tail.empty()) {
      if (method != "GET") return wrong_method("GET");
      return new AdminApiHandler(context_, std::string(id), false);
    }
    if (IsConflictId(id) && tail == "/resolve") {
      if (method != "POST") return wrong_method("POST");
      return new AdminApiHandler(context_, std::string(id), true);
    }
  }
  // /v1/admin/users/{name}/contact; names are a-z A-Z 0-9 . _ - @ (accounts.cc).
  if (path.size() > kUsers.size() + kContact.size() && path.substr(0, kUsers.size()) == kUsers &&
      path.substr(path.size() - kContact.size()) == kContact) {
    std::string_view name =
        path.substr(kUsers.size(), path.size() - kUsers.size() - kContact.size());
    if (IsAccountName(name)) {
      if (method != "GET") return wrong_method("GET");
      return new ContactHandler(context_, std::string(name));
    }
  }
  if (Poco::Net::HTTPRequestHandler* photo = RoutePhoto(context_, path, method)) return photo;
  if (Poco::Net::HTTPRequestHandler* monitor = RouteMonitor(context_, path, method)) return monitor;
  if (Poco::Net::HTTPRequestHandler* o311 = RouteOpen311(context_, path, method)) return o311;
  for (const Route& r : kRoutes) {
    if (r.path != path) continue;
    if (method != r.method)
      return new ErrorHandler(context_, 405, "invalid_argument",
                              std::string(path) + " accepts " + r.method + " only",
                              "Phương thức không được hỗ trợ");
    if (path == "/healthz") return new HealthHandler(context_);
    if (path == "/readyz") return new ReadyHandler(context_);
    if (path == "/metrics") return new MetricsHandler(context_);
    if (path == "/v1/login") return new LoginHandler(context_);
    if (path == "/v1/refresh") return new RefreshHandler(context_);
    if (path == "/v1/logout") return new LogoutHandler(context_);
    if (path == "/v1/register") return new RegisterHandler(context_);
    if (path == "/v1/changes/wait") return new WaitHandler(context_);
    return new SyncHandler(context_);
  }
  return new ErrorHandler(context_, 404, "not_found", "no such endpoint: " + std::string(path),
                          "Không có đường dẫn này");
}

}  // namespace q11::server
