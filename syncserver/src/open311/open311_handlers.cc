#include "open311/open311_handlers.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <map>
#include <set>

#include "audit/security_audit.h"
#include "auth/rate_limiter.h"
#include "http/client_address.h"
#include "http/guarded_handler.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "http/security_headers.h"
#include "open311/api_keys.h"
#include "open311/form_encoding.h"
#include "open311/open311_answers.h"
#include "open311/open311_document.h"
#include "open311/open311_filer.h"
#include "open311/open311_params.h"
#include "open311/open311_submission.h"
#include "privacy/contact_vault.h"
#include "protocol/receipt_code.h"

namespace q11::server {
namespace {

constexpr std::string_view kRoot = "/open311/";
constexpr std::string_view kPrefix = "/open311/v2/";
// The one jurisdiction this server answers for; a request naming another is a 404.
constexpr std::string_view kJurisdiction = "q11";
constexpr size_t kMaxPostBody = 64 * 1024;

enum class Format { kXml, kJson, kUnknown };
enum class Endpoint {
  kDiscovery,
  kServices,
  kServiceDefinition,
  kRequests,
  kRequest,
  kToken,
  kUpdates,
  kNotFound,
  kBadFormat
};

struct Route {
  Endpoint endpoint = Endpoint::kNotFound;
  Format format = Format::kXml;
  std::string arg;  // service code, request id or token
};

Route ParseRoute(std::string_view path) {
  Route r;
  if (path.substr(0, kPrefix.size()) != kPrefix) return r;
  std::string_view rest = path.substr(kPrefix.size());
  size_t dot = rest.rfind('.');
  std::string_view stem = rest.substr(0, dot);
  std::string_view ext = dot == std::string_view::npos ? "" : rest.substr(dot + 1);
  r.format = ext == "xml" ? Format::kXml : ext == "json" ? Format::kJson : Format::kUnknown;
  size_t slash = stem.find('/');
  std::string_view head = stem.substr(0, slash);
  std::string_view arg = slash == std::string_view::npos ? "" : stem.substr(slash + 1);
  bool has_arg = slash != std::string_view::npos;
  if (has_arg && (arg.empty() || arg.size() > 64 || arg.find('/') != std::string_view::npos))
    return r;
  if (!has_arg && head == "discovery")
    r.endpoint = Endpoint::kDiscovery;
  else if (!has_arg && head == "services")
    r.endpoint = Endpoint::kServices;
  else if (has_arg && head == "services")
    r.endpoint = Endpoint::kServiceDefinition;
  else if (!has_arg && head == "requests")
    r.endpoint = Endpoint::kRequests;
  else if (has_arg && head == "requests")
    r.endpoint = Endpoint::kRequest;
  else if (has_arg && head == "tokens")
    r.endpoint = Endpoint::kToken;
  else if (!has_arg && head == "servicerequestupdates")
    r.endpoint = Endpoint::kUpdates;
  else
    return r;
  r.arg = std::string(arg);
  if (r.format == Format::kUnknown) r.endpoint = Endpoint::kBadFormat;
  return r;
}

class Open311Handler final : public GuardedHandler {
 public:
  Open311Handler(const HandlerContext& context, Route route)
      : GuardedHandler(context), route_(std::move(route)) {}

 protected:
  void Handle(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response) override;

 private:
  void Send(Poco::Net::HTTPServerResponse& response, const Open311Element& body,
            int status = 200) const;
  void SendError(Poco::Net::HTTPServerResponse& response, int status,
                 const std::string& description) const;
  void SendStatus(Poco::Net::HTTPServerResponse& response, const Status& status) const;

  void Discovery(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  void Services(Poco::Net::HTTPServerResponse& response);
  void ServiceDefinition(Poco::Net::HTTPServerResponse& response);
  void Requests(const std::map<std::string, std::string>& params,
                Poco::Net::HTTPServerResponse& response);
  void Token(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  void Updates(const std::map<std::string, std::string>& params,
               Poco::Net::HTTPServerResponse& response);
  void Post(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  Route route_;
};

void Open311Handler::Send(Poco::Net::HTTPServerResponse& response, const Open311Element& body,
                          int status) const {
  std::string text = route_.format == Format::kJson ? body.ToJson() : body.ToXml();
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType(route_.format == Format::kJson ? "application/json; charset=utf-8"
                                                         : "text/xml; charset=utf-8");
  response.setContentLength(static_cast<std::streamsize>(text.size()));
  response.send() << text;
}

void Open311Handler::SendError(Poco::Net::HTTPServerResponse& response, int status,
                               const std::string& description) const {
  Send(response, ErrorAnswer(status, description), status);
}

void Open311Handler::SendStatus(Poco::Net::HTTPServerResponse& response,
                                const Status& status) const {
  // The same mapping as every other endpoint (http_errors.h): a full store is a 503 with
  // nothing applied, an oversized body a 413.
  const int http = HttpStatusFor(status.code());
  SendError(response, http,
            http == 500 ? "server fault / lỗi máy chủ: " + status.message() : status.message());
}

void Open311Handler::Handle(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  // Public data: any page may read it; nothing here is cached (statuses change).
  SetSecurityHeaders(response, /*no_store=*/true);
  response.set("Access-Control-Allow-Origin", "*");
  const std::string& method = request.getMethod();
  const bool post = method == "POST";
  // A body this handler will not read is drained first, so the client reads the answer
  // instead of a connection reset; the connection then closes.
  const bool unread_body =
      (method != "GET" || request.hasContentLength() || request.getChunkedTransferEncoding()) &&
      !(post && route_.endpoint == Endpoint::kRequests);
  if (unread_body) {
    DrainBody(request);
    response.setKeepAlive(false);
  }
  if (context().open311 == nullptr || context().api_keys == nullptr ||
      context().contacts == nullptr) {
    response.setKeepAlive(false);
    return SendError(response, 503, "Open311 is not available here / Open311 chưa sẵn sàng");
  }
  if (route_.endpoint == Endpoint::kNotFound) {
    return SendError(response, 404,
                     "no such Open311 resource: see /open311/v2/discovery.xml / không có tài "
                     "nguyên Open311 này");
  }
  if (route_.endpoint == Endpoint::kBadFormat) {
    return SendError(response, 400,
                     "the format must be .xml or .json / định dạng phải là .xml hoặc .json");
  }
  if (post && route_.endpoint == Endpoint::kRequests) return Post(request, response);
  if (method != "GET") {
    response.set("Allow", route_.endpoint == Endpoint::kRequests ? "GET, POST" : "GET");
    return SendError(
        response, 405,
        "method " + method.substr(0, 16) + " is not allowed here / phương thức không được hỗ trợ");
  }
  std::string_view uri = request.getURI();
  size_t q = uri.find('?');
  Result<std::map<std::string, std::string>> params =
      DecodeForm(q == std::string_view::npos ? std::string_view() : uri.substr(q + 1));
  if (!params.ok()) return SendStatus(response, params.status());
  auto j = params->find("jurisdiction_id");
  if (j != params->end() && !j->second.empty() && j->second != kJurisdiction)
    return SendError(response, 404,
                     "jurisdiction_id not found: this server is '" + std::string(kJurisdiction) +
                         "' / không có jurisdiction_id này");
  switch (route_.endpoint) {
    case Endpoint::kDiscovery:
      return Discovery(request, response);
    case Endpoint::kServices:
      return Services(response);
    case Endpoint::kServiceDefinition:
      return ServiceDefinition(response);
    case Endpoint::kRequests:
    case Endpoint::kRequest:
      return Requests(*params, response);
    case Endpoint::kToken:
      return Token(request, response);
    case Endpoint::kUpdates:
      return Updates(*params, response);
    default:
      return SendError(response, 404, "no such Open311 resource");
  }
}

void Open311Handler::Discovery(Poco::Net::HTTPServerRequest& request,
                               Poco::Net::HTTPServerResponse& response) {
  // The endpoint's own URL from the Host the client used, when it is a plain host[:port].
  std::string host = request.getHost();
  bool plain = !host.empty() && host.size() <= 255;
  for (char c : host)
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == ':' || c == '[' || c == ']');
  Send(response, DiscoveryAnswer(plain ? "http://" + host + "/open311/v2" : "/open311/v2"));
}

void Open311Handler::Services(Poco::Net::HTTPServerResponse& response) {
  Result<std::vector<Open311Service>> services = context().open311->Open311Services();
  if (!services.ok()) return SendStatus(response, services.status());
  Send(response, ServicesAnswer(*services));
}

void Open311Handler::ServiceDefinition(Poco::Net::HTTPServerResponse& response) {
  Result<std::vector<Open311Service>> services = context().open311->Open311Services();
  if (!services.ok()) return SendStatus(response, services.status());
  bool known = false;
  for (const Open311Service& s : *services) known = known || s.code == route_.arg;
  if (!known)
    return SendError(response, 404,
                     "service_code '" + route_.arg + "' not found / không có lĩnh vực này");
  Result<std::vector<Open311Ward>> wards = context().open311->Open311Wards();
  if (!wards.ok()) return SendStatus(response, wards.status());
  Send(response, ServiceDefinitionAnswer(route_.arg, *wards));
}

void Open311Handler::Requests(const std::map<std::string, std::string>& params,
                              Poco::Net::HTTPServerResponse& response) {
  static const std::set<std::string> kKnown = {
      "jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date",
      "status",          "extensions",         "page",         "page_size"};
  for (const auto& [name, value] : params)
    if (!kKnown.count(name))
      return SendError(
          response, 400,
          "unknown parameter '" + name.substr(0, 64) + "' / tham số không được hỗ trợ");
  auto ext = params.find("extensions");
  if (ext != params.end() && ext->second != "true" && ext->second != "false")
    return SendError(response, 400,
                     "extensions must be true or false / extensions phải là true "
                     "hoặc false");
  const bool extensions = ext != params.end() && ext->second == "true";
  Open311RequestFilter filter;
  if (route_.endpoint == Endpoint::kRequest) {
    filter.ids = {route_.arg};
    filter.limit = 1;
  } else {
    Result<std::vector<std::string>> ids = ListParam(params, "service_request_id");
    if (!ids.ok()) return SendStatus(response, ids.status());
    Result<std::vector<std::string>> codes = ListParam(params, "service_code");
    if (!codes.ok()) return SendStatus(response, codes.status());
    Result<std::vector<std::string>> statuses = ListParam(params, "status");
    if (!statuses.ok()) return SendStatus(response, statuses.status());
    filter.ids = *ids;
    if (!codes->empty()) {
      Result<std::vector<Open311Service>> services = context().open311->Open311Services();
      if (!services.ok()) return SendStatus(response, services.status());
      for (const std::string& c : *codes) {
        bool known = false;
        for (const Open311Service& s : *services) known = known || s.code == c;
        if (!known)
          return SendError(response, 400,
                           "service_code '" + c + "' not found / không có lĩnh vực này");
      }
      filter.services = *codes;
    }
    for (const std::string& s : *statuses) {
      if (s != "open" && s != "closed")
        return SendError(response, 400,
                         "status must be open or closed / status phải là open "
                         "hoặc closed");
      for (std::string& d : DetailedStatuses(s)) filter.statuses.push_back(std::move(d));
    }
    // The specification's defaults: the last 90 days unless ids or dates narrow it.
    Status dates =
        ParseDates(params, context().clock_ms(), filter.ids.empty(), &filter.since, &filter.until);
    if (!dates.ok()) return SendStatus(response, dates);
    // GeoReport v2: service_request_id "overrides all other arguments" (once they are valid).
    if (!filter.ids.empty()) {
      filter.services.clear();
      filter.statuses.clear();
      filter.since.clear();
      filter.until.clear();
    }
    Status paging = ParsePaging(params, &filter.limit, &filter.offset);
    if (!paging.ok()) return SendStatus(response, paging);
  }
  Result<std::vector<Open311Request>> found = context().open311->Open311Requests(filter);
  if (!found.ok()) return SendStatus(response, found.status());
  if (route_.endpoint == Endpoint::kRequest && found->empty())
    return SendError(response, 404,
                     "service_request_id '" + route_.arg + "' not found / không có yêu cầu này");
  Send(response, RequestsAnswer(*found, extensions, context().clock_ms()));
}

void Open311Handler::Token(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  // Tokens are receipt codes: limited like the public receipt lookup (guessing codes).
  if (context().limits != nullptr) {
    if (auto wait = context().limits->receipt_by_address.Take(ClientAddress(context(), request),
                                                              context().clock_ms())) {
      response.set("Retry-After", std::to_string(*wait));
      return SendError(response, 429, "too many requests; retry later / quá nhiều yêu cầu");
    }
  }
  std::optional<std::string> code = receipt::Normalize(route_.arg);
  if (!code) return SendError(response, 404, "token not found / không có mã này");
  Result<std::optional<std::string>> id = context().open311->Open311ReportIdByReceipt(*code);
  if (!id.ok()) return SendStatus(response, id.status());
  if (!id->has_value()) return SendError(response, 404, "token not found / không có mã này");
  Send(response, TokenAnswer(**id, *code));
}

void Open311Handler::Updates(const std::map<std::string, std::string>& params,
                             Poco::Net::HTTPServerResponse& response) {
  static const std::set<std::string> kKnown = {"jurisdiction_id",    "start_date", "end_date",
                                               "service_request_id", "page",       "page_size"};
  for (const auto& [name, value] : params)
    if (!kKnown.count(name))
      return SendError(
          response, 400,
          "unknown parameter '" + name.substr(0, 64) + "' / tham số không được hỗ trợ");
  Open311UpdateFilter filter;
  Result<std::vector<std::string>> ids = ListParam(params, "service_request_id");
  if (!ids.ok()) return SendStatus(response, ids.status());
  filter.report_ids = *ids;
  Status dates = ParseDates(params, context().clock_ms(), filter.report_ids.empty(), &filter.since,
                            &filter.until);
  if (!dates.ok()) return SendStatus(response, dates);
  Status paging = ParsePaging(params, &filter.limit, &filter.offset);
  if (!paging.ok()) return SendStatus(response, paging);
  Result<std::vector<Open311Update>> updates = context().open311->Open311Updates(filter);
  if (!updates.ok()) return SendStatus(response, updates.status());
  Send(response, UpdatesAnswer(*updates));
}

void Open311Handler::Post(Poco::Net::HTTPServerRequest& request,
                          Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  const std::string address = ClientAddress(ctx, request);
  const int64_t now_ms = ctx.clock_ms();
  auto limited = [&](RateLimiter& limiter, const std::string& key) {
    std::optional<int> wait = limiter.Take(key, now_ms);
    if (!wait) return false;
    response.set("Retry-After", std::to_string(*wait));
    return true;
  };
  if (ctx.limits != nullptr && limited(ctx.limits->open311_by_address, address)) {
    DrainBody(request);
    response.setKeepAlive(false);
    return SendError(response, 429,
                     "too many requests from this address; retry later / quá "
                     "nhiều yêu cầu từ địa chỉ này");
  }
  // Only forms: GeoReport v2 posts application/x-www-form-urlencoded (no uploads here).
  std::string type = request.getContentType();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type != "application/x-www-form-urlencoded") {
    DrainBody(request);
    response.setKeepAlive(false);
    return SendError(response, 400,
                     "the body must be application/x-www-form-urlencoded / nội dung phải là "
                     "application/x-www-form-urlencoded");
  }
  Result<std::string> body = ReadBody(request, kMaxPostBody);
  if (!body.ok()) {
    response.setKeepAlive(false);
    if (body.status().code() == StatusCode::kResourceExhausted) {
      DrainBody(request);
      return SendError(response, 413, "the body is larger than 64 KiB / nội dung quá 64 KiB");
    }
    if (body.status().code() == StatusCode::kFailedPrecondition)
      return SendError(response, 411, "Content-Length is required / cần Content-Length");
    return SendError(response, 400, "the body ended early / nội dung bị cắt");
  }
  Result<std::map<std::string, std::string>> form = DecodeForm(*body);
  if (!form.ok()) return SendStatus(response, form.status());
  // The key first: without a valid one nothing else is judged (GeoReport v2: 403).
  auto key = form->find("api_key");
  Result<std::optional<std::string>> client =
      key == form->end() ? std::optional<std::string>() : ctx.api_keys->Check(key->second);
  if (!client.ok()) return SendStatus(response, client.status());
  if (!client->has_value())
    return SendError(response, 403,
                     key == form->end() ? "api_key is required / thiếu api_key"
                                        : "api_key is not valid / api_key không hợp lệ");
  const std::string& client_name = **client;
  if (ctx.limits != nullptr && limited(ctx.limits->open311_by_key, client_name))
    return SendError(response, 429,
                     "too many requests for this api_key; retry later / quá "
                     "nhiều yêu cầu với khóa này");
  auto j = form->find("jurisdiction_id");
  if (j != form->end() && !j->second.empty() && j->second != kJurisdiction)
    return SendError(response, 404, "jurisdiction_id not found / không có jurisdiction_id này");
  form->erase("api_key");
  form->erase("jurisdiction_id");
  Result<std::vector<Open311Service>> services = ctx.open311->Open311Services();
  if (!services.ok()) return SendStatus(response, services.status());
  Result<std::vector<Open311Ward>> wards = ctx.open311->Open311Wards();
  if (!wards.ok()) return SendStatus(response, wards.status());
  Result<Open311Submission> submission = ParseOpen311Submission(*form, *services, *wards);
  if (!submission.ok()) return SendStatus(response, submission.status());
  Result<FiledRequest> filed = FileOpen311Request(*ctx.store, *ctx.contacts, *submission, now_ms);
  if (!filed.ok()) return SendStatus(response, filed.status());
  const bool contact = !submission->email.empty() || !submission->phone.empty() ||
                       !submission->first_name.empty() || !submission->last_name.empty();
  AuditIfEnabled(ctx.audit, "apikey:" + client_name, "open311.request",
                 "report/" + filed->report_id,
                 AuditDetails({{"address", address},
                               {"account", filed->account_name},
                               {"contact", contact ? "sealed" : "none"}}));
  Result<std::optional<std::pair<std::string, std::string>>> stamps =
      ctx.open311->Open311Stamps(filed->report_id);
  if (!stamps.ok()) return SendStatus(response, stamps.status());
  std::string receipt = stamps->has_value() ? (*stamps)->first : "";
  std::string due = stamps->has_value() ? (*stamps)->second : "";
  Send(response, PostAnswer(filed->report_id, receipt, due), 201);
}

}  // namespace

Poco::Net::HTTPRequestHandler* RouteOpen311(const HandlerContext& context, std::string_view path,
                                            const std::string& method) {
  (void)method;  // the handler answers wrong methods in the Open311 error format
  if (path.substr(0, kRoot.size()) != kRoot && path != "/open311") return nullptr;
  return new Open311Handler(context, ParseRoute(path));
}

}  // namespace q11::server