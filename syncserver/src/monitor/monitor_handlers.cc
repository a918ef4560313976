#include "monitor/monitor_handlers.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "auth/bearer_auth.h"
#include "http/http_errors.h"
#include "http/security_headers.h"
#include "monitor/monitor_assets.h"
#include "monitor/unit_report.h"
#include "monitor/unit_report_csv.h"
#include "monitor/unit_report_json.h"
#include "protocol/ids.h"

namespace q11::server {
namespace {

constexpr std::string_view kApi = "/v1/monitor/";
constexpr int kDefaultDays = 90;
// The admin pages' policy plus blob: images: the case view shows the case's photos, fetched
// with the bearer token from /v1/photos/ and handed to <img> as blob URLs.
constexpr const char* kPagePolicy =
    "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'";

class MonitorPageHandler final : public GuardedHandler {
 public:
  using GuardedHandler::GuardedHandler;

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override {
    SetSecurityHeaders(response, /*no_store=*/false);
    response.set("Content-Security-Policy", kPagePolicy);
    std::string_view uri = request.getURI();
    const AdminAsset* asset = FindMonitorAsset(uri.substr(0, uri.find('?')));
    if (asset == nullptr)
      return SendJsonError(response, 404, "not_found", "no such page", "Không có trang này");
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType(std::string(asset->content_type));
    response.sendBuffer(asset->body.data(), asset->body.size());
  }
};

enum class What { kUnits, kUnitsCsv, kOverdue, kCasesCsv, kCase };

struct Query {
  ReportPeriod period;
  std::string unit;
};

Result<Query> ParseQuery(const std::string& uri, int64_t now_ms, bool allow_unit) {
  std::string from, to;
  Query q;
  try {
    for (const auto& [key, value] : Poco::URI(uri).getQueryParameters()) {
      if (key == "from") {
        from = value;
      } else if (key == "to") {
        to = value;
      } else if (key == "unit" && allow_unit) {
        q.unit = value;
      } else {
        return InvalidArgument("unknown query parameter '" + key + "' / tham số không hợp lệ");
      }
    }
  } catch (const Poco::Exception& e) {
    return InvalidArgument("malformed query: " + e.displayText() + " / truy vấn không hợp lệ");
  }
  if (from.empty() && to.empty()) {
    q.period = LastDays(now_ms, kDefaultDays);
    return q;
  }
  Result<ReportPeriod> p = ParsePeriod(from, to);
  if (!p.ok()) return p.status();
  q.period = std::move(*p);
  return q;
}

void SendText(Poco::Net::HTTPServerResponse& response, const std::string& body,
              const std::string& content_type, const std::string& filename) {
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType(content_type);
  response.set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  response.sendBuffer(body.data(), body.size());
}

class MonitorApiHandler final : public GuardedHandler {
 public:
  MonitorApiHandler(const HandlerContext& context, What what, std::string id)
      : GuardedHandler(context), what_(what), id_(std::move(id)) {}

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override {
    SetSecurityHeaders(response, /*no_store=*/true);
    Result<Account> account = AuthorizeBearer(context(), request.get("Authorization", ""));
    if (!account.ok()) return SendStatusError(response, account.status());
    if (account->role != Role::kLeader && account->role != Role::kAdmin)
      return SendJsonError(response, 403, "permission_denied",
                           "only leaders and administrators may see the monitoring figures",
                           "Chỉ lãnh đạo và quản trị viên được xem số liệu theo dõi");
    const int64_t now = context().clock_ms();
    MonitorReads& store = *context().store;
    if (what_ == What::kCase) {
      Result<std::optional<CaseHistory>> h = store.ReadCaseHistory(id_);
      if (!h.ok()) return SendStatusError(response, h.status());
      if (!h->has_value())
        return SendJsonError(response, 404, "not_found", "no such case", "Không có hồ sơ này");
      return SendJsonBody(response, CaseHistoryJson(**h, now));
    }
    Result<Query> q = ParseQuery(request.getURI(), now, what_ == What::kCasesCsv);
    if (!q.ok()) return SendStatusError(response, q.status());
    Result<MonitorFacts> facts = store.ReadMonitorFacts(q->period.from_utc, q->period.to_utc);
    if (!facts.ok()) return SendStatusError(response, facts.status());
    const std::string span = q->period.from_day + "_" + q->period.to_day;
    switch (what_) {
      case What::kUnits:
        return SendJsonBody(response, UnitReportJson(ComputeUnitReport(*facts, q->period, now)));
      case What::kUnitsCsv:
        return SendText(response, UnitsCsv(ComputeUnitReport(*facts, q->period, now)),
                        "text/csv; charset=utf-8", "q11-don-vi_" + span + ".csv");
      case What::kOverdue:
        if (!KnownUnit(*facts, id_))
          return SendJsonError(response, 404, "not_found", "no such unit", "Không có đơn vị này");
        return SendJsonBody(response, CaseListJson(id_, q->period, FormatUtc(now),
                                                   CasesOf(*facts, q->period, id_, true, now)));
      case What::kCasesCsv:
        // An unknown unit is a mistake to say, not an empty file to hand over.
        if (!q->unit.empty() && !KnownUnit(*facts, q->unit))
          return SendJsonError(response, 404, "not_found", "no such unit", "Không có đơn vị này");
        return SendText(
            response, CasesCsv(CasesOf(*facts, q->period, q->unit, false, now)),
            "text/csv; charset=utf-8",
            "q11-ho-so_" + (q->unit.empty() ? std::string() : q->unit + "_") + span + ".csv");
      case What::kCase:
        break;
    }
  }

 private:
  What what_;
  std::string id_;
};

// Unit ids (q11, p04, phong-qldt) and report ids (UUIDs): letters, digits and dashes.
bool IsId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
          c == '_'))
      return false;
  return true;
}

}  // namespace

Poco::Net::HTTPRequestHandler* RouteMonitor(const HandlerContext& context, std::string_view path,
                                            const std::string& method) {
  const bool page = path == "/monitor" || path.substr(0, 9) == "/monitor/";
  const bool api = path.substr(0, kApi.size()) == kApi;
  if (!page && !api) return nullptr;
  if (method != "GET")
    return new ErrorHandler(context, 405, "invalid_argument",
                            std::string(path) + " accepts GET only",
                            "Phương thức không được hỗ trợ");
  if (page) return new MonitorPageHandler(context);
  std::string_view rest = path.substr(kApi.size());
  if (rest == "units") return new MonitorApiHandler(context, What::kUnits, "");
  if (rest == "units.csv") return new MonitorApiHandler(context, What::kUnitsCsv, "");
  if (rest == "cases.csv") return new MonitorApiHandler(context, What::kCasesCsv, "");
  constexpr std::string_view kUnits = "units/", kOverdue = "/overdue", kCases = "cases/";
  if (rest.substr(0, kUnits.size()) == kUnits && rest.size() > kUnits.size() + kOverdue.size() &&
      rest.substr(rest.size() - kOverdue.size()) == kOverdue) {
    std::string_view id = rest.substr(kUnits.size(), rest.size() - kUnits.size() - kOverdue.size());
    if (IsId(id)) return new MonitorApiHandler(context, What::kOverdue, std::string(id));
  }
  if (rest.substr(0, kCases.size()) == kCases && IsId(rest.substr(kCases.size())))
    return new MonitorApiHandler(context, What::kCase, std::string(rest.substr(kCases.size())));
  return new ErrorHandler(context, 404, "not_found", "no such endpoint: " + std::string(path),
                          "Không có đường dẫn này");
}

}  // namespace q11::server
