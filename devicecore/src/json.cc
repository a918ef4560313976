#include "devicecore/json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <sstream>

namespace q11::device {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Key order as inserted; UTF-8 kept as is (no \u escapes).
Object::Ptr NewObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

template <typename T>
Poco::Dynamic::Var Opt(const std::optional<T>& v) {
  return v ? Poco::Dynamic::Var(*v) : Poco::Dynamic::Var();
}

Poco::Dynamic::Var NullIfEmpty(const std::string& s) {
  return s.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s);
}

template <typename T>
std::string Stringify(const T& v) {
  std::ostringstream out;
  v->stringify(out);
  return out.str();
}

Array::Ptr ReportIdsArray(const std::vector<std::string>& ids) {
  Array::Ptr a = new Array;
  for (const std::string& id : ids) a->add(id);
  return a;
}

// [{"seq","message","settled_at"}]: the report is implied by where the list sits.
Array::Ptr NotesArray(const std::vector<SettledChange>& settled) {
  Array::Ptr a = new Array;
  for (const SettledChange& s : settled) {
    Object::Ptr so = NewObject();
    so->set("seq", s.seq);
    so->set("message", s.message);
    so->set("settled_at", s.settled_at);
    a->add(so);
  }
  return a;
}

Object::Ptr SyncObject(const ReportSync& s) {
  Object::Ptr o = NewObject();
  o->set("pending", s.pending);
  o->set("parked", NotesArray(s.parked));
  o->set("rejected", NotesArray(s.rejected));
  o->set("merged_notes", NotesArray(s.merged_notes));
  return o;
}

Object::Ptr ReportObject(const Report& r, bool with_events) {
  Object::Ptr o = NewObject();
  o->set("id", r.id);
  o->set("kind", r.kind);
  o->set("status", r.status);
  o->set("title", r.title);
  o->set("description", r.description);
  o->set("category", r.category_id);
  o->set("ward", r.ward_id);
  o->set("lat", Opt(r.lat));
  o->set("lon", Opt(r.lon));
  o->set("address", Opt(r.address));
  o->set("assigned_unit", Opt(r.assigned_unit));
  o->set("due_at", Opt(r.due_at));
  o->set("reporter_ref", Opt(r.reporter_ref));
  o->set("created_at", r.created_at);
  o->set("updated_at", r.updated_at);
  o->set("pending_changes", r.pending_changes);
  o->set("sync_state", std::string(SyncStateName(r.sync_state)));
  // The case life (docs/workflow.md).
  o->set("receipt_code", Opt(r.receipt_code));
  o->set("received_at", Opt(r.received_at));
  o->set("expected_at", Opt(r.expected_at));
  o->set("resolved_at", Opt(r.resolved_at));
  o->set("duplicate_of", Opt(r.duplicate_of));
  o->set("overdue", r.overdue);
  if (with_events) {
    // What the citizen looks for first: the latest result text and their latest rating.
    const CaseEvent* result = nullptr;
    const CaseEvent* rating = nullptr;
    for (const CaseEvent& e : r.events) {
      if (e.kind == "result" || (e.kind == "status" && e.status == "resolved")) result = &e;
      if (e.kind == "rating") rating = &e;
    }
    o->set("result", result ? NullIfEmpty(result->note) : Poco::Dynamic::Var());
    if (rating) {
      Object::Ptr ro = NewObject();
      ro->set("stars", rating->stars);
      ro->set("comment", NullIfEmpty(rating->note));
      ro->set("created_at", rating->created_at);
      o->set("rating", ro);
    } else {
      o->set("rating", Poco::Dynamic::Var());
    }
    o->set("sync", SyncObject(r.sync));
    Array::Ptr events = new Array;
    for (const CaseEvent& e : r.events) {
      Object::Ptr eo = NewObject();
      eo->set("id", e.id);
      eo->set("kind", e.kind);
      eo->set("status", NullIfEmpty(e.status));
      eo->set("note", NullIfEmpty(e.note));
      eo->set("unit", NullIfEmpty(e.unit_id));
      eo->set("author_ref", NullIfEmpty(e.author_ref));
      eo->set("author_role", NullIfEmpty(e.author_role));
      eo->set("created_at", e.created_at);
      if (e.stars > 0) eo->set("stars", e.stars);
      events->add(eo);
    }
    o->set("events", events);
  }
  return o;
}

}  // namespace

std::string ReportToJson(const Report& report, bool with_events) {
  return Stringify(ReportObject(report, with_events));
}

std::string ReportsToJson(const std::vector<Report>& reports) {
  Array::Ptr a = new Array;
  for (const Report& r : reports) a->add(ReportObject(r, false));
  return Stringify(a);
}

std::string TemplatesToJson(const std::vector<ResponseTemplate>& templates) {
  Array::Ptr a = new Array;
  for (const ResponseTemplate& t : templates) {
    Object::Ptr o = NewObject();
    o->set("id", t.id);
    o->set("status", t.status);
    o->set("title_vi", t.title_vi);
    o->set("body_vi", t.body_vi);
    a->add(o);
  }
  return Stringify(a);
}

std::string ReferenceToJson(const std::vector<Unit>& units,
                            const std::vector<Category>& categories) {
  Object::Ptr o = NewObject();
  Array::Ptr ua = new Array;
  for (const Unit& u : units) {
    Object::Ptr uo = NewObject();
    uo->set("id", u.id);
    uo->set("parent_id", NullIfEmpty(u.parent_id));
    uo->set("kind", u.kind);
    uo->set("name_vi", u.name_vi);
    uo->set("name_en", u.name_en);
    ua->add(uo);
  }
  Array::Ptr ca = new Array;
  for (const Category& c : categories) {
    Object::Ptr co = NewObject();
    co->set("id", c.id);
    co->set("name_vi", c.name_vi);
    co->set("name_en", c.name_en);
    co->set("default_unit", c.default_unit);
    co->set("deadline_hours", c.deadline_hours);
    co->set("level", c.level);
    co->set("deadline_amount", c.deadline_amount);
    co->set("deadline_unit", c.deadline_unit);
    ca->add(co);
  }
  o->set("units", ua);
  o->set("categories", ca);
  return Stringify(o);
}

std::string OutboxToJson(const std::vector<OutboxEntry>& entries) {
  Array::Ptr ea = new Array;
  for (const OutboxEntry& e : entries) {
    Object::Ptr eo = NewObject();
    eo->set("seq", e.seq);
    eo->set("state", e.state);
    eo->set("created_at", e.created_at);
    eo->set("bytes", e.bytes);
    Array::Ptr tables = new Array;
    for (const std::string& t : e.tables) tables->add(t);
    eo->set("tables", tables);
    ea->add(eo);
  }
  return Stringify(ea);
}

std::string SettledToJson(const std::vector<SettledChange>& settled) {
  Array::Ptr sa = new Array;
  for (const SettledChange& s : settled) {
    Object::Ptr so = NewObject();
    so->set("seq", s.seq);
    so->set("verdict", s.verdict);
    so->set("message", s.message);
    so->set("settled_at", s.settled_at);
    so->set("report_ids", ReportIdsArray(s.report_ids));
    sa->add(so);
  }
  return Stringify(sa);
}

std::string SyncResultToJson(const SyncResult& r) {
  Object::Ptr o = NewObject();
  o->set("round_trips", r.round_trips);
  o->set("pushed", r.pushed);
  o->set("applied", r.applied);
  o->set("merged", r.merged);
  o->set("parked", r.parked);
  o->set("rejected", r.rejected);
  o->set("retried", r.retried);
  o->set("pulled_rows", r.pulled_rows);
  o->set("pull_omitted", r.pull_omitted);
  o->set("cursor", r.cursor);
  o->set("bytes_up", r.bytes_up);
  o->set("bytes_down", r.bytes_down);
  o->set("pending_after", r.pending_after);
  o->set("has_more", r.has_more);
  if (!r.notice.empty()) o->set("notice", r.notice);
  Array::Ptr m = new Array;
  for (const std::string& s : r.messages) m->add(s);
  o->set("messages", m);
  Array::Ptr retry = new Array;
  for (const std::string& s : r.retry_messages) retry->add(s);
  o->set("retry_messages", retry);
  Array::Ptr settled = new Array;
  for (const SettledChange& s : r.settled) {
    Object::Ptr so = NewObject();
    so->set("seq", s.seq);
    so->set("verdict", s.verdict);
    so->set("message", s.message);
    so->set("report_ids", ReportIdsArray(s.report_ids));
    settled->add(so);
  }
  o->set("settled", settled);
  Object::Ptr photos = NewObject();
  photos->set("uploaded", r.photos.uploaded);
  photos->set("deduplicated", r.photos.deduplicated);
  photos->set("waiting", r.photos.waiting);
  photos->set("refused", r.photos.refused);
  photos->set("bytes_sent", r.photos.bytes_sent);
  photos->set("thumbnails_fetched", r.photos.thumbnails_fetched);
  Array::Ptr pm = new Array;
  for (const std::string& s : r.photos.messages) pm->add(s);
  photos->set("messages", pm);
  o->set("photos", photos);
  return Stringify(o);
}

std::string PhotosToJson(const std::vector<Photo>& photos) {
  Array::Ptr a = new Array;
  for (const Photo& p : photos) {
    Object::Ptr o = NewObject();
    o->set("id", p.id);
    o->set("report_id", p.report_id);
    o->set("role", p.role);
    o->set("sha256", p.sha256);
    o->set("mime", p.mime);
    o->set("bytes", p.bytes);
    if (p.width) o->set("width", *p.width);
    if (p.height) o->set("height", *p.height);
    o->set("author_role", p.author_role);
    o->set("created_at", p.created_at);
    o->set("local", p.local);
    if (!p.message.empty()) o->set("message", p.message);
    a->add(o);
  }
  return Stringify(a);
}

namespace {

Poco::Dynamic::Var NamedObject(const std::string& id, const std::string& vi,
                               const std::string& en) {
  if (id.empty()) return Poco::Dynamic::Var();
  Object::Ptr o = NewObject();
  o->set("id", id);
  o->set("name_vi", vi);
  o->set("name_en", en);
  return o;
}

Object::Ptr PublicCaseObject(const PublicCase& c) {
  Object::Ptr o = NewObject();
  if (!c.receipt_code.empty()) o->set("receipt_code", c.receipt_code);
  o->set("status", c.status);
  o->set("status_vi", c.status_vi);
  o->set("status_en", c.status_en);
  o->set("category", NamedObject(c.category_id, c.category_vi, c.category_en));
  o->set("ward", NamedObject(c.ward_id, c.ward_vi, c.ward_en));
  o->set("assigned_unit", NamedObject(c.unit_id, c.unit_vi, c.unit_en));
  o->set("created_at", NullIfEmpty(c.created_at));
  o->set("received_at", NullIfEmpty(c.received_at));
  o->set("due_at", NullIfEmpty(c.due_at));
  o->set("expected_at", NullIfEmpty(c.expected_at));
  o->set("resolved_at", NullIfEmpty(c.resolved_at));
  o->set("updated_at", NullIfEmpty(c.updated_at));
  o->set("duplicate_of", NullIfEmpty(c.duplicate_of));
  o->set("overdue", c.overdue);
  Array::Ptr history = new Array;
  for (const PublicStep& s : c.history) {
    Object::Ptr step = NewObject();
    step->set("at", s.at);
    step->set("kind", s.kind);
    step->set("status", NullIfEmpty(s.status));
    step->set("note", NullIfEmpty(s.note));
    history->add(step);
  }
  o->set("history", history);
  return o;
}

}  // namespace

std::string PublicCaseToJson(const PublicCase& c) { return Stringify(PublicCaseObject(c)); }

std::string PublicCasesToJson(const std::vector<PublicCase>& cases) {
  Array::Ptr a = new Array;
  for (const PublicCase& c : cases) a->add(PublicCaseObject(c));
  return Stringify(a);
}

}  // namespace q11::device
