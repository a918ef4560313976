#include "conflicts/conflict_json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace q11::server {
namespace {

Poco::Dynamic::Var Json(const FieldValue& f) {
  switch (f.type) {
    case FieldValue::Type::kInteger:
      return Poco::Dynamic::Var(static_cast<Poco::Int64>(f.i));
    case FieldValue::Type::kReal:
      return Poco::Dynamic::Var(f.r);
    case FieldValue::Type::kText:
      return Poco::Dynamic::Var(f.s);
    default:
      return Poco::Dynamic::Var();  // null
  }
}

Poco::Dynamic::Var OrNull(const std::string& s) {
  return s.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s);
}

Poco::JSON::Object SummaryObject(const ConflictSummary& s) {
  Poco::JSON::Object o;
  o.set("id", s.id);
  o.set("table", s.table);
  o.set("row_id", s.row_id);
  o.set("operation", ConflictOpName(s.op));
  o.set("unit", s.unit);
  o.set("assigned_unit", OrNull(s.assigned_unit));
  Poco::JSON::Array columns;
  for (const std::string& c : s.columns) columns.add(c);
  o.set("columns", columns);
  o.set("user", s.user);
  o.set("user_id", s.user_id);
  o.set("device_id", s.device_id);
  o.set("created_at", s.created_at);
  o.set("state", s.state);
  o.set("resolved_at", OrNull(s.resolved_at));
  o.set("resolved_by", OrNull(s.resolved_by));
  return o;
}

std::string Text(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace

std::string ConflictListJson(const std::vector<ConflictSummary>& conflicts) {
  Poco::JSON::Array list;
  for (const ConflictSummary& s : conflicts) list.add(SummaryObject(s));
  Poco::JSON::Object o;
  o.set("conflicts", list);
  return Text(o);
}

std::string ConflictDetailJson(const ConflictDetail& d) {
  Poco::JSON::Object o = SummaryObject(d.summary);
  o.set("row_seq", static_cast<Poco::UInt64>(d.row_seq));
  o.set("current_seq", static_cast<Poco::UInt64>(d.current_seq));
  o.set("row_changed", d.summary.state == "open" && d.row_seq != d.current_seq);
  Poco::JSON::Array columns;
  for (const ConflictColumn& c : d.columns) {
    Poco::JSON::Object col;
    col.set("column", c.column);
    col.set("base", Json(c.base));
    col.set("device", Json(c.device));
    col.set("server", Json(c.server));
    columns.add(col);
  }
  o.set("columns", columns);
  if (d.resolution) {
    Poco::JSON::Object r, values;
    r.set("by", d.resolution->by);
    r.set("at", d.resolution->at);
    r.set("decision", d.resolution->decision);
    for (const auto& [column, value] : d.resolution->values) values.set(column, Json(value));
    r.set("values", values);
    o.set("resolution", r);
  } else {
    o.set("resolution", Poco::Dynamic::Var());
  }
  return Text(o);
}

std::string ResolvedJson(const ResolvedConflict& r) {
  Poco::JSON::Object o;
  o.set("id", r.id);
  o.set("state", "resolved");
  o.set("server_seq", static_cast<Poco::UInt64>(r.server_seq));
  return Text(o);
}

Result<ConflictDecision> ParseDecisionJson(std::string_view body) {
  const char* kShape =
      R"(expected {"take":"server"}, {"take":"device"} or {"set":{"column":value,...}})";
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(std::string(body));
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
      return InvalidArgument(std::string(kShape) + " / cần một đối tượng JSON");
    Poco::JSON::Object::Ptr o = parsed.extract<Poco::JSON::Object::Ptr>();
    ConflictDecision d;
    bool has_take = o->has("take"), has_set = o->has("set");
    if (has_take == has_set)
      return InvalidArgument(std::string(kShape) + " / cần đúng một trong take hoặc set");
    for (const std::string& key : o->getNames())
      if (key != "take" && key != "set")
        return InvalidArgument("unknown field '" + key + "'; " + kShape + " / trường không hợp lệ");
    if (has_take) {
      Poco::Dynamic::Var take = o->get("take");
      std::string t = take.isString() ? take.extract<std::string>() : "";
      if (t == "server")
        d.take = ConflictDecision::Take::kServer;
      else if (t == "device")
        d.take = ConflictDecision::Take::kDevice;
      else
        return InvalidArgument(
            "take must be \"server\" or \"device\" / take phải là server hoặc device");
      return d;
    }
    Poco::JSON::Object::Ptr set = o->getObject("set");
    if (set.isNull() || set->size() == 0)
      return InvalidArgument(
          "set must be a non-empty object {\"column\":value} / set không hợp lệ");
    for (const std::string& column : set->getNames()) {
      Poco::Dynamic::Var v = set->get(column);
      if (v.isEmpty())
        d.set[column] = FieldValue::Null();
      else if (v.isString())
        d.set[column] = FieldValue::Text(v.extract<std::string>());
      else if (v.isInteger())
        d.set[column] = FieldValue::Integer(v.convert<Poco::Int64>());
      else if (v.isNumeric())
        d.set[column] = FieldValue::Real(v.convert<double>());
      else
        return InvalidArgument(
            "set." + column +
            ": a value must be a string, a number or null / giá trị không hợp lệ");
    }
    return d;
  } catch (const Poco::Exception& e) {
    return InvalidArgument("malformed JSON: " + e.displayText() + " / JSON không hợp lệ");
  }
}

}  // namespace q11::server
