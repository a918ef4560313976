#include "devicecore/public_cases.h"

#include <cctype>

#include "database_impl.h"
#include "protocol/json_value.h"
#include "server_call.h"
#include "status_macros.h"
#include "token_refresh.h"

namespace q11::device {
namespace {

using json::Value;

// The server's answer did not have the expected shape: what was wrong, for the message.
Status Malformed(std::string what) { return InvalidArgument(std::move(what)); }

// A text field, "" for null or absent; anything else (a number, an object) is malformed.
Result<std::string> Text(const Value& o, std::string_view key) {
  const Value* v = o.Find(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return Malformed("field " + std::string(key) + " is not text");
  return v->string();
}

// {"id","name_vi","name_en"} or null.
Status Named(const Value& o, std::string_view key, std::string& id, std::string& vi,
             std::string& en) {
  const Value* named = o.Find(key);
  if (named == nullptr || named->is_null()) return Status::Ok();
  if (!named->is_object()) return Malformed("field " + std::string(key) + " is not an object");
  Q11_ASSIGN_OR_RETURN(id, Text(*named, "id"));
  Q11_ASSIGN_OR_RETURN(vi, Text(*named, "name_vi"));
  Q11_ASSIGN_OR_RETURN(en, Text(*named, "name_en"));
  return Status::Ok();
}

Result<PublicCase> ParseCase(const Value& o) {
  if (!o.is_object()) return Malformed("a report is not an object");
  PublicCase c;
  Q11_ASSIGN_OR_RETURN(c.receipt_code, Text(o, "receipt_code"));
  Q11_ASSIGN_OR_RETURN(c.status, Text(o, "status"));
  if (c.status.empty()) return Malformed("a report without a status");
  Q11_ASSIGN_OR_RETURN(c.status_vi, Text(o, "status_vi"));
  Q11_ASSIGN_OR_RETURN(c.status_en, Text(o, "status_en"));
  Q11_RETURN_IF_ERROR(Named(o, "category", c.category_id, c.category_vi, c.category_en));
  Q11_RETURN_IF_ERROR(Named(o, "ward", c.ward_id, c.ward_vi, c.ward_en));
  Q11_RETURN_IF_ERROR(Named(o, "assigned_unit", c.unit_id, c.unit_vi, c.unit_en));
  for (auto [key, member] : {std::pair{"created_at", &PublicCase::created_at},
                             std::pair{"received_at", &PublicCase::received_at},
                             std::pair{"due_at", &PublicCase::due_at},
                             std::pair{"expected_at", &PublicCase::expected_at},
                             std::pair{"resolved_at", &PublicCase::resolved_at},
                             std::pair{"updated_at", &PublicCase::updated_at},
                             std::pair{"duplicate_of", &PublicCase::duplicate_of}}) {
    Q11_ASSIGN_OR_RETURN(c.*member, Text(o, key));
  }
  const Value* overdue = o.Find("overdue");
  if (overdue != nullptr && !overdue->is_null() && !overdue->is_bool())
    return Malformed("field overdue is not true or false");
  c.overdue = overdue != nullptr && overdue->is_bool() && overdue->boolean();
  const Value* history = o.Find("history");
  if (history != nullptr && !history->is_null()) {
    if (!history->is_array()) return Malformed("field history is not a list");
    for (const Value& step : history->array()) {
      if (!step.is_object()) return Malformed("a history step is not an object");
      PublicStep s;
      Q11_ASSIGN_OR_RETURN(s.at, Text(step, "at"));
      Q11_ASSIGN_OR_RETURN(s.kind, Text(step, "kind"));
      Q11_ASSIGN_OR_RETURN(s.status, Text(step, "status"));
      Q11_ASSIGN_OR_RETURN(s.note, Text(step, "note"));
      c.history.push_back(std::move(s));
    }
  }
  return c;
}

// Runs `parse` on the reply's JSON object; any surprise in it is kDataLoss.
template <typename T, typename Parse>
Result<T> ParseReply(const HttpReply& reply, Parse parse) {
  const std::string prefix = "malformed answer from the server / máy chủ trả lời sai dạng: ";
  Result<Value> root = json::Parse(reply.body);
  if (!root.ok()) return DataLoss(prefix + root.status().message());
  if (!root->is_object()) return DataLoss(prefix + "not a JSON object");
  Result<T> out = parse(*root);
  if (!out.ok()) return DataLoss(prefix + out.status().message());
  return out;
}

// `text` for a URL's query or path segment: everything but A-Z a-z 0-9 - _ . ~ as %XX.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 && c < 0x80) {
      out += ch;
    } else if (c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

Result<std::vector<PublicCase>> BrowseWardReports(Database& database, Transport& transport,
                                                  const std::string& ward, int limit, int offset) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr)
    return InvalidArgument("BrowseWardReports needs a Database made by Database::Open");
  Q11_ASSIGN_OR_RETURN(Account account, SignedIn(*db, transport));
  const std::string query = PercentEncode(ward);
  HttpRequest r;
  r.path = "/v1/public/reports?ward=" + query + "&limit=" + std::to_string(limit) +
           "&offset=" + std::to_string(offset);
  r.bearer = account.token;
  // A rate-limited browse is not retried: waiting is the user's call, and the message
  // says how long.
  RetryPolicy policy;
  policy.retry_rate_limited = false;
  Q11_ASSIGN_OR_RETURN(HttpReply reply, SendWithRetry(transport, db->env(), r, policy, nullptr));
  return ParseReply<std::vector<PublicCase>>(
      reply, [](const Value& root) -> Result<std::vector<PublicCase>> {
        const Value* reports = root.Find("reports");
        if (reports == nullptr || !reports->is_array()) return Malformed("no reports list");
        std::vector<PublicCase> out;
        for (const Value& o : reports->array()) {
          Q11_ASSIGN_OR_RETURN(PublicCase c, ParseCase(o));
          out.push_back(std::move(c));
        }
        return out;
      });
}

Result<PublicCase> LookupReceipt(Transport& transport, Env& env, const std::string& code) {
  if (code.empty() || code.size() > 64)
    return InvalidArgument("not a receipt code (like Q11-7KXM-42PA) / mã biên nhận không hợp lệ");
  const std::string escaped = PercentEncode(code);
  HttpRequest r;
  r.path = "/public/receipts/" + escaped;
  RetryPolicy policy;
  policy.retry_rate_limited = false;
  Q11_ASSIGN_OR_RETURN(HttpReply reply, SendWithRetry(transport, env, r, policy, nullptr));
  return ParseReply<PublicCase>(reply, ParseCase);
}

}  // namespace q11::device
