#include "devicecore/json.h"

#include <optional>

#include "protocol/json_value.h"

namespace q11::device {
namespace {

// Key order as inserted; UTF-8 kept as is (no \u escapes): protocol/json_value.h.
using json::Value;

template <typename T>
Value Opt(const std::optional<T>& v) {
  return Value(v);
}

Value NullIfEmpty(const std::string& s) { return s.empty() ? Value() : Value(s); }

Value ReportIdsArray(const std::vector<std::string>& ids) {
  Value a = json::Array();
  for (const std::string& id : ids) a.Append(id);
  return a;
}

// [{"seq","message","settled_at"}]: the report is implied by where the list sits.
Value NotesArray(const std::vector<SettledChange>& settled) {
  Value a = json::Array();
  for (const SettledChange& s : settled) {
    Value so = json::Object();
    so.Set("seq", s.seq);
    so.Set("message", s.message);
    so.Set("settled_at", s.settled_at);
    a.Append(so);
  }
  return a;
}

Value SyncObject(const ReportSync& s) {
  Value o = json::Object();
  o.Set("pending", s.pending);
  o.Set("parked", NotesArray(s.parked));
  o.Set("rejected", NotesArray(s.rejected));
  o.Set("merged_notes", NotesArray(s.merged_notes));
  return o;
}

Value ReportObject(const Report& r, bool with_events) {
  Value o = json::Object();
  o.Set("id", r.id);
  o.Set("kind", r.kind);
  o.Set("status", r.status);
  o.Set("title", r.title);
  o.Set("description", r.description);
  o.Set("category", r.category_id);
  o.Set("ward", r.ward_id);
  o.Set("lat", Opt(r.lat));
  o.Set("lon", Opt(r.lon));
  o.Set("address", Opt(r.address));
  o.Set("assigned_unit", Opt(r.assigned_unit));
  o.Set("due_at", Opt(r.due_at));
  o.Set("reporter_ref", Opt(r.reporter_ref));
  o.Set("created_at", r.created_at);
  o.Set("updated_at", r.updated_at);
  o.Set("pending_changes", r.pending_changes);
  o.Set("sync_state", std::string(SyncStateName(r.sync_state)));
  // The case life (docs/workflow.md).
  o.Set("receipt_code", Opt(r.receipt_code));
  o.Set("received_at", Opt(r.received_at));
  o.Set("expected_at", Opt(r.expected_at));
  o.Set("resolved_at", Opt(r.resolved_at));
  o.Set("duplicate_of", Opt(r.duplicate_of));
  o.Set("overdue", r.overdue);
  if (with_events) {
    // What the citizen looks for first: the latest result text and their latest rating.
    const CaseEvent* result = nullptr;
    const CaseEvent* rating = nullptr;
    for (const CaseEvent& e : r.events) {
      if (e.kind == "result" || (e.kind == "status" && e.status == "resolved")) result = &e;
      if (e.kind == "rating") rating = &e;
    }
    o.Set("result", result ? NullIfEmpty(result->note) : Value());
    if (rating) {
      Value ro = json::Object();
      ro.Set("stars", rating->stars);
      ro.Set("comment", NullIfEmpty(rating->note));
      ro.Set("created_at", rating->created_at);
      o.Set("rating", ro);
    } else {
      o.Set("rating", Value());
    }
    o.Set("sync", SyncObject(r.sync));
    Value events = json::Array();
    for (const CaseEvent& e : r.events) {
      Value eo = json::Object();
      eo.Set("id", e.id);
      eo.Set("kind", e.kind);
      eo.Set("status", NullIfEmpty(e.status));
      eo.Set("note", NullIfEmpty(e.note));
      eo.Set("unit", NullIfEmpty(e.unit_id));
      eo.Set("author_ref", NullIfEmpty(e.author_ref));
      eo.Set("author_role", NullIfEmpty(e.author_role));
      eo.Set("created_at", e.created_at);
      if (e.stars > 0) eo.Set("stars", e.stars);
      events.Append(eo);
    }
    o.Set("events", events);
  }
  return o;
}

}  // namespace

std::string ReportToJson(const Report& report, bool with_events) {
  return ReportObject(report, with_events).Write();
}

std::string ReportsToJson(const std::vector<Report>& reports) {
  Value a = json::Array();
  for (const Report& r : reports) a.Append(ReportObject(r, false));
  return a.Write();
}

namespace {

Value TemplatesArray(const std::vector<ResponseTemplate>& templates) {
  Value a = json::Array();
  for (const ResponseTemplate& t : templates) {
    Value o = json::Object();
    o.Set("id", t.id);
    o.Set("status", t.status);
    o.Set("title_vi", t.title_vi);
    o.Set("body_vi", t.body_vi);
    a.Append(std::move(o));
  }
  return a;
}

Value ReferenceObject(const std::vector<Unit>& units, const std::vector<Category>& categories) {
  Value o = json::Object();
  Value ua = json::Array();
  for (const Unit& u : units) {
    Value uo = json::Object();
    uo.Set("id", u.id);
    uo.Set("parent_id", NullIfEmpty(u.parent_id));
    uo.Set("kind", u.kind);
    uo.Set("name_vi", u.name_vi);
    uo.Set("name_en", u.name_en);
    ua.Append(std::move(uo));
  }
  Value ca = json::Array();
  for (const Category& c : categories) {
    Value co = json::Object();
    co.Set("id", c.id);
    co.Set("name_vi", c.name_vi);
    co.Set("name_en", c.name_en);
    co.Set("default_unit", c.default_unit);
    co.Set("deadline_hours", c.deadline_hours);
    co.Set("level", c.level);
    co.Set("deadline_amount", c.deadline_amount);
    co.Set("deadline_unit", c.deadline_unit);
    ca.Append(std::move(co));
  }
  o.Set("units", std::move(ua));
  o.Set("categories", std::move(ca));
  return o;
}

}  // namespace

std::string ReferenceToJson(const std::vector<Unit>& units,
                            const std::vector<Category>& categories) {
  return ReferenceObject(units, categories).Write();
}

std::string ReferenceToJson(const std::vector<Unit>& units, const std::vector<Category>& categories,
                            const std::vector<ResponseTemplate>& templates) {
  Value o = ReferenceObject(units, categories);
  o.Set("templates", TemplatesArray(templates));
  return o.Write();
}

std::string TemplatesToJson(const std::vector<ResponseTemplate>& templates) {
  return TemplatesArray(templates).Write();
}

std::string AccountToJson(const Account& a) {
  Value o = json::Object();
  o.Set("server_url", a.server_url);
  o.Set("user_id", a.user_id);
  o.Set("name", a.name);
  o.Set("role", a.role);
  o.Set("unit", NullIfEmpty(a.unit));
  o.Set("reporter_ref", NullIfEmpty(a.reporter_ref));
  o.Set("contact_phone", NullIfEmpty(a.contact_phone));
  o.Set("contact_email", NullIfEmpty(a.contact_email));
  return o.Write();
}

std::string WaitRequestToJson(const WaitRequest& r) {
  Value o = json::Object();
  o.Set("path", r.path);
  o.Set("content_type", r.content_type);
  o.Set("body", r.body);
  o.Set("bearer", r.bearer);
  return o.Write();
}

std::string OutboxToJson(const std::vector<OutboxEntry>& entries) {
  Value ea = json::Array();
  for (const OutboxEntry& e : entries) {
    Value eo = json::Object();
    eo.Set("seq", e.seq);
    eo.Set("state", e.state);
    eo.Set("created_at", e.created_at);
    eo.Set("bytes", e.bytes);
    Value tables = json::Array();
    for (const std::string& t : e.tables) tables.Append(t);
    eo.Set("tables", tables);
    ea.Append(eo);
  }
  return ea.Write();
}

std::string SettledToJson(const std::vector<SettledChange>& settled) {
  Value sa = json::Array();
  for (const SettledChange& s : settled) {
    Value so = json::Object();
    so.Set("seq", s.seq);
    so.Set("verdict", s.verdict);
    so.Set("message", s.message);
    so.Set("settled_at", s.settled_at);
    so.Set("report_ids", ReportIdsArray(s.report_ids));
    sa.Append(so);
  }
  return sa.Write();
}

std::string SyncResultToJson(const SyncResult& r) {
  Value o = json::Object();
  o.Set("round_trips", r.round_trips);
  o.Set("pushed", r.pushed);
  o.Set("applied", r.applied);
  o.Set("merged", r.merged);
  o.Set("parked", r.parked);
  o.Set("rejected", r.rejected);
  o.Set("retried", r.retried);
  o.Set("pulled_rows", r.pulled_rows);
  o.Set("pull_omitted", r.pull_omitted);
  o.Set("cursor", r.cursor);
  o.Set("bytes_up", r.bytes_up);
  o.Set("bytes_down", r.bytes_down);
  o.Set("pending_after", r.pending_after);
  o.Set("has_more", r.has_more);
  if (!r.notice.empty()) o.Set("notice", r.notice);
  if (r.new_epoch || r.requeued > 0) {  // the server was restored (docs/backup.md)
    o.Set("new_epoch", r.new_epoch);
    o.Set("requeued", r.requeued);
  }
  Value m = json::Array();
  for (const std::string& s : r.messages) m.Append(s);
  o.Set("messages", m);
  Value retry = json::Array();
  for (const std::string& s : r.retry_messages) retry.Append(s);
  o.Set("retry_messages", retry);
  Value settled = json::Array();
  for (const SettledChange& s : r.settled) {
    Value so = json::Object();
    so.Set("seq", s.seq);
    so.Set("verdict", s.verdict);
    so.Set("message", s.message);
    so.Set("report_ids", ReportIdsArray(s.report_ids));
    settled.Append(so);
  }
  o.Set("settled", settled);
  Value photos = json::Object();
  photos.Set("uploaded", r.photos.uploaded);
  photos.Set("deduplicated", r.photos.deduplicated);
  photos.Set("waiting", r.photos.waiting);
  photos.Set("refused", r.photos.refused);
  photos.Set("bytes_sent", r.photos.bytes_sent);
  photos.Set("thumbnails_fetched", r.photos.thumbnails_fetched);
  Value pm = json::Array();
  for (const std::string& s : r.photos.messages) pm.Append(s);
  photos.Set("messages", pm);
  o.Set("photos", photos);
  Value drift = json::Array();
  for (const ScopeDrift& d : r.drift) {
    Value dobj = json::Object();
    dobj.Set("audience", d.audience);
    dobj.Set("rows_differing", d.rows_differing);
    dobj.Set("repaired", d.repaired);
    dobj.Set("backing_off", d.backing_off);
    dobj.Set("next_try_ms", d.next_try_ms);
    dobj.Set("message", d.message);
    drift.Append(dobj);
  }
  o.Set("drift", drift);
  return o.Write();
}

std::string PhotosToJson(const std::vector<Photo>& photos) {
  Value a = json::Array();
  for (const Photo& p : photos) {
    Value o = json::Object();
    o.Set("id", p.id);
    o.Set("report_id", p.report_id);
    o.Set("role", p.role);
    o.Set("sha256", p.sha256);
    o.Set("mime", p.mime);
    o.Set("bytes", p.bytes);
    if (p.width) o.Set("width", *p.width);
    if (p.height) o.Set("height", *p.height);
    o.Set("author_role", p.author_role);
    o.Set("created_at", p.created_at);
    o.Set("local", p.local);
    if (!p.message.empty()) o.Set("message", p.message);
    a.Append(o);
  }
  return a.Write();
}

namespace {

Value NamedObject(const std::string& id, const std::string& vi, const std::string& en) {
  if (id.empty()) return Value();
  Value o = json::Object();
  o.Set("id", id);
  o.Set("name_vi", vi);
  o.Set("name_en", en);
  return o;
}

Value PublicCaseObject(const PublicCase& c) {
  Value o = json::Object();
  if (!c.receipt_code.empty()) o.Set("receipt_code", c.receipt_code);
  o.Set("status", c.status);
  o.Set("status_vi", c.status_vi);
  o.Set("status_en", c.status_en);
  o.Set("category", NamedObject(c.category_id, c.category_vi, c.category_en));
  o.Set("ward", NamedObject(c.ward_id, c.ward_vi, c.ward_en));
  o.Set("assigned_unit", NamedObject(c.unit_id, c.unit_vi, c.unit_en));
  o.Set("created_at", NullIfEmpty(c.created_at));
  o.Set("received_at", NullIfEmpty(c.received_at));
  o.Set("due_at", NullIfEmpty(c.due_at));
  o.Set("expected_at", NullIfEmpty(c.expected_at));
  o.Set("resolved_at", NullIfEmpty(c.resolved_at));
  o.Set("updated_at", NullIfEmpty(c.updated_at));
  o.Set("duplicate_of", NullIfEmpty(c.duplicate_of));
  o.Set("overdue", c.overdue);
  Value history = json::Array();
  for (const PublicStep& s : c.history) {
    Value step = json::Object();
    step.Set("at", s.at);
    step.Set("kind", s.kind);
    step.Set("status", NullIfEmpty(s.status));
    step.Set("note", NullIfEmpty(s.note));
    history.Append(step);
  }
  o.Set("history", history);
  return o;
}

}  // namespace

std::string PublicCaseToJson(const PublicCase& c) { return PublicCaseObject(c).Write(); }

std::string PublicCasesToJson(const std::vector<PublicCase>& cases) {
  Value a = json::Array();
  for (const PublicCase& c : cases) a.Append(PublicCaseObject(c));
  return a.Write();
}

}  // namespace q11::device
