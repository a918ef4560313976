// A logged-in device database with a scripted server, for the tests of what a sync
// response does to the device (pull, verdicts, rebase, per-report sync state).
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "devicecore/sync.h"
#include "test_support.h"

namespace q11::device::test {

struct ScriptedDevice {
  TempDir dir;
  FakeEnv env;
  FakeTransport server;
  std::unique_ptr<Database> db;

  explicit ScriptedDevice(const std::string& role = "official") {
    auto opened = Database::Open(path(), {&env});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    REQUIRE(db->SaveAccount(TestAccount(role)).ok());
  }
  std::string path() const { return dir.File("device.db"); }

  // Syncs once against a server that answers `resp` (then nothing).
  SyncResult SyncOk(const wire::SyncResponse& resp) {
    server.script.push_back([resp](const FakeTransport::Call&) { return SyncReply(resp); });
    auto r = Sync(*db, server);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
  Report Get(const std::string& id) {
    auto r = db->GetReport(id);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
  // Brings the reports `ids` (status new) from the server, as after they were filed
  // elsewhere.
  void Seed(const std::vector<std::string>& ids, uint64_t cursor) {
    wire::SyncResponse resp;
    resp.cursor = cursor;
    resp.pull_rows = static_cast<uint32_t>(ids.size());
    PullBuilder pull;
    for (const std::string& id : ids) pull.Change(ReportRowSql(id, "new"));
    resp.pull_changeset = pull.Build();
    SyncOk(resp);
  }
};

}  // namespace q11::device::test
