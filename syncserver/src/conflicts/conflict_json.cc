#include "conflicts/conflict_json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "conflicts/column_labels.h"

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

Poco::Dynamic::Var CaseObject(const std::optional<ConflictCase>& c) {
  if (!c) return Poco::Dynamic::Var();
  Poco::JSON::Object o;
  o.set("report_id", c->report_id);
  o.set("receipt_code", OrNull(c->receipt_code));
  o.set("title", c->title);
  o.set("status", c->status);
  o.set("ward_id", c->ward_id);
  o.set("ward_name_vi", OrNull(c->ward_vi));
  o.set("ward_name_en", OrNull(c->ward_en));
  o.set("assigned_unit", OrNull(c->assigned_unit));
  o.set("assigned_name_vi", OrNull(c->assigned_vi));
  o.set("assigned_name_en", OrNull(c->assigned_en));
  o.set("withdrawn", c->withdrawn);
  return o;
}

Poco::JSON::Object UnitObject(const UnitChoice& u) {
  Poco::JSON::Object o;
  o.set("id", u.id);
  o.set("kind", u.kind);
  o.set("name_vi", u.name_vi);
  o.set("name_en", u.name_en);
  return o;
}

Poco::JSON::Object SideObject(const ConflictSide& side) {
  Poco::JSON::Object o;
  if (side.who) {
    Poco::JSON::Object who;
    who.set("role", OrNull(side.who->role));
    who.set("name", OrNull(side.who->name));
    who.set("reporter_ref", OrNull(side.who->reporter_ref));
    who.set("unit_id", OrNull(side.who->unit_id));
    who.set("unit_name_vi", OrNull(side.who->unit_vi));
    who.set("unit_name_en", OrNull(side.who->unit_en));
    o.set("who", who);
  } else {
    o.set("who", Poco::Dynamic::Var());
  }
  Poco::JSON::Array notes;
  for (const ConflictNote& n : side.notes) {
    Poco::JSON::Object x;
    x.set("at", n.at);
    x.set("kind", n.kind);
    x.set("status", OrNull(n.status));
    x.set("unit_id", OrNull(n.unit_id));
    x.set("note", OrNull(n.note));
    x.set("overruled", n.overruled);
    notes.add(x);
  }
  o.set("notes", notes);
  return o;
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
  Poco::JSON::Array labels;
  for (const std::string& c : s.columns) {
    const ColumnLabel label = LabelOf(s.table, c);
    Poco::JSON::Object x;
    x.set("column", c);
    x.set("label_vi", std::string(label.vi));
    x.set("label_en", std::string(label.en));
    labels.add(x);
  }
  o.set("column_labels", labels);
  o.set("user", s.user);
  o.set("user_id", s.user_id);
  o.set("user_role", OrNull(s.user_role));
  o.set("device_id", s.device_id);
  o.set("case", CaseObject(s.report));
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
    const ColumnLabel label = LabelOf(d.summary.table, c.column);
    col.set("column", c.column);
    col.set("label_vi", std::string(label.vi));
    col.set("label_en", std::string(label.en));
    col.set("kind", std::string(label.kind));
    col.set("base", Json(c.base));
    col.set("device", Json(c.device));
    col.set("server", Json(c.server));
    if (label.kind == "unit" || label.kind == "ward") {
      // The units the column may hold, by name: an admin picks one, never types an id.
      Poco::JSON::Array choices;
      for (const UnitChoice& u : d.units)
        if (label.kind == "unit" || u.kind == "ward") choices.add(UnitObject(u));
      col.set("choices", choices);
    }
    columns.add(col);
  }
  o.set("columns", columns);
  o.set("server_side", SideObject(d.server_side));
  o.set("device_side", SideObject(d.device_side));
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
