// What the admin console gets with a conflict (conflict_context.h, conflict_json.h): the
// case it is about, who made each side's value and what they wrote with it, readable
// column names, the units one may choose, a citizen only by pseudonym; and the resolver's
// check that a ward is a ward. HTTP access (admins only) is checked by the integration
// test console_reads_test.cc on both engines.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include "conflicts/conflict_json.h"
#include "q11sqlite/sqlite.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

Poco::JSON::Object::Ptr Parse(const std::string& json) {
  return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

// A status change and the status event that announces it, as one captured write.
std::string StatusWithNote(const std::string& report, const std::string& status,
                           const std::string& note) {
  return "UPDATE reports SET status = '" + status + "' WHERE id = '" + report +
         "'; INSERT INTO case_events (id, report_id, kind, status, note, created_at) VALUES ('" +
         NewId() + "', '" + report + "', 'status', '" + status + "', '" + note +
         "', '2026-11-27T08:30:00.000Z')";
}

std::string AssignWithNote(const std::string& report, const std::string& unit,
                           const std::string& note) {
  return "UPDATE reports SET assigned_unit = '" + unit + "' WHERE id = '" + report +
         "'; INSERT INTO case_events (id, report_id, kind, unit_id, note, created_at) VALUES ('" +
         NewId() + "', '" + report + "', 'assignment', '" + unit + "', '" + note +
         "', '2026-11-27T08:30:00.000Z')";
}

// A report filed by the fixture's citizen, pulled by two officials' devices.
struct Filed {
  explicit Filed(StoreFixture& f) : f(f) {
    id = NewId();
    REQUIRE(f.PushOne(f.citizen, "phone-" + id, 1, phone.Capture(InsertReportSql(id))).verdict ==
            wire::Verdict::kApplied);
    PullInto(f, f.official_p04, a);
    PullInto(f, f.official_q11, b);
  }
  StoreFixture& f;
  std::string id;
  DeviceDb phone, a, b;
};

std::string OnlyConflict(StoreFixture& f) {
  auto list = f.store->ListConflicts(ConflictFilter{});
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  return list->front().id;
}

}  // namespace

TEST_CASE("Console: a conflict names its case, both officials and what each wrote") {
  StoreFixture f;
  Filed r(f);
  f.now_ms += 60'000;
  REQUIRE(f.PushOne(f.official_p04, "a", 1,
                    r.a.Capture(StatusWithNote(r.id, "accepted", "Đã tiếp nhận, tổ kiểm tra")))
              .verdict == wire::Verdict::kApplied);
  f.now_ms += 60'000;
  REQUIRE(f.PushOne(f.official_q11, "b", 1,
                    r.b.Capture(StatusWithNote(r.id, "rejected", "Không thuộc thẩm quyền")))
              .verdict == wire::Verdict::kParked);
  const std::string receipt = f.Query("SELECT receipt_code FROM reports");
  REQUIRE(!receipt.empty());

  auto d = f.store->GetConflict(OnlyConflict(f));
  INFO(d.status().ToString());
  REQUIRE(d.ok());
  REQUIRE(d->summary.report.has_value());
  const ConflictCase& c = *d->summary.report;
  CHECK(c.report_id == r.id);
  CHECK(c.receipt_code == receipt);
  CHECK(c.title == "Rác tồn đọng");
  CHECK(c.status == "accepted");
  CHECK(c.ward_id == "p04");
  CHECK(c.ward_vi == "Phường 4");
  CHECK(c.ward_en == "Ward 4");
  CHECK_FALSE(c.withdrawn);
  CHECK(d->summary.user == "canbo.q11");
  CHECK(d->summary.user_role == "official");

  // The server's value came with official p04's status event; the device's with q11's.
  REQUIRE(d->server_side.who.has_value());
  CHECK(d->server_side.who->name == "canbo.p04");
  CHECK(d->server_side.who->role == "official");
  CHECK(d->server_side.who->unit_vi == "Phường 4");
  REQUIRE(d->server_side.notes.size() == 1);
  CHECK(d->server_side.notes[0].note == "Đã tiếp nhận, tổ kiểm tra");
  CHECK(d->server_side.notes[0].status == "accepted");
  CHECK_FALSE(d->server_side.notes[0].overruled);
  REQUIRE(d->device_side.who.has_value());
  CHECK(d->device_side.who->name == "canbo.q11");
  CHECK(d->device_side.who->unit_vi == "Quận 11");
  REQUIRE(d->device_side.notes.size() == 1);
  CHECK(d->device_side.notes[0].note == "Không thuộc thẩm quyền");
  CHECK(d->device_side.notes[0].overruled);  // it announced the parked status
  CHECK(d->units.empty());                   // no column holds a unit

  // The same in the JSON the console reads.
  auto o = Parse(ConflictDetailJson(*d));
  auto kase = o->getObject("case");
  CHECK(kase->getValue<std::string>("receipt_code") == receipt);
  CHECK(kase->getValue<std::string>("title") == "Rác tồn đọng");
  CHECK(kase->getValue<std::string>("ward_name_vi") == "Phường 4");
  CHECK(kase->getValue<std::string>("ward_name_en") == "Ward 4");
  auto column = o->getArray("columns")->getObject(0);
  CHECK(column->getValue<std::string>("column") == "status");
  CHECK(column->getValue<std::string>("label_vi") == "Trạng thái");
  CHECK(column->getValue<std::string>("label_en") == "Status");
  CHECK(column->getValue<std::string>("kind") == "status");
  CHECK_FALSE(column->has("choices"));
  auto server = o->getObject("server_side");
  CHECK(server->getObject("who")->getValue<std::string>("name") == "canbo.p04");
  CHECK(server->getObject("who")->getValue<std::string>("unit_name_en") == "Ward 4");
  CHECK(server->getArray("notes")->getObject(0)->getValue<std::string>("note") ==
        "Đã tiếp nhận, tổ kiểm tra");
  auto device = o->getObject("device_side");
  CHECK(device->getObject("who")->getValue<std::string>("role") == "official");
  CHECK(device->getArray("notes")->getObject(0)->getValue<bool>("overruled"));

  // The list carries the case and the columns' names too.
  auto list = f.store->ListConflicts(ConflictFilter{});
  REQUIRE(list.ok());
  auto l = Parse(ConflictListJson(*list))->getArray("conflicts")->getObject(0);
  CHECK(l->getObject("case")->getValue<std::string>("receipt_code") == receipt);
  CHECK(l->getValue<std::string>("user_role") == "official");
  CHECK(l->getArray("column_labels")->getObject(0)->getValue<std::string>("label_vi") ==
        "Trạng thái");
}

TEST_CASE("Console: a unit column offers the server's units by name; a resolution takes one") {
  StoreFixture f;
  Filed r(f);
  f.now_ms += 60'000;
  REQUIRE(f.PushOne(f.official_p04, "a", 1,
                    r.a.Capture(AssignWithNote(r.id, "phong-qldt", "Chuyển Phòng QLĐT")))
              .verdict == wire::Verdict::kApplied);
  f.now_ms += 60'000;
  REQUIRE(f.PushOne(f.official_q11, "b", 1,
                    r.b.Capture(AssignWithNote(r.id, "doi-ttdt", "Giao Đội Thanh tra")))
              .verdict == wire::Verdict::kParked);
  const std::string id = OnlyConflict(f);
  auto d = f.store->GetConflict(id);
  REQUIRE(d.ok());
  CHECK(d->server_side.who->name == "canbo.p04");
  CHECK(d->server_side.notes.at(0).unit_id == "phong-qldt");
  CHECK(d->device_side.notes.at(0).note == "Giao Đội Thanh tra");
  CHECK(d->units.size() == static_cast<size_t>(std::stoi(f.Query("SELECT count(*) FROM units"))));

  auto column = Parse(ConflictDetailJson(*d))->getArray("columns")->getObject(0);
  CHECK(column->getValue<std::string>("column") == "assigned_unit");
  CHECK(column->getValue<std::string>("label_vi") == "Đơn vị được giao");
  CHECK(column->getValue<std::string>("kind") == "unit");
  auto choices = column->getArray("choices");
  REQUIRE(choices->size() == d->units.size());
  bool tnmt = false;
  for (size_t i = 0; i < choices->size(); ++i) {
    auto u = choices->getObject(i);
    if (u->getValue<std::string>("id") == "phong-tnmt") {
      tnmt = true;
      CHECK(u->getValue<std::string>("name_vi") == "Phòng Tài nguyên và Môi trường");
      CHECK(u->getValue<std::string>("kind") == "department");
    }
  }
  CHECK(tnmt);

  // The admin picks a third unit from the list.
  ConflictDecision pick;
  pick.set["assigned_unit"] = FieldValue::Text("phong-tnmt");
  REQUIRE(f.store->ResolveConflict(id, pick, "admin").ok());
  CHECK(f.Query("SELECT assigned_unit FROM reports") == "phong-tnmt");
}

TEST_CASE("Console: a ward column offers wards only, and a resolution must name a ward") {
  // Devices may not move a report to another ward (the write rules refuse it), so no push
  // parks one; the resolver writes as the server, though, and checks the ward itself. The
  // conflict is put in the queue directly.
  StoreFixture f;
  Filed r(f);
  {
    auto db = sql::Db::Open(f.db_path, false);
    REQUIRE(db.ok());
    REQUIRE(
        db->Exec("INSERT INTO conflicts (id, tbl, pk, op, unit, user_id, user_name, device_id, "
                 "row_seq, created_at) SELECT 'c-ward', 'reports', '" +
                 r.id + "', 'update', 'p04', '" + f.official_q11.id +
                 "', 'canbo.q11', 'b', seq, '2026-11-27T09:00:00.000Z' FROM row_log WHERE pk = '" +
                 r.id +
                 "'; INSERT INTO conflict_columns (conflict_id, position, col, base_value, "
                 "device_value, server_value) VALUES ('c-ward', 3, 'ward_id', 'p04', 'p06', "
                 "'p04')")
            .ok());
  }
  auto d = f.store->GetConflict("c-ward");
  REQUIRE(d.ok());
  auto column = Parse(ConflictDetailJson(*d))->getArray("columns")->getObject(0);
  REQUIRE(column->getValue<std::string>("column") == "ward_id");
  CHECK(column->getValue<std::string>("label_vi") == "Phường");
  CHECK(column->getValue<std::string>("kind") == "ward");
  auto choices = column->getArray("choices");
  CHECK(choices->size() ==
        static_cast<size_t>(std::stoi(f.Query("SELECT count(*) FROM units WHERE kind = 'ward'"))));
  for (size_t i = 0; i < choices->size(); ++i)
    CHECK(choices->getObject(i)->getValue<std::string>("kind") == "ward");

  ConflictDecision department;
  department.set["ward_id"] = FieldValue::Text("phong-qldt");
  auto refused = f.store->ResolveConflict("c-ward", department, "admin");
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(refused.status().message(), Catch::Contains("not a ward"));
  ConflictDecision p07;
  p07.set["ward_id"] = FieldValue::Text("p07");
  auto ok = f.store->ResolveConflict("c-ward", p07, "admin");
  INFO(ok.status().ToString());
  REQUIRE(ok.ok());
  CHECK(f.Query("SELECT ward_id FROM reports") == "p07");
}

TEST_CASE("Console: a citizen is named by pseudonym, never by account name") {
  StoreFixture f;
  Filed r(f);
  REQUIRE(f.PushOne(f.official_p04, "a", 1,
                    r.a.Capture(StatusWithNote(r.id, "accepted", "Đã tiếp nhận")))
              .verdict == wire::Verdict::kApplied);
  // The citizen, still on their base (new), edits the title: parked whole.
  REQUIRE(
      f.PushOne(f.citizen, "phone-" + r.id, 2,
                r.phone.Capture("UPDATE reports SET title = 'Rác tồn đọng ở hẻm 5' WHERE id = '" +
                                r.id + "'"))
          .verdict == wire::Verdict::kParked);
  const std::string id = OnlyConflict(f);
  REQUIRE(!f.citizen.reporter_ref.empty());

  auto d = f.store->GetConflict(id);
  REQUIRE(d.ok());
  CHECK(d->summary.user == f.citizen.reporter_ref);
  CHECK(d->summary.user_role == "citizen");
  REQUIRE(d->device_side.who.has_value());
  CHECK(d->device_side.who->reporter_ref == f.citizen.reporter_ref);
  CHECK(d->device_side.who->name.empty());
  // Nobody on the server changed the title: no one to name on that side.
  CHECK_FALSE(d->server_side.who.has_value());
  const std::string detail = ConflictDetailJson(*d);
  auto list = f.store->ListConflicts(ConflictFilter{});
  REQUIRE(list.ok());
  const std::string listed = ConflictListJson(*list);
  CHECK_THAT(detail, Catch::Contains(f.citizen.reporter_ref));
  CHECK_THAT(detail, !Catch::Contains("\"" + f.citizen.name + "\""));
  CHECK_THAT(listed, !Catch::Contains("\"" + f.citizen.name + "\""));
  CHECK(Parse(detail)->getArray("columns")->getObject(0)->getValue<std::string>("label_vi") ==
        "Tiêu đề");
}

TEST_CASE("Console: a withdrawn report is still shown, with who withdrew it by pseudonym") {
  StoreFixture f;
  Filed r(f);
  // The citizen withdraws it while nobody handled it; an official's offline change of it
  // is then parked as update_deleted.
  PullInto(f, f.citizen, r.phone);  // the server's stamps (receipt code...) as the phone has them
  REQUIRE(f.PushOne(f.citizen, "phone-" + r.id, 2,
                    r.phone.Capture("DELETE FROM reports WHERE id = '" + r.id + "'"))
              .verdict == wire::Verdict::kApplied);
  REQUIRE(f.PushOne(f.official_p04, "a", 1,
                    r.a.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + r.id + "'"))
              .verdict == wire::Verdict::kParked);
  auto d = f.store->GetConflict(OnlyConflict(f));
  REQUIRE(d.ok());
  REQUIRE(d->summary.report.has_value());
  CHECK(d->summary.report->withdrawn);
  CHECK(d->summary.report->title == "Rác tồn đọng");
  CHECK(d->summary.report->ward_vi == "Phường 4");
  REQUIRE(d->server_side.who.has_value());
  CHECK(d->server_side.who->role == "citizen");
  CHECK(d->server_side.who->reporter_ref == f.citizen.reporter_ref);
  CHECK_THAT(ConflictDetailJson(*d), !Catch::Contains("\"" + f.citizen.name + "\""));
}
