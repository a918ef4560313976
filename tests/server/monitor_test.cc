// The monitoring figures (docs/monitoring.md) on the hand-computed fixture of
// tests/support/monitor_fixture.h: the Store's reads on a real SQLite file, the computation
// with a fixed "now", the CSV and JSON, and the HTTP API's access rules on a real server.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <csignal>

#include "auth/accounts.h"
#include "monitor/unit_report.h"
#include "monitor/unit_report_csv.h"
#include "monitor/unit_report_json.h"
#include "monitor_fixture.h"
#include "protocol/ids.h"
#include "server_test_support.h"
#include "syncserver/server.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;
using Catch::Matchers::Contains;

namespace {

// Fri 2026-11-20 10:00 in Hồ Chí Minh City.
const int64_t kNow = *ParseUtc("2026-11-20T03:00:00Z");

struct Seeded {
  Seeded() {
    auto db = sql::Db::Open(f.db_path, false);
    REQUIRE(db.ok());
    REQUIRE(db->Exec(q11::test::kMonitorFixtureSql).ok());
    auto p = ParsePeriod(q11::test::kMonitorFrom, q11::test::kMonitorTo);
    REQUIRE(p.ok());
    period = *p;
    auto facts_or = f.store->ReadMonitorFacts(period.from_utc, period.to_utc);
    REQUIRE(facts_or.ok());
    facts = std::move(*facts_or);
  }
  const Figures& Row(const UnitReport& r, const std::string& id) {
    for (const Figures& x : r.units)
      if (x.id == id) return x;
    for (const Figures& x : r.categories)
      if (x.id == id) return x;
    FAIL("no row " << id);
    return r.units.front();
  }
  StoreFixture f;
  ReportPeriod period;
  MonitorFacts facts;
};

}  // namespace

TEST_CASE("Monitor - a period is whole Vietnam days, both ends included") {
  auto p = ParsePeriod("2026-11-02", "2026-11-15");
  REQUIRE(p.ok());
  CHECK(p->from_utc == "2026-11-01T17:00:00.000Z");
  CHECK(p->to_utc == "2026-11-15T17:00:00.000Z");
  CHECK_FALSE(ParsePeriod("2026-11-15", "2026-11-02").ok());
  CHECK_FALSE(ParsePeriod("2026-02-30", "2026-03-02").ok());
  CHECK_FALSE(ParsePeriod("2020-01-01", "2026-01-01").ok());
  CHECK(LastDays(kNow, 90).to_day == "2026-11-20");
  CHECK(LastDays(kNow, 90).from_day == "2026-08-23");
}

TEST_CASE("Monitor - the district's figures match the hand-computed fixture") {
  Seeded s;
  // The reads: the seven of the period, R8 (open) and R9 (resolved in the period).
  CHECK(s.facts.cases.size() == 9);
  UnitReport r = ComputeUnitReport(s.facts, s.period, kNow);
  const Figures& d = s.Row(r, "q11");
  CHECK(r.units.front().id == "q11");
  CHECK(d.kind == "district");
  CHECK(d.received == 7);
  CHECK(d.open == 4);
  CHECK(d.in_progress == 1);
  CHECK(d.resolved == 2);
  CHECK(d.rejected == 1);
  CHECK(d.duplicate == 0);
  CHECK(d.overdue_now == 2);
  CHECK(d.resolved_on_time == 1);
  REQUIRE(d.on_time_rate);
  CHECK(*d.on_time_rate == Approx(0.25));  // 1 / (2 resolved + 2 overdue), not 1 / 2
  CHECK(d.accept_samples == 5);
  CHECK(*d.accept_median_h == Approx(1.0));
  CHECK(*d.accept_p90_h == Approx(5.5));
  CHECK(d.resolve_samples == 2);
  CHECK(*d.resolve_median_h == Approx(9.0));
  CHECK(*d.resolve_p90_h == Approx(30.5));
  CHECK(d.ever_resolved == 3);
  CHECK(d.reopened == 2);
  CHECK(*d.reopen_rate == Approx(2.0 / 3));
  CHECK(d.ratings == 2);
  CHECK(*d.satisfaction == Approx(3.5));  // R1's latest rating (5) and R2's (2)
}

TEST_CASE("Monitor - wards, departments and categories count the cases they handle") {
  Seeded s;
  UnitReport r = ComputeUnitReport(s.facts, s.period, kNow);
  const Figures& p04 = s.Row(r, "p04");
  CHECK(p04.received == 4);
  CHECK(p04.open == 2);
  CHECK(p04.overdue_now == 2);
  CHECK(*p04.on_time_rate == Approx(0.25));
  CHECK(*p04.accept_median_h == Approx(0.5));
  CHECK(*p04.accept_p90_h == Approx(5.5));
  CHECK(*p04.resolve_median_h == Approx(9.0));
  CHECK(*p04.satisfaction == Approx(3.5));

  const Figures& p05 = s.Row(r, "p05");
  CHECK(p05.received == 3);
  CHECK(p05.open == 2);
  CHECK(p05.rejected == 1);
  CHECK(p05.overdue_now == 0);  // R5's announced expected date moved its deadline
  CHECK_FALSE(p05.on_time_rate.has_value());
  CHECK(*p05.accept_median_h == Approx(1.0));
  CHECK_FALSE(p05.resolve_median_h.has_value());
  CHECK_FALSE(p05.satisfaction.has_value());

  const Figures& qldt = s.Row(r, "phong-qldt");
  CHECK(qldt.kind == "department");
  CHECK(qldt.received == 1);
  CHECK(qldt.in_progress == 1);
  CHECK(qldt.overdue_now == 1);
  CHECK(*qldt.on_time_rate == Approx(0.0));

  CHECK(s.Row(r, "p01").received == 0);
  CHECK(s.Row(r, "ngap-nuoc").received == 5);
  CHECK(s.Row(r, "rac-thai").received == 2);
  CHECK(s.Row(r, "rac-thai").kind == "category");
}

TEST_CASE("Monitor - weekly trend, backlog by age and the map of open reports") {
  Seeded s;
  UnitReport r = ComputeUnitReport(s.facts, s.period, kNow);
  REQUIRE(r.weeks.size() == 2);
  CHECK(r.weeks[0].week_start == "2026-11-02");
  CHECK(r.weeks[0].received == 3);
  CHECK(r.weeks[0].resolved == 3);  // R1, R2 and R9 (received before the period)
  CHECK(r.weeks[1].week_start == "2026-11-09");
  CHECK(r.weeks[1].received == 4);
  CHECK(r.weeks[1].resolved == 0);
  // Open at Fri 11-20 10:00: R7 50 h, R5 66 h, R4 74 h (6-9 working days); R3 97 h and R8.
  REQUIRE(r.backlog.size() == 5);
  CHECK(r.backlog[0].open + r.backlog[1].open + r.backlog[2].open == 0);
  CHECK(r.backlog[3].open == 3);
  CHECK(r.backlog[3].overdue == 1);
  CHECK(r.backlog[4].open == 2);
  CHECK(r.backlog[4].overdue == 2);
  // The map: open reports with a location.
  REQUIRE(r.map.size() == 2);
  CHECK(r.map[0].receipt_code == "Q11-AAAA-0003");
  CHECK(r.map[0].lat == Approx(10.765));
  CHECK(r.map[0].overdue);
  CHECK(r.map[1].receipt_code == "Q11-AAAA-0007");
}

TEST_CASE("Monitor - a unit's overdue cases, most overdue first, and one case's history") {
  Seeded s;
  std::vector<CaseRow> late = CasesOf(s.facts, s.period, "p04", true, kNow);
  REQUIRE(late.size() == 2);
  CHECK(late[0].facts->receipt_code == "Q11-AAAA-0003");
  CHECK(late[1].facts->receipt_code == "Q11-AAAA-0007");
  // R3 due Fri 11-06 17:00: two working weeks less Friday afternoon (40 + 32 h), then
  // Fri 20 07:30-10:00; R7 due Fri 11-13 17:00: 32 + 2.5 h.
  CHECK(late[0].overdue_working_h == Approx(74.5));
  CHECK(late[1].overdue_working_h == Approx(34.5));
  CHECK(CasesOf(s.facts, s.period, "p05", true, kNow).empty());
  CHECK(CasesOf(s.facts, s.period, "q11", false, kNow).size() == 7);
  CHECK(CasesOf(s.facts, s.period, "", true, kNow).size() == 2);

  auto h = s.f.store->ReadCaseHistory("00000000-0000-7000-8000-000000000002");
  REQUIRE(h.ok());
  REQUIRE(h->has_value());
  CHECK((*h)->facts.reopened);
  CHECK((*h)->facts.accepted_at == "2026-11-03T08:00:00.000Z");
  REQUIRE((*h)->events.size() == 5);
  CHECK((*h)->events[2].status == "reopened");
  CHECK((*h)->events[2].note == "Vẫn nghẹt");
  CHECK((*h)->events[4].stars == 2);
  std::string json = CaseHistoryJson(**h, kNow);
  CHECK_THAT(json, Contains("\"reopened\":true"));
  CHECK_THAT(json, !Contains("cd-r2"));  // no reporter reference
  auto none = s.f.store->ReadCaseHistory("nope");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("Monitor - CSV quotes fields, guards formulas and starts with a UTF-8 BOM") {
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvField("two\nlines") == "\"two\nlines\"");
  CHECK(CsvField("=1+1") == "'=1+1");
  CHECK(CsvField("-2") == "'-2");
  Seeded s;
  UnitReport r = ComputeUnitReport(s.facts, s.period, kNow);
  std::string units = UnitsCsv(r);
  CHECK(units.rfind("\xEF\xBB\xBF"
                    "from,to,now,id,kind,",
                    0) == 0);
  CHECK_THAT(units, Contains("\r\n2026-11-02,2026-11-15,2026-11-20T03:00:00.000Z,q11,district,"));
  CHECK_THAT(units, Contains(",7,4,1,2,1,0,2,1,0.2500,1.0,5.5,9.0,30.5,3,2,0.6667,2,3.50\r\n"));
  std::string cases = CasesCsv(CasesOf(s.facts, s.period, "", false, kNow));
  CHECK_THAT(cases, Contains("\"Rác \"\"tồn đọng\"\", hẻm 12\""));
  CHECK_THAT(cases, Contains(",'=1+1 ngập lại,"));
  // R1: received, accepted, assigned (none), due, expected (none), deadline, resolved, closed.
  CHECK_THAT(cases, Contains("2026-11-02T01:00:00.000Z,2026-11-02T03:00:00.000Z,,"
                             "2026-11-04T10:00:00.000Z,,2026-11-04T10:00:00.000Z,"
                             "2026-11-03T02:00:00.000Z,2026-11-04T01:00:00.000Z,"));
  std::string json = UnitReportJson(r);
  CHECK_THAT(json, Contains("\"on_time_rate\":0.25"));
  CHECK_THAT(json, Contains("\"reopen_rate\":0.6667"));
}

namespace {

struct HttpReply {
  int status = 0;
  std::string type, body;
};

HttpReply Get(uint16_t port, const std::string& path, const std::string& token) {
  Poco::Net::HTTPClientSession s("127.0.0.1", port);
  Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  HttpReply r;
  r.status = resp.getStatus();
  r.type = resp.getContentType();
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

std::string Login(uint16_t port, const std::string& name, const std::string& password) {
  Poco::Net::HTTPClientSession s("127.0.0.1", port);
  Poco::Net::HTTPRequest req("POST", "/v1/login", Poco::Net::HTTPMessage::HTTP_1_1);
  std::string body = R"({"name":")" + name + R"(","password":")" + password + R"("})";
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::string out;
  Poco::StreamCopier::copyToString(s.receiveResponse(resp), out);
  REQUIRE(resp.getStatus() == 200);
  Poco::JSON::Parser p;
  return p.parse(out).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("token");
}

}  // namespace

TEST_CASE("Monitor HTTP - leaders and admins only, the same figures as the CLI's computation") {
  std::signal(SIGPIPE, SIG_IGN);
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.port = 0;
  o.log_requests = false;
  o.login_per_minute = 0;
  auto started = Server::Start(o);
  REQUIRE(started.ok());
  auto& server = *started;
  Store& store = server->store();
  for (auto [name, role, unit] :
       {std::tuple{"lanhdao", Role::kLeader, ""}, std::tuple{"admin", Role::kAdmin, ""},
        std::tuple{"canbo", Role::kOfficial, "q11"}})
    REQUIRE(CreateAccount(store, NewAccount{name, "mat-khau-2026", role, unit}, kNowMs, 1000).ok());
  {
    auto db = sql::Db::Open(o.data_dir + "/syncserver.db", false);
    REQUIRE(db.ok());
    REQUIRE(db->Exec(q11::test::kMonitorFixtureSql).ok());
  }
  const uint16_t port = server->port();
  const std::string units = "/v1/monitor/units?from=2026-11-02&to=2026-11-15";
  CHECK(Get(port, units, "").status == 401);
  CHECK(Get(port, units, "garbage").status == 401);
  CHECK(Get(port, units, Login(port, "canbo", "mat-khau-2026")).status == 403);
  CHECK(Get(port, "/v1/monitor/cases.csv", Login(port, "canbo", "mat-khau-2026")).status == 403);

  const std::string leader = Login(port, "lanhdao", "mat-khau-2026");
  HttpReply r = Get(port, units, leader);
  REQUIRE(r.status == 200);
  CHECK_THAT(r.type, Contains("application/json"));
  Poco::JSON::Parser parser;
  auto j = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
  auto district = j->getArray("units")->getObject(0);
  CHECK(district->getValue<std::string>("id") == "q11");
  CHECK(district->getValue<int>("received") == 7);
  CHECK(district->getValue<int>("resolved") == 2);
  CHECK(district->getValue<double>("resolve_p90_hours") == Approx(30.5));
  CHECK(j->getArray("weeks")->size() == 2);

  CHECK(Get(port, "/v1/monitor/units?from=2026-11-15&to=2026-11-02", leader).status == 400);
  CHECK(Get(port, "/v1/monitor/units?bogus=1", leader).status == 400);
  CHECK(Get(port, "/v1/monitor/units", leader).status == 200);  // the last 90 days

  HttpReply late = Get(port, "/v1/monitor/units/p04/overdue?from=2026-11-02&to=2026-11-15",
                       Login(port, "admin", "mat-khau-2026"));
  REQUIRE(late.status == 200);
  CHECK_THAT(late.body, Contains("Q11-AAAA-0003"));
  CHECK(Get(port, "/v1/monitor/units/nowhere/overdue", leader).status == 404);

  HttpReply one = Get(port, "/v1/monitor/cases/00000000-0000-7000-8000-000000000003", leader);
  REQUIRE(one.status == 200);
  CHECK_THAT(one.body, Contains("Chuyển Phòng QLĐT"));
  CHECK(Get(port, "/v1/monitor/cases/unknown-id", leader).status == 404);

  HttpReply csv = Get(port, "/v1/monitor/cases.csv?from=2026-11-02&to=2026-11-15&unit=p05", leader);
  REQUIRE(csv.status == 200);
  CHECK_THAT(csv.type, Contains("text/csv"));
  CHECK(csv.body.rfind("\xEF\xBB\xBF"
                       "id,receipt_code,",
                       0) == 0);
  CHECK_THAT(csv.body, Contains("Q11-AAAA-0004"));
  CHECK_THAT(csv.body, !Contains("Q11-AAAA-0001"));  // p04's
  CHECK(Get(port, "/v1/monitor/cases.csv?unit=nowhere", leader).status == 404);
  HttpReply ucsv = Get(port, "/v1/monitor/units.csv?from=2026-11-02&to=2026-11-15", leader);
  REQUIRE(ucsv.status == 200);
  CHECK_THAT(ucsv.body, Contains(",q11,district,"));

  HttpReply page = Get(port, "/monitor", "");
  CHECK(page.status == 200);
  CHECK_THAT(page.type, Contains("text/html"));
  CHECK(Get(port, "/monitor/vendor/chart.umd.min.js", "").status == 200);
  CHECK(Get(port, "/monitor/nothing.js", "").status == 404);
}
