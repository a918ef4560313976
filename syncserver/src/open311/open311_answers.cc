#include "open311/open311_answers.h"

#include "open311/open311_time.h"
#include "protocol/ids.h"
#include "protocol/workflow.h"

namespace q11::server {
namespace {

std::string T(const std::string& stored) { return FormatOpen311Time(stored); }

Open311Element RequestElement(const Open311Request& r, bool extensions, int64_t now_ms) {
  const std::string agency = !r.unit_vi.empty() ? r.unit_vi : r.ward_vi;
  Open311Element o = Open311Element::Object("request");
  o.Text("service_request_id", r.id)
      .Text("status", ProjectedStatus(r.status))
      .Text("status_notes", r.status_note)
      .Text("service_name", r.category_vi)
      .Text("service_code", r.category_id)
      .Text("description", "")
      .Text("agency_responsible", agency)
      .Text("service_notice", "")
      .Text("requested_datetime", T(r.requested_at))
      .Text("updated_datetime", T(r.updated_at))
      .Text("expected_datetime", T(r.expected_at.empty() ? r.due_at : r.expected_at))
      .Text("address", r.ward_vi.empty() ? "" : r.ward_vi + ", Quận 11")
      .Text("address_id", "")
      .Text("zipcode", "")
      .Text("lat", "")
      .Text("long", "")
      .Text("media_url", "");
  if (extensions) {
    std::optional<int64_t> deadline = ParseUtc(r.expected_at.empty() ? r.due_at : r.expected_at);
    bool overdue = workflow::IsOpen(r.status) && deadline && now_ms > *deadline;
    o.Add(Open311Element::Object("extended_attributes")
              .Text("status_detail", r.status)
              .Text("status_vi", std::string(workflow::StatusNameVi(r.status)))
              .Text("status_en", std::string(workflow::StatusNameEn(r.status)))
              .Text("kind", r.kind)
              .Text("service_name_en", r.category_en)
              .Text("ward_id", r.ward_id)
              .Text("ward_vi", r.ward_vi)
              .Text("ward_en", r.ward_en)
              .Text("unit_id", r.unit_id)
              .Text("unit_vi", r.unit_vi)
              .Text("unit_en", r.unit_en)
              .Text("created_datetime", T(r.created_at))
              .Text("deadline_datetime", T(r.due_at))
              .Text("expected_completion_datetime", T(r.expected_at))
              .Text("resolved_datetime", T(r.resolved_at))
              .Bool("overdue", overdue)
              .Text("duplicate_of", r.duplicate_of));
  }
  return o;
}

}  // namespace

std::string_view ProjectedStatus(std::string_view status) {
  return workflow::IsOpen(status) ? "open" : "closed";
}

std::vector<std::string> DetailedStatuses(std::string_view projected) {
  std::vector<std::string> out;
  for (std::string_view s : {"new", "accepted", "assigned", "in_progress", "reopened", "resolved",
                             "closed", "rejected", "duplicate"})
    if (ProjectedStatus(s) == projected) out.emplace_back(s);
  return out;
}

Open311Element DiscoveryAnswer(const std::string& endpoint_url) {
  constexpr const char* kChangeset = "2026-11-27T00:00:00+07:00";
  Open311Element formats = Open311Element::List("formats", "format");
  formats.Text("", "text/xml").Text("", "application/json");
  Open311Element endpoint = Open311Element::Object("endpoint");
  endpoint.Text("specification", "http://wiki.open311.org/GeoReport_v2")
      .Text("url", endpoint_url)
      .Text("changeset", kChangeset)
      .Text("type", "production")
      .Add(std::move(formats));
  Open311Element endpoints = Open311Element::List("endpoints", "endpoint");
  endpoints.Add(std::move(endpoint));
  Open311Element d = Open311Element::Object("discovery");
  d.Text("changeset", kChangeset)
      .Text("contact",
            "Quận 11 – trực tuyến, UBND Quận 11, Thành phố Hồ Chí Minh. Extensions: "
            "extensions=true, page/page_size, servicerequestupdates (docs/open311.md)")
      .Text("key_service",
            "API keys are issued by the district's administrators / khóa API do quản trị viên "
            "của Quận 11 cấp")
      .Add(std::move(endpoints));
  return d;
}

Open311Element ServicesAnswer(const std::vector<Open311Service>& services) {
  Open311Element list = Open311Element::List("services", "service");
  for (const Open311Service& s : services) {
    std::string time = s.deadline_amount > 0 ? std::to_string(s.deadline_amount) +
                                                   (s.deadline_unit == "working_days"
                                                        ? " ngày làm việc / working days"
                                                        : " giờ làm việc / working hours")
                                             : std::to_string(s.deadline_hours) + " giờ / hours";
    list.Add(Open311Element::Object("service")
                 .Text("service_code", s.code)
                 .Text("service_name", s.name_vi)
                 .Text("description", s.name_en + ". Thời hạn xử lý / handling time: " + time +
                                          ". Đơn vị / unit: " + s.unit_vi)
                 .Bool("metadata", true)  // every service asks for the ward
                 .Text("type", "realtime")
                 .Text("keywords", s.name_en)
                 .Text("group", s.level));
  }
  return list;
}

Open311Element ServiceDefinitionAnswer(const std::string& code,
                                       const std::vector<Open311Ward>& wards) {
  Open311Element ward_values = Open311Element::List("values", "value");
  for (const Open311Ward& w : wards)
    ward_values.Add(Open311Element::Object("value")
                        .Text("key", w.id)
                        .Text("name", w.name_vi + " / " + w.name_en));
  Open311Element kind_values = Open311Element::List("values", "value");
  kind_values.Add(
      Open311Element::Object("value").Text("key", "phan_anh").Text("name", "Phản ánh / a problem"));
  kind_values.Add(
      Open311Element::Object("value").Text("key", "gop_y").Text("name", "Góp ý / a suggestion"));
  Open311Element attributes = Open311Element::List("attributes", "attribute");
  attributes.Add(Open311Element::Object("attribute")
                     .Bool("variable", true)
                     .Text("code", "ward")
                     .Text("datatype", "singlevaluelist")
                     .Bool("required", true)
                     .Text("datatype_description", "Mã phường / a ward id, p01-p16")
                     .Number("order", "1")
                     .Text("description", "Phường nơi xảy ra sự việc / the ward where it is")
                     .Add(std::move(ward_values)));
  attributes.Add(Open311Element::Object("attribute")
                     .Bool("variable", true)
                     .Text("code", "kind")
                     .Text("datatype", "singlevaluelist")
                     .Bool("required", false)
                     .Text("datatype_description", "phan_anh (mặc định / default) | gop_y")
                     .Number("order", "2")
                     .Text("description", "Loại / kind")
                     .Add(std::move(kind_values)));
  attributes.Add(Open311Element::Object("attribute")
                     .Bool("variable", true)
                     .Text("code", "title")
                     .Text("datatype", "string")
                     .Bool("required", false)
                     .Text("datatype_description", "≤ 200 byte / bytes")
                     .Number("order", "3")
                     .Text("description", "Tiêu đề / a short title"));
  Open311Element def = Open311Element::Object("service_definition");
  def.Text("service_code", code).Add(std::move(attributes));
  return def;
}

Open311Element RequestsAnswer(const std::vector<Open311Request>& requests, bool extensions,
                              int64_t now_ms) {
  Open311Element list = Open311Element::List("service_requests", "request");
  for (const Open311Request& r : requests) list.Add(RequestElement(r, extensions, now_ms));
  return list;
}

Open311Element TokenAnswer(const std::string& request_id, const std::string& token) {
  Open311Element list = Open311Element::List("service_requests", "request");
  list.Add(Open311Element::Object("request")
               .Text("service_request_id", request_id)
               .Text("token", token));
  return list;
}

Open311Element UpdatesAnswer(const std::vector<Open311Update>& updates) {
  // mySociety's format: service_requests_updates of request_update.
  Open311Element list = Open311Element::List("service_requests_updates", "request_update");
  for (const Open311Update& u : updates) {
    // A status event carries the status it set; other staff events the report's status
    // then current (assignments, progress and results do not change it).
    const std::string status = u.kind == "status" && !u.status.empty() ? u.status : u.report_status;
    list.Add(Open311Element::Object("request_update")
                 .Text("update_id", u.id)
                 .Text("service_request_id", u.report_id)
                 .Text("status", ProjectedStatus(status))
                 .Text("external_status_code", status)
                 .Text("updated_datetime", T(u.at))
                 .Text("description", u.note)
                 .Text("media_url", ""));
  }
  return list;
}

Open311Element PostAnswer(const std::string& request_id, const std::string& receipt_code,
                          const std::string& due_utc) {
  Open311Element list = Open311Element::List("service_requests", "request");
  list.Add(Open311Element::Object("request")
               .Text("service_request_id", request_id)
               .Text("token", receipt_code)
               .Text("service_notice", "Mã biên nhận / receipt: " + receipt_code +
                                           ". Hạn xử lý / deadline: " + T(due_utc) +
                                           ". Tra cứu / follow it: /tra-cuu?code=" + receipt_code)
               .Text("account_id", ""));
  return list;
}

Open311Element ErrorAnswer(int http_status, const std::string& description) {
  Open311Element errors = Open311Element::List("errors", "error");
  errors.Add(Open311Element::Object("error")
                 .Number("code", std::to_string(http_status))
                 .Text("description", description));
  return errors;
}

}  // namespace q11::server
