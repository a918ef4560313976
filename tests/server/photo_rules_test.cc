// The write rules and audiences of photo rows (change_validator.h, row_merger.h), through
// the real store: who may attach which photos to which reports, the limits, and who pulls
// them.
#include <catch2/catch.hpp>

#include "protocol/photo_limits.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

std::string FiledReport(StoreFixture& f, const std::string& ward) {
  DeviceDb phone;
  std::string id = NewId();
  auto v = f.PushOne(f.citizen, "phone-" + id, 1, phone.Capture(InsertReportSql(id, ward)));
  REQUIRE(v.verdict == wire::Verdict::kApplied);
  return id;
}

std::string Sha(int n) {
  char hex[65];
  std::snprintf(hex, sizeof hex, "%064x", n);
  return hex;
}

std::string InsertPhotoSql(const std::string& report, const std::string& role, int n,
                           int64_t bytes = 1000, const std::string& mime = "image/jpeg") {
  return "INSERT INTO photos(id, report_id, role, sha256, mime, bytes, created_at) VALUES ('" +
         NewId() + "', '" + report + "', '" + role + "', '" + Sha(n) + "', '" + mime + "', " +
         std::to_string(bytes) + ", '2026-11-27T08:00:00Z')";
}

bool PullHasPhoto(StoreFixture& f, const Account& who, int n) {
  auto page = f.store->Pull(who, 0, 0);
  REQUIRE(page.ok());
  return page->changeset.find(Sha(n)) != std::string::npos;
}

}  // namespace

TEST_CASE("Photo rows: a citizen attaches report photos to their own report only") {
  StoreFixture f;
  std::string own = FiledReport(f, "p04");
  DeviceDb phone;
  auto ok = f.PushOne(f.citizen, "phone", 1, phone.Capture(InsertPhotoSql(own, "report", 1)));
  CHECK(ok.verdict == wire::Verdict::kApplied);
  // The server stamps the author.
  CHECK(f.Query("SELECT author_role FROM photos WHERE sha256 = '" + Sha(1) + "'") == "citizen");
  auto result_role =
      f.PushOne(f.citizen, "phone", 2, phone.Capture(InsertPhotoSql(own, "result", 2)));
  RequireRejected(result_role, "citizens attach report photos, not result photos");
  DeviceDb other;
  auto theirs =
      f.PushOne(f.other_citizen, "other", 1, other.Capture(InsertPhotoSql(own, "report", 3)));
  RequireRejected(theirs, "only to their own reports");
}

TEST_CASE("Photo rows: officials attach result photos to their unit's reports only") {
  StoreFixture f;
  std::string p04 = FiledReport(f, "p04"), p05 = FiledReport(f, "p05");
  DeviceDb tablet;
  auto ok =
      f.PushOne(f.official_p04, "tablet", 1, tablet.Capture(InsertPhotoSql(p04, "result", 1)));
  CHECK(ok.verdict == wire::Verdict::kApplied);
  auto other_unit =
      f.PushOne(f.official_p04, "tablet", 2, tablet.Capture(InsertPhotoSql(p05, "result", 2)));
  RequireRejected(other_unit, "outside your unit");
  auto report_role =
      f.PushOne(f.official_p04, "tablet", 3, tablet.Capture(InsertPhotoSql(p04, "report", 3)));
  RequireRejected(report_role, "staff attach result photos");
}

TEST_CASE("Photo rows: limits, types and append-only are enforced") {
  StoreFixture f;
  std::string own = FiledReport(f, "p04");
  DeviceDb phone;
  uint64_t seq = 0;
  RequireRejected(
      f.PushOne(f.citizen, "phone", ++seq,
                phone.Capture(InsertPhotoSql(own, "report", 1, photos::kMaxPhotoBytes + 1))),
      "a photo must be 1 byte to 8 MiB");
  RequireRejected(f.PushOne(f.citizen, "phone", ++seq,
                            phone.Capture(InsertPhotoSql(own, "report", 1, 1000, "image/svg+xml"))),
                  "must be image/jpeg, image/png, image/webp or image/heic");
  RequireRejected(f.PushOne(f.citizen, "phone", ++seq,
                            phone.Capture("INSERT INTO photos(id, report_id, role, sha256, mime, "
                                          "bytes, created_at) VALUES ('x1', '" +
                                          own +
                                          "', 'report', 'ABC', 'image/jpeg', 10, "
                                          "'2026-11-27T08:00:00Z')")),
                  "64 lowercase hex digits");
  // Six pass (in two entries), the seventh is refused, whatever entry it comes in.
  std::string three;
  for (int i = 0; i < 3; ++i) three += InsertPhotoSql(own, "report", 10 + i) + ";";
  CHECK(f.PushOne(f.citizen, "phone", ++seq, phone.Capture(three)).verdict ==
        wire::Verdict::kApplied);
  std::string four;
  for (int i = 0; i < 4; ++i) four += InsertPhotoSql(own, "report", 20 + i) + ";";
  RequireRejected(f.PushOne(f.citizen, "phone", ++seq, phone.Capture(four)), "at most 6");
  three.clear();
  for (int i = 0; i < 3; ++i) three += InsertPhotoSql(own, "report", 30 + i) + ";";
  CHECK(f.PushOne(f.citizen, "phone", ++seq, phone.Capture(three)).verdict ==
        wire::Verdict::kApplied);
  CHECK(f.Query("SELECT count(*) FROM photos") == "6");
  // Officials' result photos count apart from the citizen's.
  DeviceDb tablet;
  CHECK(f.PushOne(f.official_p04, "tablet", 1, tablet.Capture(InsertPhotoSql(own, "result", 40)))
            .verdict == wire::Verdict::kApplied);
}

TEST_CASE("Photo rows reach the audiences of their report and no one else") {
  StoreFixture f;
  std::string p04 = FiledReport(f, "p04");
  DeviceDb phone;
  REQUIRE(
      f.PushOne(f.citizen, "phone", 1, phone.Capture(InsertPhotoSql(p04, "report", 1))).verdict ==
      wire::Verdict::kApplied);
  CHECK(PullHasPhoto(f, f.citizen, 1));
  CHECK(PullHasPhoto(f, f.official_p04, 1));
  CHECK(PullHasPhoto(f, f.official_q11, 1));
  CHECK(PullHasPhoto(f, f.leader, 1));
  CHECK_FALSE(PullHasPhoto(f, f.official_p05, 1));
  CHECK_FALSE(PullHasPhoto(f, f.other_citizen, 1));
  auto holders = f.store->FindPhotoHolders(Sha(1));
  REQUIRE(holders.ok());
  REQUIRE(holders->size() == 1);
  CHECK(holders->front().report_id == p04);
  CHECK(holders->front().ward_id == "p04");
}
