#include "public/receipt_handlers.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <sstream>

#include "auth/bearer_auth.h"
#include "auth/rate_limiter.h"
#include "http/client_address.h"
#include "http/http_errors.h"
#include "http/security_headers.h"
#include "protocol/ids.h"
#include "protocol/receipt_code.h"
#include "protocol/workflow.h"

namespace q11::server {
namespace {

// Stricter than the admin console's: no script, no images, only its own style sheet.
constexpr const char* kPagePolicy =
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

// Readable on a small phone screen; served from the server itself (no CDN).
constexpr std::string_view kStyleSheet = R"css(body {
  font-family: system-ui, sans-serif; margin: 0 auto; max-width: 40rem; padding: 1rem;
  line-height: 1.5; color: #1a1a1a;
}
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
small { color: #555; }
form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 1rem 0; }
input { font-size: 1.1rem; padding: .4rem; letter-spacing: .08em; text-transform: uppercase; }
button { font-size: 1rem; padding: .45rem .9rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .4rem; border-bottom: 1px solid #ddd; }
th { width: 40%; font-weight: 600; }
#status { color: #0b5394; }
#overdue, #error { color: #b00020; }
)css";

void SetPublicHeaders(Poco::Net::HTTPServerResponse& response, bool page) {
  SetSecurityHeaders(response, /*no_store=*/true);  // a status changes; never cache it
  if (page) response.set("Content-Security-Policy", kPagePolicy);
}

// nullopt when the lookup may proceed, else the seconds to wait.
std::optional<int> Limited(const HandlerContext& ctx, Poco::Net::HTTPServerRequest& request) {
  if (ctx.limits == nullptr) return std::nullopt;
  return ctx.limits->receipt_by_address.Take(ClientAddress(ctx, request), ctx.clock_ms());
}

// Overdue (docs/workflow.md): still open and past its current deadline.
bool Overdue(const PublicCase& c, int64_t now_ms) {
  std::optional<int64_t> deadline = ParseUtc(c.expected_at.empty() ? c.due_at : c.expected_at);
  return workflow::IsOpen(c.status) && deadline && now_ms > *deadline;
}

Poco::Dynamic::Var TextOrNull(const std::string& s) {
  return s.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s);
}

Poco::JSON::Object::Ptr Named(const std::string& id, const std::string& vi, const std::string& en) {
  if (id.empty()) return nullptr;
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("id", id);
  o->set("name_vi", vi);
  o->set("name_en", en);
  return o;
}

std::string PublicJson(const PublicCase& c, int64_t now_ms) {
  Poco::JSON::Object o;
  if (!c.receipt_code.empty()) o.set("receipt_code", c.receipt_code);
  o.set("status", c.status);
  o.set("status_vi", std::string(workflow::StatusNameVi(c.status)));
  o.set("status_en", std::string(workflow::StatusNameEn(c.status)));
  auto set_named = [&o](const char* key, const std::string& id, const std::string& vi,
                        const std::string& en) {
    if (Poco::JSON::Object::Ptr named = Named(id, vi, en))
      o.set(key, named);
    else
      o.set(key, Poco::Dynamic::Var());
  };
  set_named("category", c.category_id, c.category_vi, c.category_en);
  set_named("ward", c.ward_id, c.ward_vi, c.ward_en);
  set_named("assigned_unit", c.unit_id, c.unit_vi, c.unit_en);
  o.set("created_at", TextOrNull(c.created_at));
  o.set("received_at", TextOrNull(c.received_at));
  o.set("due_at", TextOrNull(c.due_at));
  o.set("expected_at", TextOrNull(c.expected_at));
  o.set("resolved_at", TextOrNull(c.resolved_at));
  o.set("updated_at", TextOrNull(c.updated_at));
  o.set("overdue", Overdue(c, now_ms));
  o.set("duplicate_of", TextOrNull(c.duplicate_of));
  Poco::JSON::Array history;
  for (const PublicCase::Step& s : c.history) {
    Poco::JSON::Object step;
    step.set("at", s.at);
    step.set("kind", s.kind);
    step.set("status", TextOrNull(s.status));
    step.set("note", TextOrNull(s.note));
    history.add(step);
  }
  o.set("history", history);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// "2026-11-27T09:24:22.123Z" → "27/11/2026 16:24 (giờ Việt Nam)": people read local time.
std::string LocalTime(const std::string& utc) {
  std::optional<int64_t> ms = ParseUtc(utc);
  if (!ms) return "—";
  std::string t = FormatUtc(*ms + 7LL * 3600 * 1000);  // Asia/Ho_Chi_Minh, no DST
  return t.substr(8, 2) + "/" + t.substr(5, 2) + "/" + t.substr(0, 4) + " " + t.substr(11, 5);
}

std::string Row(const char* vi, const char* en, const std::string& value) {
  return "<tr><th>" + std::string(vi) + " <small>/ " + en + "</small></th><td>" + value +
         "</td></tr>\n";
}

std::string Page(const std::string& typed, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>Tra cứu phản ánh / Track a report – Quận 11</title>"
         "<link rel=\"stylesheet\" href=\"/tra-cuu.css\"></head><body>\n"
         "<h1>Tra cứu phản ánh <small>/ Track a report</small></h1>\n"
         "<p>Quận 11 – trực tuyến. Nhập mã biên nhận nhận được khi gửi phản ánh. "
         "<small>/ Enter the receipt code you got when filing the report.</small></p>\n"
         "<form method=\"get\" action=\"/tra-cuu\"><label for=\"code\">Mã biên nhận / Receipt "
         "code</label> <input id=\"code\" name=\"code\" value=\"" +
         Escape(typed) +
         "\" placeholder=\"Q11-XXXX-XXXX\" maxlength=\"20\" autocomplete=\"off\" required> "
         "<button type=\"submit\">Tra cứu / Look up</button></form>\n" +
         body + "</body></html>\n";
}

std::string CaseHtml(const PublicCase& c, int64_t now_ms) {
  std::string h = "<section id=\"result\"><h2>" + Escape(c.receipt_code) + "</h2>\n<table>\n";
  h += Row("Trạng thái", "Status",
           "<strong id=\"status\">" + Escape(workflow::StatusNameVi(c.status)) + "</strong> / " +
               Escape(workflow::StatusNameEn(c.status)));
  if (Overdue(c, now_ms))
    h += Row("Tiến độ", "Progress", "<strong id=\"overdue\">Quá hạn xử lý / Overdue</strong>");
  h += Row("Lĩnh vực", "Category", Escape(c.category_vi) + " / " + Escape(c.category_en));
  h += Row("Địa bàn", "Ward", Escape(c.ward_vi) + " / " + Escape(c.ward_en));
  if (!c.unit_id.empty())
    h += Row("Đơn vị xử lý", "Handled by", Escape(c.unit_vi) + " / " + Escape(c.unit_en));
  h += Row("Thời điểm phát hiện", "Seen by the citizen", LocalTime(c.created_at));
  h += Row("Tiếp nhận lúc", "Received", LocalTime(c.received_at));
  h += Row("Hạn xử lý", "Deadline", LocalTime(c.due_at));
  if (!c.expected_at.empty())
    h += Row("Dự kiến hoàn thành", "Expected completion", LocalTime(c.expected_at));
  if (!c.resolved_at.empty()) h += Row("Có kết quả lúc", "Resolved", LocalTime(c.resolved_at));
  if (!c.duplicate_of.empty())
    h += Row("Trùng với phản ánh", "Duplicate of",
             "<a id=\"duplicate\" href=\"/tra-cuu?code=" + Escape(c.duplicate_of) + "\">" +
                 Escape(c.duplicate_of) + "</a>");
  h += "</table>\n<p><small>Giờ Việt Nam (UTC+7) / Vietnam time (UTC+7)</small></p>\n";
  if (!c.history.empty()) {
    h += "<h3>Quá trình xử lý <small>/ History</small></h3>\n<ol id=\"history\">\n";
    for (const PublicCase::Step& s : c.history) {
      h += "<li>" + LocalTime(s.at) + " — ";
      if (s.kind == "status")
        h += Escape(workflow::StatusNameVi(s.status));
      else if (s.kind == "assignment")
        h += "Giao đơn vị xử lý / Assigned";
      else if (s.kind == "progress")
        h += "Báo cáo tiến độ / Progress";
      else
        h += "Kết quả / Result";
      if (!s.note.empty()) h += ": " + Escape(s.note);
      h += "</li>\n";
    }
    h += "</ol>\n";
  }
  return h + "</section>\n";
}

void SendHtml(Poco::Net::HTTPServerResponse& response, int status, const std::string& html) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType("text/html; charset=utf-8");
  response.sendBuffer(html.data(), html.size());
}

}  // namespace

void ReceiptApiHandler::Handle(Poco::Net::HTTPServerRequest& request,
                               Poco::Net::HTTPServerResponse& response) {
  SetPublicHeaders(response, /*page=*/false);
  if (std::optional<int> wait = Limited(context(), request)) {
    response.setKeepAlive(false);
    return SendRateLimited(response, *wait);
  }
  std::string typed;
  try {
    Poco::URI::decode(code_, typed);
  } catch (const Poco::Exception&) {
    typed.clear();
  }
  std::optional<std::string> code = receipt::Normalize(typed);
  if (!code)
    return SendJsonError(response, 400, "invalid_argument",
                         "not a receipt code (like Q11-7KXM-42PA)",
                         "Mã biên nhận không hợp lệ (dạng Q11-7KXM-42PA)");
  Result<std::optional<PublicCase>> found = context().store->FindByReceipt(*code);
  if (!found.ok()) return SendStatusError(response, found.status());
  if (!found->has_value())
    return SendJsonError(response, 404, "not_found", "no report has this receipt code",
                         "Không tìm thấy phản ánh với mã biên nhận này");
  SendJsonBody(response, PublicJson(**found, context().clock_ms()));
}

void PublicReportsHandler::Handle(Poco::Net::HTTPServerRequest& request,
                                  Poco::Net::HTTPServerResponse& response) {
  SetPublicHeaders(response, /*page=*/false);
  Result<Account> account = AuthorizeBearer(context(), request.get("Authorization", ""));
  if (!account.ok()) return SendStatusError(response, account.status());
  if (std::optional<int> wait = Limited(context(), request)) {
    response.setKeepAlive(false);
    return SendRateLimited(response, *wait);
  }
  std::string ward;
  int limit = 50, offset = 0;
  try {
    for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
      if (key == "ward") ward = value;
      if (key == "limit") limit = std::stoi(value);
      if (key == "offset") offset = std::stoi(value);
    }
  } catch (const std::exception&) {
    return SendJsonError(response, 400, "invalid_argument", "limit and offset must be numbers",
                         "limit và offset phải là số");
  }
  Result<bool> known = context().store->UnitExists(ward);
  if (!known.ok()) return SendStatusError(response, known.status());
  if (!*known)
    return SendJsonError(response, 400, "invalid_argument", "ward=UNIT is required (e.g. p04)",
                         "cần tham số ward (ví dụ p04)");
  if (limit < 1 || limit > 200 || offset < 0)
    return SendJsonError(response, 400, "invalid_argument", "limit 1-200, offset 0 or more",
                         "limit từ 1 đến 200, offset từ 0");
  Result<std::vector<PublicCase>> cases = context().store->ListPublicCases(ward, limit, offset);
  if (!cases.ok()) return SendStatusError(response, cases.status());
  const int64_t now = context().clock_ms();
  std::string body = "{\"ward\":\"" + ward + "\",\"reports\":[";
  for (size_t i = 0; i < cases->size(); ++i) body += (i ? "," : "") + PublicJson((*cases)[i], now);
  SendJsonBody(response, body + "]}");
}

void ReceiptPageHandler::Handle(Poco::Net::HTTPServerRequest& request,
                                Poco::Net::HTTPServerResponse& response) {
  SetPublicHeaders(response, /*page=*/true);
  std::string_view uri = request.getURI();
  if (uri.substr(0, uri.find('?')) == "/tra-cuu.css") {
    response.set("Cache-Control", "no-cache");
    response.setContentType("text/css; charset=utf-8");
    return response.sendBuffer(kStyleSheet.data(), kStyleSheet.size());
  }
  std::string typed;
  try {
    for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters())
      if (key == "code") typed = value.substr(0, 64);
  } catch (const Poco::Exception&) {
    return SendHtml(response, 400, Page("", "<p>Địa chỉ không hợp lệ / Malformed address</p>\n"));
  }
  if (typed.empty()) return SendHtml(response, 200, Page("", ""));
  if (std::optional<int> wait = Limited(context(), request)) {
    response.setKeepAlive(false);
    response.set("Retry-After", std::to_string(*wait));
    return SendHtml(response, 429,
                    Page(typed, "<p id=\"error\">Quá nhiều lượt tra cứu, thử lại sau " +
                                    std::to_string(*wait) + " giây / Too many lookups; retry in " +
                                    std::to_string(*wait) + " s</p>\n"));
  }
  std::optional<std::string> code = receipt::Normalize(typed);
  if (!code)
    return SendHtml(response, 400,
                    Page(typed,
                         "<p id=\"error\">Mã biên nhận không hợp lệ (dạng Q11-7KXM-42PA) / Not a "
                         "receipt code (like Q11-7KXM-42PA)</p>\n"));
  Result<std::optional<PublicCase>> found = context().store->FindByReceipt(*code);
  if (!found.ok())
    return SendHtml(response, 503,
                    Page(typed,
                         "<p id=\"error\">Máy chủ đang bận, thử lại sau / The server is "
                         "busy; try again later</p>\n"));
  if (!found->has_value())
    return SendHtml(response, 404,
                    Page(typed,
                         "<p id=\"error\">Không tìm thấy phản ánh với mã này / No report "
                         "has this receipt code</p>\n"));
  SendHtml(response, 200, Page(*code, CaseHtml(**found, context().clock_ms())));
}

}  // namespace q11::server
