#include "monitor/unit_report_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cmath>
#include <sstream>

#include "protocol/ids.h"

namespace q11::server {
namespace {

Poco::Dynamic::Var OrNull(const std::string& s) {
  return s.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s);
}

Poco::Dynamic::Var Rounded(const std::optional<double>& v, double scale) {
  if (!v) return Poco::Dynamic::Var();
  return Poco::Dynamic::Var(std::round(*v * scale) / scale);
}

Poco::Dynamic::Var Int(int64_t v) { return Poco::Dynamic::Var(static_cast<Poco::Int64>(v)); }

Poco::JSON::Object FiguresObject(const Figures& f) {
  Poco::JSON::Object o;
  o.set("id", f.id);
  o.set("kind", f.kind);
  o.set("name_vi", f.name_vi);
  o.set("name_en", f.name_en);
  o.set("received", Int(f.received));
  o.set("open", Int(f.open));
  o.set("in_progress", Int(f.in_progress));
  o.set("resolved", Int(f.resolved));
  o.set("rejected", Int(f.rejected));
  o.set("duplicate", Int(f.duplicate));
  o.set("overdue_now", Int(f.overdue_now));
  o.set("resolved_on_time", Int(f.resolved_on_time));
  o.set("on_time_rate", Rounded(f.on_time_rate, 1e4));
  o.set("accept_samples", Int(f.accept_samples));
  o.set("accept_median_hours", Rounded(f.accept_median_h, 10));
  o.set("accept_p90_hours", Rounded(f.accept_p90_h, 10));
  o.set("resolve_samples", Int(f.resolve_samples));
  o.set("resolve_median_hours", Rounded(f.resolve_median_h, 10));
  o.set("resolve_p90_hours", Rounded(f.resolve_p90_h, 10));
  o.set("ever_resolved", Int(f.ever_resolved));
  o.set("reopened", Int(f.reopened));
  o.set("reopen_rate", Rounded(f.reopen_rate, 1e4));
  o.set("ratings", Int(f.ratings));
  o.set("satisfaction", Rounded(f.satisfaction, 100));
  return o;
}

Poco::JSON::Object FactsObject(const CaseFacts& c) {
  Poco::JSON::Object o;
  o.set("id", c.id);
  o.set("receipt_code", OrNull(c.receipt_code));
  o.set("kind", c.kind);
  o.set("category_id", c.category_id);
  o.set("ward_id", c.ward_id);
  o.set("assigned_unit", OrNull(c.assigned_unit));
  o.set("status", c.status);
  o.set("title", c.title);
  const std::pair<const char*, const std::string*> times[] = {
      {"created_at", &c.created_at},   {"received_at", &c.received_at},
      {"accepted_at", &c.accepted_at}, {"assigned_at", &c.assigned_at},
      {"due_at", &c.due_at},           {"expected_at", &c.expected_at},
      {"resolved_at", &c.resolved_at}, {"closed_at", &c.closed_at},
      {"updated_at", &c.updated_at}};
  for (const auto& [name, value] : times) o.set(name, OrNull(*value));
  o.set("reopened", c.reopened);
  o.set("stars", c.stars > 0 ? Int(c.stars) : Poco::Dynamic::Var());
  return o;
}

std::string Text(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace

std::string UnitReportJson(const UnitReport& r) {
  Poco::JSON::Object o;
  o.set("from", r.period.from_day);
  o.set("to", r.period.to_day);
  o.set("now", r.now);
  Poco::JSON::Array units, categories, weeks, backlog;
  for (const Figures& f : r.units) units.add(FiguresObject(f));
  for (const Figures& f : r.categories) categories.add(FiguresObject(f));
  for (const WeekFigures& w : r.weeks) {
    Poco::JSON::Object x;
    x.set("week_start", w.week_start);
    x.set("received", Int(w.received));
    x.set("resolved", Int(w.resolved));
    weeks.add(x);
  }
  for (const BacklogBucket& b : r.backlog) {
    Poco::JSON::Object x;
    x.set("id", b.id);
    x.set("label_vi", b.label_vi);
    x.set("label_en", b.label_en);
    x.set("open", Int(b.open));
    x.set("overdue", Int(b.overdue));
    backlog.add(x);
  }
  Poco::JSON::Array map;
  for (const MapPoint& m : r.map) {
    Poco::JSON::Object x;
    x.set("id", m.id);
    x.set("receipt_code", OrNull(m.receipt_code));
    x.set("ward_id", m.ward_id);
    x.set("status", m.status);
    x.set("lat", m.lat);
    x.set("lon", m.lon);
    x.set("overdue", m.overdue);
    map.add(x);
  }
  o.set("map", map);
  o.set("units", units);
  o.set("categories", categories);
  o.set("weeks", weeks);
  o.set("backlog", backlog);
  return Text(o);
}

std::string CaseListJson(std::string_view unit, const ReportPeriod& period, std::string_view now,
                         const std::vector<CaseRow>& cases) {
  Poco::JSON::Object o;
  o.set("unit", std::string(unit));
  o.set("from", period.from_day);
  o.set("to", period.to_day);
  o.set("now", std::string(now));
  Poco::JSON::Array list;
  for (const CaseRow& r : cases) {
    Poco::JSON::Object x = FactsObject(*r.facts);
    x.set("deadline", OrNull(r.deadline));
    x.set("overdue", r.overdue_now);
    x.set("overdue_working_hours",
          r.overdue_now ? Rounded(r.overdue_working_h, 10) : Poco::Dynamic::Var());
    list.add(x);
  }
  o.set("cases", list);
  return Text(o);
}

std::string CaseHistoryJson(const CaseHistory& h, int64_t now_ms) {
  Poco::JSON::Object o;
  Poco::JSON::Object c = FactsObject(h.facts);
  const std::string& deadline = CurrentDeadline(h.facts);
  c.set("deadline", OrNull(deadline));
  std::optional<int64_t> due = ParseUtc(deadline);
  c.set("overdue", IsOpenStatus(h.facts.status) && due && *due < now_ms);
  o.set("case", c);
  Poco::JSON::Array events;
  for (const CaseHistory::Event& e : h.events) {
    Poco::JSON::Object x;
    x.set("id", e.id);
    x.set("created_at", e.created_at);
    x.set("kind", e.kind);
    x.set("status", OrNull(e.status));
    x.set("note", OrNull(e.note));
    x.set("unit_id", OrNull(e.unit_id));
    x.set("author_role", OrNull(e.author_role));
    x.set("stars", e.stars > 0 ? Int(e.stars) : Poco::Dynamic::Var());
    events.add(x);
  }
  o.set("events", events);
  Poco::JSON::Array photos;
  for (const CaseHistory::Photo& p : h.photos) {
    Poco::JSON::Object x;
    x.set("id", p.id);
    x.set("sha256", p.sha256);
    x.set("role", p.role);
    x.set("mime", p.mime);
    x.set("bytes", Int(p.bytes));
    x.set("width", p.width ? Int(*p.width) : Poco::Dynamic::Var());
    x.set("height", p.height ? Int(*p.height) : Poco::Dynamic::Var());
    x.set("author_role", OrNull(p.author_role));
    x.set("created_at", p.created_at);
    photos.add(x);
  }
  o.set("photos", photos);
  return Text(o);
}

}  // namespace q11::server
