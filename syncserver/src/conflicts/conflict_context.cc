#include "conflicts/conflict_context.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "conflicts/column_labels.h"

namespace q11::server {
namespace {

// A text member of an archived row's JSON, "" when absent or not text.
std::string Member(const Poco::JSON::Object& o, const std::string& key) {
  if (!o.has(key)) return "";
  Poco::Dynamic::Var v = o.get(key);
  return v.isString() ? v.extract<std::string>() : "";
}

}  // namespace

struct ConflictContext::Event {
  std::string id, kind, status, unit_id, note, author_ref, author_role, received_at;
  bool overruled = false;
};

struct ConflictContext::Units {
  std::vector<UnitChoice> list;  // district, wards, departments
  const UnitChoice* Find(std::string_view id) const {
    for (const UnitChoice& u : list)
      if (u.id == id) return &u;
    return nullptr;
  }
};

Result<std::unique_ptr<ConflictContext>> ConflictContext::Create(SqlConn& db) {
  std::unique_ptr<ConflictContext> c(new ConflictContext());
  struct {
    SqlStmt* target;
    const char* sql;
  } statements[] = {
      {&c->units_,
       "SELECT id, kind, name_vi, name_en FROM units ORDER BY "
       "CASE kind WHEN 'district' THEN 0 WHEN 'ward' THEN 1 ELSE 2 END, id"},
      // The report of a conflicting case event or photo row.
      {&c->report_of_child_,
       "SELECT report_id FROM case_events WHERE id = ?1 "
       "UNION ALL SELECT report_id FROM photos WHERE id = ?1"},
      {&c->report_,
       "SELECT receipt_code, title, status, ward_id, assigned_unit FROM reports WHERE id = ?1"},
      {&c->archived_,
       "SELECT row_json, deleted_by FROM deleted_rows WHERE tbl = 'reports' AND pk = ?1"},
      {&c->user_by_id_, "SELECT name, role, unit_id, reporter_ref FROM users WHERE id = ?1"},
      {&c->user_by_name_, "SELECT name, role, unit_id, reporter_ref FROM users WHERE name = ?1"},
      // The server's receipt of each event (its own time for one older than event_log).
      {&c->events_,
       "SELECT e.id, e.kind, e.status, e.unit_id, e.note, e.author_ref, e.author_role, "
       "coalesce(x.received_at, e.created_at), "
       "CASE WHEN x.overruled IS NULL THEN 0 ELSE 1 END "
       "FROM case_events e LEFT JOIN event_log x ON x.event_id = e.id "
       "WHERE e.report_id = ?1 ORDER BY 8, e.created_at, e.id"},
  };
  for (auto& s : statements) {
    Result<SqlStmt> st = db.Prepare(s.sql);
    if (!st.ok()) return st.status();
    *s.target = std::move(*st);
  }
  return c;
}

Result<ConflictContext::Units> ConflictContext::LoadUnits() {
  Units units;
  Q11_RETURN_IF_ERROR(EachRow(units_, [&](const SqlStmt& st) {
    units.list.push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3)});
  }));
  return units;
}

namespace {

ConflictPerson PersonFromRow(const SqlStmt& st) {
  ConflictPerson p;
  p.role = st.Text(1);
  if (p.role == "citizen") {
    p.reporter_ref = st.Text(3);  // never the account name
  } else {
    p.name = st.Text(0);
    p.unit_id = st.Text(2);
  }
  return p;
}

}  // namespace

Result<std::optional<ConflictPerson>> ConflictContext::PersonById(const Units& units,
                                                                  const std::string& id) {
  std::optional<ConflictPerson> out;
  user_by_id_.Bind(1, id);
  Q11_RETURN_IF_ERROR(EachRow(user_by_id_, [&](const SqlStmt& st) { out = PersonFromRow(st); }));
  if (out && !out->unit_id.empty())
    if (const UnitChoice* u = units.Find(out->unit_id)) {
      out->unit_vi = u->name_vi;
      out->unit_en = u->name_en;
    }
  return out;
}

Result<std::optional<ConflictPerson>> ConflictContext::PersonByName(const Units& units,
                                                                    const std::string& name) {
  std::optional<ConflictPerson> out;
  user_by_name_.Bind(1, name);
  Q11_RETURN_IF_ERROR(EachRow(user_by_name_, [&](const SqlStmt& st) { out = PersonFromRow(st); }));
  if (out && !out->unit_id.empty())
    if (const UnitChoice* u = units.Find(out->unit_id)) {
      out->unit_vi = u->name_vi;
      out->unit_en = u->name_en;
    }
  return out;
}

Result<std::vector<ConflictContext::Event>> ConflictContext::EventsOf(
    const std::string& report_id) {
  std::vector<Event> out;
  events_.Bind(1, report_id);
  Q11_RETURN_IF_ERROR(EachRow(events_, [&](const SqlStmt& st) {
    Event e;
    e.id = st.Text(0);
    e.kind = st.Text(1);
    e.status = st.Text(2);
    e.unit_id = st.Text(3);
    e.note = st.Text(4);
    e.author_ref = st.Text(5);
    e.author_role = st.Text(6);
    e.received_at = st.Text(7);
    e.overruled = st.Int(8) != 0;
    out.push_back(std::move(e));
  }));
  return out;
}

Status ConflictContext::DescribeSummary(const Units& units, ConflictSummary* s) {
  Result<std::optional<ConflictPerson>> pusher = PersonById(units, s->user_id);
  if (!pusher.ok()) return pusher.status();
  if (pusher->has_value()) {
    s->user_role = (*pusher)->role;
    if (s->user_role == "citizen") s->user = (*pusher)->reporter_ref;
  }

  std::string report_id = s->table == "reports" ? s->row_id : "";
  if (report_id.empty()) {
    report_of_child_.Bind(1, s->row_id);
    Q11_RETURN_IF_ERROR(
        EachRow(report_of_child_, [&](const SqlStmt& st) { report_id = st.Text(0); }));
  }
  if (report_id.empty()) return Status::Ok();
  std::optional<ConflictCase> c;
  report_.Bind(1, report_id);
  Q11_RETURN_IF_ERROR(EachRow(report_, [&](const SqlStmt& st) {
    c.emplace();
    c->receipt_code = st.Text(0);
    c->title = st.Text(1);
    c->status = st.Text(2);
    c->ward_id = st.Text(3);
    c->assigned_unit = st.Text(4);
  }));
  if (!c) {
    // Withdrawn: its last values are in the archive (JSON text on both engines).
    std::string json;
    archived_.Bind(1, report_id);
    Q11_RETURN_IF_ERROR(EachRow(archived_, [&](const SqlStmt& st) { json = st.Text(0); }));
    if (json.empty()) return Status::Ok();
    try {
      Poco::JSON::Parser parser;
      Poco::JSON::Object::Ptr o = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
      c.emplace();
      c->receipt_code = Member(*o, "receipt_code");
      c->title = Member(*o, "title");
      c->status = Member(*o, "status");
      c->ward_id = Member(*o, "ward_id");
      c->assigned_unit = Member(*o, "assigned_unit");
      c->withdrawn = true;
    } catch (const Poco::Exception& e) {
      return Internal("archived report " + report_id + " is not JSON: " + e.displayText());
    }
  }
  c->report_id = report_id;
  if (const UnitChoice* w = units.Find(c->ward_id)) {
    c->ward_vi = w->name_vi;
    c->ward_en = w->name_en;
  }
  if (const UnitChoice* a = units.Find(c->assigned_unit)) {
    c->assigned_vi = a->name_vi;
    c->assigned_en = a->name_en;
  }
  s->report = std::move(c);
  return Status::Ok();
}

Status ConflictContext::Describe(std::vector<ConflictSummary>* conflicts) {
  Result<Units> units = LoadUnits();
  if (!units.ok()) return units.status();
  for (ConflictSummary& s : *conflicts) Q11_RETURN_IF_ERROR(DescribeSummary(*units, &s));
  return Status::Ok();
}

namespace {

ConflictNote NoteOf(const auto& e) {
  return ConflictNote{e.received_at, e.kind, e.status, e.unit_id, e.note, e.overruled};
}

// Whether event `e` announced the server's value of one of the conflict's columns.
bool Announces(const auto& e, const std::vector<ConflictColumn>& columns) {
  for (const ConflictColumn& c : columns) {
    if (c.server.type != FieldValue::Type::kText) continue;
    const std::string& v = c.server.s;
    if (c.column == "status" && e.kind == "status" && e.status == v) return true;
    if (c.column == "assigned_unit" && e.kind == "assignment" && e.unit_id == v) return true;
    if (c.column == "expected_at" && e.kind == "progress") return true;
  }
  return false;
}

}  // namespace

Status ConflictContext::Describe(ConflictDetail* d) {
  Result<Units> units = LoadUnits();
  if (!units.ok()) return units.status();
  ConflictSummary& s = d->summary;
  Q11_RETURN_IF_ERROR(DescribeSummary(*units, &s));
  for (const ConflictColumn& c : d->columns) {
    std::string_view kind = LabelOf(s.table, c.column).kind;
    if (kind == "unit" || kind == "ward") d->units = units->list;
  }

  Result<std::optional<ConflictPerson>> pusher = PersonById(*units, s.user_id);
  if (!pusher.ok()) return pusher.status();
  d->device_side.who = *pusher;
  // Case events carry the author's id, or a citizen's pseudonym (server_stamps.h).
  const std::string device_ref =
      pusher->has_value() && (*pusher)->role == "citizen" ? (*pusher)->reporter_ref : s.user_id;
  if (!s.report) return Status::Ok();
  if (s.report->withdrawn) {
    // The server's side is whoever deleted it.
    std::string deleted_by;
    archived_.Bind(1, s.report->report_id);
    Q11_RETURN_IF_ERROR(EachRow(archived_, [&](const SqlStmt& st) { deleted_by = st.Text(1); }));
    Result<std::optional<ConflictPerson>> who = PersonByName(*units, deleted_by);
    if (!who.ok()) return who.status();
    d->server_side.who = *who;
  }
  Result<std::vector<Event>> events = EventsOf(s.report->report_id);
  if (!events.ok()) return events.status();
  auto of_device = [&](const Event& e) {
    return e.author_ref == device_ref && e.received_at == s.created_at;
  };
  const Event* announcing = nullptr;
  for (const Event& e : *events) {
    if (of_device(e)) {
      d->device_side.notes.push_back(NoteOf(e));
      continue;
    }
    // ISO-8601 UTC text of one format: ordered as text.
    if (!e.overruled && e.received_at <= s.created_at && Announces(e, d->columns)) announcing = &e;
  }
  if (announcing == nullptr || s.report->withdrawn) return Status::Ok();
  if (announcing->author_role == "citizen") {
    d->server_side.who = ConflictPerson{"citizen", "", announcing->author_ref, "", "", ""};
  } else {
    Result<std::optional<ConflictPerson>> who = PersonById(*units, announcing->author_ref);
    if (!who.ok()) return who.status();
    d->server_side.who =
        who->has_value() ? **who : ConflictPerson{announcing->author_role, "", "", "", "", ""};
  }
  // What they wrote in the same push (a status event and its comment, say).
  for (const Event& e : *events)
    if (!e.overruled && e.author_ref == announcing->author_ref &&
        e.received_at == announcing->received_at)
      d->server_side.notes.push_back(NoteOf(e));
  return Status::Ok();
}

}  // namespace q11::server
