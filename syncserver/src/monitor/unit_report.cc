#include "monitor/unit_report.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "protocol/deadline_calculator.h"
#include "protocol/ids.h"

namespace q11::server {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr double kHourMs = 3600.0 * 1000;

std::string DayText(int64_t day) {
  // FormatUtc of the day's UTC midnight gives its calendar date.
  return FormatUtc(day * kDayMs).substr(0, 10);
}

int64_t LocalDay(int64_t ms) {
  int64_t local = ms + deadline::kUtcOffsetMs;
  return local / kDayMs - (local % kDayMs < 0 ? 1 : 0);
}

int64_t Ms(const std::string& iso) {
  std::optional<int64_t> ms = ParseUtc(iso);
  return ms.value_or(0);
}

bool Resolved(std::string_view s) { return s == "resolved" || s == "closed"; }

// Nearest rank: the smallest sample with at least p% of the samples at or below it. Always a
// value that occurred, and the same on any machine. REQUIRES: `sorted` non-empty, ascending.
double Percentile(const std::vector<int64_t>& sorted, int p) {
  size_t n = sorted.size();
  size_t rank = (static_cast<size_t>(p) * n + 99) / 100;
  if (rank == 0) rank = 1;
  return static_cast<double>(sorted[rank - 1]) / kHourMs;
}

// Accumulates one row's figures from the cases that belong to it.
class RowBuilder {
 public:
  RowBuilder(const deadline::HolidaySet& holidays, int64_t now_ms)
      : holidays_(holidays), now_ms_(now_ms) {}

  void Add(const CaseFacts& c) {
    ++f_.received;
    const int64_t received = Ms(c.received_at);
    if (IsOpenStatus(c.status)) {
      ++f_.open;
      if (c.status == "in_progress") ++f_.in_progress;
      const std::string& deadline = CurrentDeadline(c);
      if (!deadline.empty() && Ms(deadline) < now_ms_) ++f_.overdue_now;
    } else if (Resolved(c.status)) {
      ++f_.resolved;
      const std::string& deadline = CurrentDeadline(c);
      if (deadline.empty() || c.resolved_at.empty() || Ms(c.resolved_at) <= Ms(deadline))
        ++f_.resolved_on_time;
      if (!c.resolved_at.empty())
        resolve_.push_back(deadline::WorkingMsBetween(received, Ms(c.resolved_at), holidays_));
    } else if (c.status == "rejected") {
      ++f_.rejected;
    } else if (c.status == "duplicate") {
      ++f_.duplicate;
    }
    if (!c.accepted_at.empty())
      accept_.push_back(deadline::WorkingMsBetween(received, Ms(c.accepted_at), holidays_));
    if (!c.resolved_at.empty()) {
      ++f_.ever_resolved;
      if (c.reopened) ++f_.reopened;
    }
    if (c.stars > 0) {
      ++f_.ratings;
      stars_ += c.stars;
    }
  }

  Figures Finish(std::string id, std::string kind, std::string name_vi, std::string name_en) {
    Figures f = f_;
    f.id = std::move(id);
    f.kind = std::move(kind);
    f.name_vi = std::move(name_vi);
    f.name_en = std::move(name_en);
    std::sort(accept_.begin(), accept_.end());
    std::sort(resolve_.begin(), resolve_.end());
    f.accept_samples = static_cast<int64_t>(accept_.size());
    f.resolve_samples = static_cast<int64_t>(resolve_.size());
    if (!accept_.empty()) {
      f.accept_median_h = Percentile(accept_, 50);
      f.accept_p90_h = Percentile(accept_, 90);
    }
    if (!resolve_.empty()) {
      f.resolve_median_h = Percentile(resolve_, 50);
      f.resolve_p90_h = Percentile(resolve_, 90);
    }
    if (int64_t d = f.resolved + f.overdue_now; d > 0)
      f.on_time_rate = static_cast<double>(f.resolved_on_time) / static_cast<double>(d);
    if (f.ever_resolved > 0)
      f.reopen_rate = static_cast<double>(f.reopened) / static_cast<double>(f.ever_resolved);
    if (f.ratings > 0)
      f.satisfaction = static_cast<double>(stars_) / static_cast<double>(f.ratings);
    return f;
  }

 private:
  const deadline::HolidaySet& holidays_;
  int64_t now_ms_;
  Figures f_;
  std::vector<int64_t> accept_, resolve_;
  int64_t stars_ = 0;
};

deadline::HolidaySet HolidaysOf(const MonitorFacts& facts) {
  deadline::HolidaySet out;
  for (const std::string& d : facts.holidays)
    if (std::optional<int64_t> day = deadline::ParseDay(d)) out.insert(*day);
  return out;
}

bool InPeriod(const std::string& iso, const ReportPeriod& p) {
  if (iso.empty()) return false;
  int64_t ms = Ms(iso);
  return ms >= p.from_ms && ms < p.to_ms;
}

bool IsDistrict(const MonitorFacts& facts, std::string_view unit) {
  if (unit.empty()) return true;
  for (const MonitorUnit& u : facts.units)
    if (u.id == unit) return u.kind == "district";
  return false;
}

// The cases a unit's officials see (access_scope.h): its ward's and those assigned to it.
bool Handles(const CaseFacts& c, std::string_view unit) {
  return c.ward_id == unit || c.assigned_unit == unit;
}

}  // namespace

bool IsOpenStatus(std::string_view s) {
  return s == "new" || s == "accepted" || s == "assigned" || s == "in_progress" || s == "reopened";
}

const std::string& CurrentDeadline(const CaseFacts& c) {
  return c.expected_at.empty() ? c.due_at : c.expected_at;
}

bool KnownUnit(const MonitorFacts& facts, std::string_view id) {
  for (const MonitorUnit& u : facts.units)
    if (u.id == id) return true;
  return false;
}

Result<ReportPeriod> ParsePeriod(std::string_view from_day, std::string_view to_day) {
  std::optional<int64_t> from = deadline::ParseDay(from_day), to = deadline::ParseDay(to_day);
  if (!from || !to)
    return InvalidArgument("from and to must be dates YYYY-MM-DD / ngày phải có dạng YYYY-MM-DD");
  if (*to < *from) return InvalidArgument("to is before from / ngày kết thúc trước ngày bắt đầu");
  if (*to - *from + 1 > kMaxPeriodDays)
    return InvalidArgument("the period is longer than " + std::to_string(kMaxPeriodDays) +
                           " days / khoảng thời gian quá dài");
  ReportPeriod p;
  p.from_day = std::string(from_day);
  p.to_day = std::string(to_day);
  // Local midnight is 17:00 UTC the day before.
  p.from_ms = *from * kDayMs - deadline::kUtcOffsetMs;
  p.to_ms = (*to + 1) * kDayMs - deadline::kUtcOffsetMs;
  p.from_utc = FormatUtc(p.from_ms);
  p.to_utc = FormatUtc(p.to_ms);
  return p;
}

ReportPeriod LastDays(int64_t now_ms, int days) {
  int64_t today = LocalDay(now_ms);
  return *ParsePeriod(DayText(today - (days - 1)), DayText(today));
}

UnitReport ComputeUnitReport(const MonitorFacts& facts, const ReportPeriod& period,
                             int64_t now_ms) {
  const deadline::HolidaySet holidays = HolidaysOf(facts);
  UnitReport out;
  out.period = period;
  out.now = FormatUtc(now_ms);
  std::vector<const CaseFacts*> cohort;
  for (const CaseFacts& c : facts.cases)
    if (InPeriod(c.received_at, period)) cohort.push_back(&c);

  // Each case under the units it had at the period's end: a merge after it does not move
  // the period's figures (docs/units.md). Moves come oldest first; the first one after the
  // period's end holds the units of that time.
  std::map<std::string_view, const UnitMove*> then;
  for (auto it = facts.moves.rbegin(); it != facts.moves.rend(); ++it)
    if (it->moved_at >= period.to_utc) then[it->report_id] = &*it;
  std::vector<CaseFacts> as_then;
  as_then.reserve(cohort.size());
  for (const CaseFacts* c : cohort) {
    as_then.push_back(*c);
    auto m = then.find(c->id);
    if (m == then.end()) continue;
    as_then.back().ward_id = m->second->ward_before;
    as_then.back().assigned_unit = m->second->unit_before;
  }
  for (const MonitorUnit& u : facts.units) {
    RowBuilder row(holidays, now_ms);
    const bool all = u.kind == "district";
    for (const CaseFacts& c : as_then)
      if (all || Handles(c, u.id)) row.Add(c);
    out.units.push_back(row.Finish(u.id, u.kind, u.name_vi, u.name_en));
  }
  for (const MonitorCategory& k : facts.categories) {
    RowBuilder row(holidays, now_ms);
    for (const CaseFacts* c : cohort)
      if (c->category_id == k.id) row.Add(*c);
    out.categories.push_back(row.Finish(k.id, "category", k.name_vi, k.name_en));
  }

  // Weeks start on Monday, local time; 1970-01-01 was a Thursday (weekday 3 from Monday).
  auto monday = [](int64_t day) { return day - ((day % 7 + 7 + 3) % 7); };
  const int64_t first = monday(LocalDay(period.from_ms)), last = LocalDay(period.to_ms - 1);
  std::map<int64_t, WeekFigures> weeks;
  for (int64_t d = first; d <= last; d += 7) weeks[d].week_start = DayText(d);
  for (const CaseFacts* c : cohort) ++weeks[monday(LocalDay(Ms(c->received_at)))].received;
  for (const CaseFacts& c : facts.cases)
    if (Resolved(c.status) && InPeriod(c.resolved_at, period))
      ++weeks[monday(LocalDay(Ms(c.resolved_at)))].resolved;
  for (auto& [day, w] : weeks) out.weeks.push_back(w);

  // The backlog: every open case, whenever received, by working days since receipt.
  out.backlog = {{"lt1", "Dưới 1 ngày", "Under 1 day", 0, 0},
                 {"1-3", "1–3 ngày", "1–3 days", 0, 0},
                 {"3-5", "3–5 ngày", "3–5 days", 0, 0},
                 {"5-10", "5–10 ngày", "5–10 days", 0, 0},
                 {"ge10", "Từ 10 ngày", "10 days or more", 0, 0}};
  for (const CaseFacts& c : facts.cases) {
    if (!IsOpenStatus(c.status)) continue;
    double days =
        static_cast<double>(deadline::WorkingMsBetween(Ms(c.received_at), now_ms, holidays)) /
        (kHourMs * 8);
    size_t i = days < 1 ? 0 : days < 3 ? 1 : days < 5 ? 2 : days < 10 ? 3 : 4;
    ++out.backlog[i].open;
    const std::string& deadline = CurrentDeadline(c);
    const bool overdue = !deadline.empty() && Ms(deadline) < now_ms;
    if (overdue) ++out.backlog[i].overdue;
    if (c.lat && c.lon)
      out.map.push_back({c.id, c.receipt_code, c.ward_id, c.status, *c.lat, *c.lon, overdue});
  }
  std::sort(out.map.begin(), out.map.end(),
            [](const MapPoint& a, const MapPoint& b) { return a.id < b.id; });
  return out;
}

std::vector<CaseRow> CasesOf(const MonitorFacts& facts, const ReportPeriod& period,
                             std::string_view unit, bool overdue_only, int64_t now_ms) {
  const deadline::HolidaySet holidays = HolidaysOf(facts);
  const bool all = IsDistrict(facts, unit);
  std::vector<CaseRow> out;
  for (const CaseFacts& c : facts.cases) {
    if (!InPeriod(c.received_at, period) || !(all || Handles(c, unit))) continue;
    CaseRow row;
    row.facts = &c;
    row.deadline = CurrentDeadline(c);
    row.overdue_now = IsOpenStatus(c.status) && !row.deadline.empty() && Ms(row.deadline) < now_ms;
    if (row.overdue_now)
      row.overdue_working_h =
          static_cast<double>(deadline::WorkingMsBetween(Ms(row.deadline), now_ms, holidays)) /
          kHourMs;
    if (overdue_only && !row.overdue_now) continue;
    out.push_back(std::move(row));
  }
  auto by_received = [](const CaseRow& a, const CaseRow& b) {
    return std::tie(a.facts->received_at, a.facts->id) <
           std::tie(b.facts->received_at, b.facts->id);
  };
  if (overdue_only)
    std::sort(out.begin(), out.end(), [](const CaseRow& a, const CaseRow& b) {
      return std::tie(a.deadline, a.facts->id) < std::tie(b.deadline, b.facts->id);
    });
  else
    std::sort(out.begin(), out.end(), by_received);
  return out;
}

}  // namespace q11::server
