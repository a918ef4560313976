#include "devicecore/public_cases.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include "database_impl.h"
#include "server_call.h"
#include "status_macros.h"
#include "token_refresh.h"

namespace q11::device {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// A text field, "" for null or absent; anything else (a number, an object) is malformed.
std::string Text(const Object& o, const std::string& key) {
  if (!o.has(key) || o.isNull(key)) return "";
  Poco::Dynamic::Var v = o.get(key);
  if (!v.isString()) throw Poco::DataFormatException("field " + key + " is not text");
  return v.extract<std::string>();
}

// {"id","name_vi","name_en"} or null.
void Named(const Object& o, const std::string& key, std::string& id, std::string& vi,
           std::string& en) {
  if (!o.has(key) || o.isNull(key)) return;
  Object::Ptr named = o.getObject(key);
  if (!named) throw Poco::DataFormatException("field " + key + " is not an object");
  id = Text(*named, "id");
  vi = Text(*named, "name_vi");
  en = Text(*named, "name_en");
}

PublicCase ParseCase(const Object& o) {
  PublicCase c;
  c.receipt_code = Text(o, "receipt_code");
  c.status = Text(o, "status");
  if (c.status.empty()) throw Poco::DataFormatException("a report without a status");
  c.status_vi = Text(o, "status_vi");
  c.status_en = Text(o, "status_en");
  Named(o, "category", c.category_id, c.category_vi, c.category_en);
  Named(o, "ward", c.ward_id, c.ward_vi, c.ward_en);
  Named(o, "assigned_unit", c.unit_id, c.unit_vi, c.unit_en);
  c.created_at = Text(o, "created_at");
  c.received_at = Text(o, "received_at");
  c.due_at = Text(o, "due_at");
  c.expected_at = Text(o, "expected_at");
  c.resolved_at = Text(o, "resolved_at");
  c.updated_at = Text(o, "updated_at");
  c.duplicate_of = Text(o, "duplicate_of");
  c.overdue = o.optValue<bool>("overdue", false);
  if (Array::Ptr history = o.getArray("history")) {
    for (size_t i = 0; i < history->size(); ++i) {
      Object::Ptr step = history->getObject(static_cast<unsigned>(i));
      if (!step) throw Poco::DataFormatException("a history step is not an object");
      c.history.push_back(
          {Text(*step, "at"), Text(*step, "kind"), Text(*step, "status"), Text(*step, "note")});
    }
  }
  return c;
}

// Runs `parse` on the reply's JSON object; any surprise in it is kDataLoss.
template <typename T, typename Parse>
Result<T> ParseReply(const HttpReply& reply, Parse parse) {
  try {
    Poco::JSON::Parser parser;
    Object::Ptr root = parser.parse(reply.body).extract<Object::Ptr>();
    if (!root) throw Poco::DataFormatException("not a JSON object");
    return parse(*root);
  } catch (const Poco::Exception& e) {
    return DataLoss("malformed answer from the server / máy chủ trả lời sai dạng: " +
                    e.displayText());
  } catch (const std::exception& e) {
    return DataLoss(std::string("malformed answer from the server / máy chủ trả lời sai dạng: ") +
                    e.what());
  }
}

}  // namespace

Result<std::vector<PublicCase>> BrowseWardReports(Database& database, Transport& transport,
                                                  const std::string& ward, int limit, int offset) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr)
    return InvalidArgument("BrowseWardReports needs a Database made by Database::Open");
  Q11_ASSIGN_OR_RETURN(Account account, SignedIn(*db, transport));
  std::string query;
  Poco::URI::encode(ward, "&=+#?/", query);
  HttpRequest r;
  r.path = "/v1/public/reports?ward=" + query + "&limit=" + std::to_string(limit) +
           "&offset=" + std::to_string(offset);
  r.bearer = account.token;
  // A rate-limited browse is not retried: waiting is the user's call, and the message
  // says how long.
  RetryPolicy policy;
  policy.retry_rate_limited = false;
  Q11_ASSIGN_OR_RETURN(HttpReply reply, SendWithRetry(transport, db->env(), r, policy, nullptr));
  return ParseReply<std::vector<PublicCase>>(reply, [](const Object& root) {
    Array::Ptr reports = root.getArray("reports");
    if (!reports) throw Poco::DataFormatException("no reports list");
    std::vector<PublicCase> out;
    for (size_t i = 0; i < reports->size(); ++i) {
      Object::Ptr o = reports->getObject(static_cast<unsigned>(i));
      if (!o) throw Poco::DataFormatException("a report is not an object");
      out.push_back(ParseCase(*o));
    }
    return out;
  });
}

Result<PublicCase> LookupReceipt(Transport& transport, Env& env, const std::string& code) {
  if (code.empty() || code.size() > 64)
    return InvalidArgument("not a receipt code (like Q11-7KXM-42PA) / mã biên nhận không hợp lệ");
  std::string escaped;
  Poco::URI::encode(code, "&=+#?/", escaped);
  HttpRequest r;
  r.path = "/public/receipts/" + escaped;
  RetryPolicy policy;
  policy.retry_rate_limited = false;
  Q11_ASSIGN_OR_RETURN(HttpReply reply, SendWithRetry(transport, env, r, policy, nullptr));
  return ParseReply<PublicCase>(reply, ParseCase);
}

}  // namespace q11::device
