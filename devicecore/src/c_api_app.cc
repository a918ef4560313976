// The C API for apps' screens (devicecore.h, "APPS"): JSON in, JSON out, so a binding (the
// web app's worker, a native app) passes one string each way. Same shell as c_api.cc.
#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "c_api_shell.h"
#include "devicecore/database.h"
#include "devicecore/devicecore.h"
#include "devicecore/json.h"
#include "devicecore/sync.h"
#include "protocol/json_value.h"
#include "status_macros.h"

namespace {

using namespace q11::capi;
using q11::InvalidArgument;
using q11::Result;
using q11::json::Value;

// An app's JSON object argument, read field by field: unknown keys and wrong types are
// refused with a message naming the field, so a typo never silently drops a value.
class JsonArgument {
 public:
  // `what` names the argument in messages ("the report").
  static Result<JsonArgument> Parse(const char* text, std::string_view what,
                                    std::initializer_list<std::string_view> keys) {
    Result<Value> v = q11::json::Parse(text != nullptr ? text : "{}");
    if (!v.ok())
      return InvalidArgument(std::string(what) + " is not valid JSON / không phải JSON hợp lệ: " +
                             v.status().message());
    if (!v->is_object())
      return InvalidArgument(std::string(what) + " must be a JSON object / phải là đối tượng JSON");
    for (const auto& [key, value] : v->object()) {
      bool known = false;
      for (std::string_view k : keys) known = known || k == key;
      if (!known)
        return InvalidArgument(std::string(what) + " has an unknown field \"" + key +
                               "\" / trường không hợp lệ");
    }
    return JsonArgument(std::move(*v));
  }

  // The text field `key`; nullopt when absent or null.
  Result<std::optional<std::string>> Text(std::string_view key) const {
    const Value* v = value_.Find(key);
    if (v == nullptr || v->is_null()) return std::optional<std::string>();
    if (!v->is_string()) return WrongType(key, "text");
    return std::optional<std::string>(v->string());
  }
  Result<std::optional<double>> Number(std::string_view key) const {
    const Value* v = value_.Find(key);
    if (v == nullptr || v->is_null()) return std::optional<double>();
    if (!v->is_number()) return WrongType(key, "a number");
    return v->ToDouble();
  }
  Result<bool> Flag(std::string_view key) const {
    const Value* v = value_.Find(key);
    if (v == nullptr || v->is_null()) return false;
    if (!v->is_bool()) return WrongType(key, "true or false");
    return v->boolean();
  }

 private:
  explicit JsonArgument(Value v) : value_(std::move(v)) {}
  static q11::Status WrongType(std::string_view key, std::string_view type) {
    return InvalidArgument("field \"" + std::string(key) + "\" must be " + std::string(type) +
                           " / trường \"" + std::string(key) + "\" sai kiểu");
  }
  Value value_;
};

// The transport to the server of the account logged in; kUnauthenticated when nobody is.
Result<std::unique_ptr<q11::device::Transport>> ConnectToAccount(q11::device::Database& db,
                                                                 int timeout_ms) {
  Result<q11::device::Account> account = db.GetAccount();
  if (!account.ok()) {
    if (account.status().code() == q11::StatusCode::kNotFound)
      return q11::Unauthenticated("not logged in: run q11 login");
    return account.status();
  }
  return Connect(account->server_url, account->server_ca_pem, timeout_ms);
}

// The C code for `s`, with q11_errmsg set as the error rule says.
int Finish(q11_db* db, const q11::Status& s) { return s.ok() ? Ok(db) : Fail(db, s); }

// Runs `make` (returning Result<std::string>) and hands its text out through *pzOut.
template <typename Make>
int JsonOut(q11_db* db, const char* misuse_open, const char* misuse_null, char** pzOut, Make make) {
  if (!Usable(db)) return Misuse(db, misuse_open);
  if (pzOut == nullptr) return Misuse(db, misuse_null);
  *pzOut = nullptr;
  return Guard(db, [&] {
    Result<std::string> text = make();
    if (!text.ok()) return Fail(db, text.status());
    *pzOut = Dup(*text);
    return Ok(db);
  });
}

}  // namespace

extern "C" {

int q11_report_new_v2(q11_db* db, const char* zJson, char** pzId) {
  return JsonOut(
      db, "q11_report_new_v2: database not open", "q11_report_new_v2: NULL argument",
      zJson != nullptr ? pzId : nullptr, [&]() -> Result<std::string> {
        Q11_ASSIGN_OR_RETURN(JsonArgument in,
                             JsonArgument::Parse(zJson, "the report",
                                                 {"kind", "category", "ward", "title",
                                                  "description", "lat", "lon", "address"}));
        q11::device::NewReport r;
        Q11_ASSIGN_OR_RETURN(std::optional<std::string> kind, in.Text("kind"));
        if (kind) r.kind = *kind;
        for (auto [key, member] :
             {std::pair{"category", &q11::device::NewReport::category_id},
              std::pair{"ward", &q11::device::NewReport::ward_id},
              std::pair{"title", &q11::device::NewReport::title},
              std::pair{"description", &q11::device::NewReport::description}}) {
          Q11_ASSIGN_OR_RETURN(std::optional<std::string> text, in.Text(key));
          r.*member = text.value_or("");
        }
        // The server refuses a report without one (1-5000 bytes): say so now,
        // not as a rejection after the next sync.
        if (r.description.empty())
          return InvalidArgument("\"description\" is required / cần nhập nội dung phản ánh");
        Q11_ASSIGN_OR_RETURN(r.lat, in.Number("lat"));
        Q11_ASSIGN_OR_RETURN(r.lon, in.Number("lon"));
        if (r.lat.has_value() != r.lon.has_value())
          return InvalidArgument(
              "give both \"lat\" and \"lon\", or neither / cần cả vĩ độ và kinh độ");
        Q11_ASSIGN_OR_RETURN(std::optional<std::string> address, in.Text("address"));
        if (address && !address->empty()) r.address = *address;
        return db->db->FileReport(r);
      });
}

int q11_reference_json(q11_db* db, char** pzJson) {
  return JsonOut(db, "q11_reference_json: database not open", "q11_reference_json: NULL argument",
                 pzJson, [&]() -> Result<std::string> {
                   Q11_ASSIGN_OR_RETURN(auto units, db->db->ListUnits());
                   Q11_ASSIGN_OR_RETURN(auto categories, db->db->ListCategories());
                   Q11_ASSIGN_OR_RETURN(auto templates, db->db->ListTemplates(""));
                   return q11::device::ReferenceToJson(units, categories, templates);
                 });
}

int q11_account_json(q11_db* db, char** pzJson) {
  return JsonOut(db, "q11_account_json: database not open", "q11_account_json: NULL argument",
                 pzJson, [&]() -> Result<std::string> {
                   Q11_ASSIGN_OR_RETURN(q11::device::Account account, db->db->GetAccount());
                   return q11::device::AccountToJson(account);
                 });
}

int q11_report_find_json(q11_db* db, const char* zFilterJson, char** pzJson) {
  return JsonOut(
      db, "q11_report_find_json: database not open", "q11_report_find_json: NULL argument", pzJson,
      [&]() -> Result<std::string> {
        Q11_ASSIGN_OR_RETURN(JsonArgument in, JsonArgument::Parse(zFilterJson, "the filter",
                                                                  {"status", "ward", "category",
                                                                   "overdue", "search", "order"}));
        q11::device::ReportFilter f;
        for (auto [key, member] : {std::pair{"status", &q11::device::ReportFilter::status},
                                   std::pair{"ward", &q11::device::ReportFilter::ward_id},
                                   std::pair{"category", &q11::device::ReportFilter::category_id},
                                   std::pair{"search", &q11::device::ReportFilter::search}}) {
          Q11_ASSIGN_OR_RETURN(std::optional<std::string> text, in.Text(key));
          f.*member = text.value_or("");
        }
        Q11_ASSIGN_OR_RETURN(f.overdue, in.Flag("overdue"));
        Q11_ASSIGN_OR_RETURN(std::optional<std::string> order, in.Text("order"));
        if (!order || *order == "deadline")
          f.order = q11::device::ReportFilter::Order::kByDeadline;
        else if (*order == "newest")
          f.order = q11::device::ReportFilter::Order::kNewestFirst;
        else
          return InvalidArgument("\"order\" must be \"deadline\" or \"newest\", not \"" + *order +
                                 "\"");
        Q11_ASSIGN_OR_RETURN(auto reports, db->db->FindReports(f));
        return q11::device::ReportsToJson(reports);
      });
}

int q11_resolve_report_id(q11_db* db, const char* zText, char** pzId) {
  return JsonOut(db, "q11_resolve_report_id: database not open",
                 "q11_resolve_report_id: NULL argument", zText != nullptr ? pzId : nullptr,
                 [&] { return db->db->ResolveReportId(zText); });
}

int q11_case_duplicate(q11_db* db, const char* zId, const char* zOriginal, const char* zNote) {
  if (!Usable(db)) return Misuse(db, "q11_case_duplicate: database not open");
  if (zId == nullptr || zOriginal == nullptr)
    return Misuse(db, "q11_case_duplicate: NULL argument");
  return Guard(db, [&] {
    return Finish(db, [&]() -> q11::Status {
      Q11_ASSIGN_OR_RETURN(std::string original, db->db->ResolveReportId(zOriginal));
      return db->db->MarkDuplicate(zId, original, Str(zNote));
    }());
  });
}

int q11_case_comment(q11_db* db, const char* zId, const char* zNote, char** pzEventId) {
  if (!Usable(db)) return Misuse(db, "q11_case_comment: database not open");
  if (zId == nullptr || zNote == nullptr) return Misuse(db, "q11_case_comment: NULL argument");
  if (pzEventId != nullptr) *pzEventId = nullptr;
  return Guard(db, [&] {
    Result<std::string> event = db->db->AddComment(zId, zNote);
    if (!event.ok()) return Fail(db, event.status());
    if (pzEventId != nullptr) *pzEventId = Dup(*event);
    return Ok(db);
  });
}

int q11_outbox_json(q11_db* db, char** pzJson) {
  return JsonOut(db, "q11_outbox_json: database not open", "q11_outbox_json: NULL argument", pzJson,
                 [&]() -> Result<std::string> {
                   Q11_ASSIGN_OR_RETURN(auto entries, db->db->Outbox());
                   return q11::device::OutboxToJson(entries);
                 });
}

int q11_settled_json(q11_db* db, char** pzJson) {
  return JsonOut(db, "q11_settled_json: database not open", "q11_settled_json: NULL argument",
                 pzJson, [&]() -> Result<std::string> {
                   Q11_ASSIGN_OR_RETURN(auto settled, db->db->SettledChanges());
                   return q11::device::SettledToJson(settled);
                 });
}

int q11_settled_discard(q11_db* db, int64_t nSeq) {
  if (!Usable(db)) return Misuse(db, "q11_settled_discard: database not open");
  return Guard(db, [&] { return Finish(db, db->db->DiscardSettled(nSeq)); });
}

int q11_wait_request_json(q11_db* db, int timeoutSeconds, char** pzJson) {
  return JsonOut(db, "q11_wait_request_json: database not open",
                 "q11_wait_request_json: NULL argument", pzJson, [&]() -> Result<std::string> {
                   Q11_ASSIGN_OR_RETURN(auto transport, ConnectToAccount(*db->db, 0));
                   Q11_ASSIGN_OR_RETURN(
                       q11::device::WaitRequest request,
                       q11::device::MakeWaitRequest(*db->db, *transport, timeoutSeconds));
                   return q11::device::WaitRequestToJson(request);
                 });
}

int q11_wait_for_changes(q11_db* db, int timeoutSeconds, int* pChanged) {
  if (!Usable(db)) return Misuse(db, "q11_wait_for_changes: database not open");
  if (pChanged == nullptr) return Misuse(db, "q11_wait_for_changes: NULL argument");
  return Guard(db, [&] {
    // The server may hold the request the whole time: the socket must wait longer.
    Result<std::unique_ptr<q11::device::Transport>> transport =
        ConnectToAccount(*db->db, (std::max(0, timeoutSeconds) + 15) * 1000);
    if (!transport.ok()) return Fail(db, transport.status());
    Result<bool> changed = q11::device::WaitForChanges(*db->db, **transport, timeoutSeconds);
    if (!changed.ok()) return Fail(db, changed.status());
    *pChanged = *changed ? 1 : 0;
    return Ok(db);
  });
}

}  // extern "C"
