// Randomized convergence: devices of citizens and officials do random offline operations
// and sync in random orders against the real server. At the end every device holds exactly
// the server's view for its user, and every local change got exactly one verdict (applied,
// merged, parked or rejected): none lost, none pending.
//
// The normal suite runs a few fixed seeds; Q11_SOAK_SEEDS=N runs N seeds (soak mode).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <random>

#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

struct Actor {
  std::string user, password, role, unit;
};

struct Dev {
  Actor actor;
  std::unique_ptr<Database> db;
  int64_t writes = 0;    // local transactions made (outbox entries)
  int64_t verdicts = 0;  // verdicts received
};

// Rows of `table` as one canonical text, optionally limited by a WHERE clause.
std::string Dump(sql::Db& db, const std::string& table, const std::string& where) {
  auto st = db.Prepare("SELECT * FROM " + table + (where.empty() ? "" : " WHERE " + where) +
                       " ORDER BY id");
  REQUIRE(st.ok());
  std::string out;
  int n = sqlite3_column_count(st->get());
  while (*st->Step()) {
    for (int c = 0; c < n; ++c) out += (st->IsNull(c) ? "∅" : st->Text(c)) + "|";
    out += "\n";
  }
  return out;
}

// What the server says this account may see (docs/architecture.md, "Audiences").
std::string ReportScope(const Actor& a, const std::string& ref) {
  if (a.role == "citizen") return "reporter_ref = '" + ref + "'";
  if (a.unit == "q11") return "";
  return "ward_id = '" + a.unit + "' OR assigned_unit = '" + a.unit + "'";
}

void RunSeed(uint32_t seed) {
  INFO("seed " << seed);
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  const std::vector<Actor> actors = {
      {"dan.a", "mat-khau-a", "citizen", ""},
      {"dan.b", "mat-khau-b", "citizen", ""},
      {"canbo.q11a", "mat-khau-q", "official", "q11"},
      {"canbo.q11b", "mat-khau-q", "official", "q11"},
      {"canbo.p01", "mat-khau-p", "official", "p01"},
  };
  for (const Actor& a : actors) REQUIRE(server.AddUser(a.user, a.password, a.role, a.unit));
  REQUIRE(server.Start());
  const std::string url = server.url();

  // Citizen dan.a uses two phones; everyone else one.
  std::vector<Dev> devs;
  for (int i = 0; i < 6; ++i) {
    const Actor& a = actors[i == 5 ? 0 : i];
    Dev d{a, std::move(Database::Open(tmp.File("dev" + std::to_string(i) + ".db"))).value()};
    auto http = std::move(MakeHttpTransport(url)).value();
    REQUIRE(Login(*d.db, *http, url, a.user, a.password).ok());
    devs.push_back(std::move(d));
  }

  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const std::vector<std::string> wards = {"p01", "p02", "p03"};
  const std::vector<std::string> statuses = {"accepted", "in_progress", "resolved", "rejected",
                                             "closed"};
  const std::vector<std::string> depts = {"phong-qldt", "phong-tnmt"};
  auto sync = [&](Dev& d) {
    auto http = std::move(MakeHttpTransport(url)).value();
    auto r = Sync(*d.db, *http);
    REQUIRE(r.ok());
    d.verdicts += r->applied + r->merged + r->parked + r->rejected;
  };

  for (int step = 0; step < 120; ++step) {
    Dev& d = devs[pick(static_cast<int>(devs.size()))];
    int op = pick(10);
    if (op < 3) {
      sync(d);
      continue;
    }
    auto reports = d.db->ListReports();
    REQUIRE(reports.ok());
    // A write that changes nothing makes no outbox entry, so count entries, not calls.
    int64_t pending_before = *d.db->PendingCount();
    if (d.actor.role == "citizen") {
      if (op < 7 || reports->empty()) {
        NewReport r;
        r.category_id = pick(2) ? "cay-xanh" : "rac-thai";
        r.ward_id = wards[pick(3)];
        r.title = "Cây đổ chắn lối đi #" + std::to_string(step);
        r.description = "Seed " + std::to_string(seed) + ", bước " + std::to_string(step);
        REQUIRE(d.db->FileReport(r).ok());
      } else {
        const Report& r = (*reports)[pick(static_cast<int>(reports->size()))];
        REQUIRE(d.db->AddComment(r.id, "Bổ sung thông tin lần " + std::to_string(step)).ok());
      }
    } else if (!reports->empty()) {
      const Report& r = (*reports)[pick(static_cast<int>(reports->size()))];
      if (op < 6) {
        REQUIRE(
            d.db->SetStatus(r.id, statuses[pick(5)], "Ghi chú bước " + std::to_string(step)).ok());
      } else if (op < 8) {
        REQUIRE(d.db->ExecCaptured("UPDATE reports SET assigned_unit='" + depts[pick(2)] +
                                   "' WHERE id='" + r.id + "'")
                    .ok());
      } else {
        REQUIRE(d.db->ExecCaptured("UPDATE reports SET due_at='2027-01-0" +
                                   std::to_string(1 + pick(9)) + "T10:00:00.000Z' WHERE id='" +
                                   r.id + "'")
                    .ok());
      }
    }
    d.writes += *d.db->PendingCount() - pending_before;
  }
  // Everyone syncs until quiet: twice round, so the last pushes reach all views.
  for (int round = 0; round < 2; ++round)
    for (Dev& d : devs) sync(d);

  for (Dev& d : devs) {
    INFO("device of " << d.actor.user);
    CHECK(*d.db->PendingCount() == 0);
    CHECK(d.verdicts == d.writes);
    auto account = d.db->GetAccount();
    REQUIRE(account.ok());
    std::string scope = ReportScope(d.actor, account->reporter_ref);
    std::string event_scope =
        scope.empty() ? "" : "report_id IN (SELECT id FROM reports WHERE " + scope + ")";
    auto local =
        std::move(sql::Db::Open(tmp.File("dev" + std::to_string(&d - devs.data()) + ".db"), false))
            .value();
    CHECK(Dump(local, "reports", "") == ServerDbDump(server.data_dir(), "reports", scope));
    CHECK(Dump(local, "case_events", "") ==
          ServerDbDump(server.data_dir(), "case_events", event_scope));
  }
}

}  // namespace

TEST_CASE("Random offline work on six devices converges to the server's view") {
  int seeds = 3;
  if (const char* soak = std::getenv("Q11_SOAK_SEEDS")) seeds = std::max(1, std::atoi(soak));
  for (int s = 1; s <= seeds; ++s) RunSeed(static_cast<uint32_t>(s * 7919));
}
