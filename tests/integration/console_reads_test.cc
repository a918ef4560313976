// What the people at the consoles read, over HTTP from the real server on both engines: a
// conflict with its case, the officials on each side and their notes, readable columns and
// the units to choose from (admins only: 401 without a token, 403 for every other role);
// and the case view of the monitoring API with the case's photos, which a leader then
// fetches from the photo endpoint under its own rule (docs/conflicts.md,
// docs/monitoring.md).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "noise_jpeg.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

struct Reply {
  int status = 0;
  std::string body, type, csp;
  Poco::JSON::Object::Ptr Json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
};

Reply Send(const ServerProcess& server, const std::string& method, const std::string& path,
           const std::string& token = "", const std::string& body = "") {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  if (!body.empty()) {
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  r.type = resp.getContentType();
  r.csp = resp.get("Content-Security-Policy", "");
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  r.body = out.str();
  return r;
}

std::string TokenOf(const ServerProcess& server, const std::string& name,
                    const std::string& password) {
  Reply r = Send(server, "POST", "/v1/login", "",
                 R"({"name":")" + name + R"(","password":")" + password + R"("})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.Json()->getValue<std::string>("token");
}

void SyncNow(Database& db, const std::string& url) {
  auto t = Connect(url);
  auto r = Sync(db, *t);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
}

std::unique_ptr<Database> LoggedIn(TempDir& tmp, const ServerProcess& server,
                                   const std::string& name, const std::string& password) {
  auto db = OpenDevice(tmp.File(name + ".db"));
  auto t = Connect(server.url());
  REQUIRE(Login(*db, *t, server.url(), name, password).ok());
  return db;
}

NewReport InP04(const std::string& title) {
  NewReport r;
  r.category_id = "rac-thai";
  r.ward_id = "p04";
  r.title = title;
  r.description = "Rác để nhiều ngày.";
  return r;
}

}  // namespace

TEST_CASE("Consoles: a conflict's case, people and notes, for admins only") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("admin", "admin-2026", "admin"));
  REQUIRE(server.AddUser("lanhdao", "lanhdao-2026", "leader"));
  REQUIRE(server.AddUser("hoa.citizen", "hoa-2026", "citizen"));
  REQUIRE(server.AddUser("canbo.a", "a-2026", "official", "p04"));
  REQUIRE(server.AddUser("canbo.b", "b-2026", "official", "q11"));
  REQUIRE(server.Start());
  auto citizen = LoggedIn(tmp, server, "hoa.citizen", "hoa-2026");
  auto a = LoggedIn(tmp, server, "canbo.a", "a-2026");
  auto b = LoggedIn(tmp, server, "canbo.b", "b-2026");
  const std::string id = *citizen->FileReport(InP04("Rác tồn đọng hẻm 9"));
  SyncNow(*citizen, server.url());
  SyncNow(*a, server.url());
  SyncNow(*b, server.url());
  REQUIRE(a->AssignUnit(id, "phong-qldt", "Chuyển Phòng QLĐT").ok());
  REQUIRE(b->AssignUnit(id, "doi-ttdt", "Giao Đội Thanh tra").ok());
  SyncNow(*a, server.url());
  SyncNow(*b, server.url());
  const std::string receipt = citizen->GetReport(id)->receipt_code.value_or("");
  REQUIRE(!receipt.empty());

  const std::string admin = TokenOf(server, "admin", "admin-2026");
  Reply list = Send(server, "GET", "/v1/admin/conflicts", admin);
  INFO(list.body);
  REQUIRE(list.status == 200);
  auto conflicts = list.Json()->getArray("conflicts");
  REQUIRE(conflicts->size() == 1);
  auto summary = conflicts->getObject(0);
  CHECK(summary->getObject("case")->getValue<std::string>("receipt_code") == receipt);
  CHECK(summary->getObject("case")->getValue<std::string>("ward_name_vi") == "Phường 4");
  const std::string conflict = summary->getValue<std::string>("id");

  Reply detail = Send(server, "GET", "/v1/admin/conflicts/" + conflict, admin);
  INFO(detail.body);
  REQUIRE(detail.status == 200);
  auto d = detail.Json();
  CHECK(d->getObject("case")->getValue<std::string>("title") == "Rác tồn đọng hẻm 9");
  auto column = d->getArray("columns")->getObject(0);
  CHECK(column->getValue<std::string>("label_vi") == "Đơn vị được giao");
  CHECK(column->getArray("choices")->size() > 10);
  auto server_side = d->getObject("server_side");
  CHECK(server_side->getObject("who")->getValue<std::string>("name") == "canbo.a");
  CHECK(server_side->getArray("notes")->getObject(0)->getValue<std::string>("note") ==
        "Chuyển Phòng QLĐT");
  auto device_side = d->getObject("device_side");
  CHECK(device_side->getObject("who")->getValue<std::string>("name") == "canbo.b");
  CHECK(device_side->getArray("notes")->getObject(0)->getValue<std::string>("note") ==
        "Giao Đội Thanh tra");
  CHECK_THAT(detail.body, !Catch::Contains("hoa.citizen"));

  // Nobody else: 401 without a token, 403 for a leader, an official and a citizen.
  const std::string paths[] = {"/v1/admin/conflicts", "/v1/admin/conflicts/" + conflict};
  for (const std::string& path : paths) {
    CHECK(Send(server, "GET", path).status == 401);
    CHECK(Send(server, "GET", path, "not-a-token").status == 401);
    for (auto [name, password] : {std::pair{"lanhdao", "lanhdao-2026"},
                                  {"canbo.a", "a-2026"},
                                  {"hoa.citizen", "hoa-2026"}}) {
      Reply r = Send(server, "GET", path, TokenOf(server, name, password));
      INFO(name << " " << path);
      CHECK(r.status == 403);
      CHECK_THAT(r.body, !Catch::Contains(receipt));
    }
  }

  // The unit picked from the list is the decision.
  Reply resolved = Send(server, "POST", "/v1/admin/conflicts/" + conflict + "/resolve", admin,
                        R"({"set":{"assigned_unit":"phong-tnmt"}})");
  INFO(resolved.body);
  CHECK(resolved.status == 200);
  SyncNow(*a, server.url());
  CHECK(a->GetReport(id)->assigned_unit.value_or("") == "phong-tnmt");
}

TEST_CASE("Consoles: the case view lists the case's photos, which a leader may fetch") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lanhdao", "lanhdao-2026", "leader"));
  REQUIRE(server.AddUser("lan", "lan-2026", "citizen"));
  REQUIRE(server.AddUser("minh", "minh-2026", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "p04-2026", "official", "p04"));
  REQUIRE(server.AddUser("canbo.p05", "p05-2026", "official", "p05"));
  REQUIRE(server.Start());
  auto phone = LoggedIn(tmp, server, "lan", "lan-2026");
  const std::string id = *phone->FileReport(InP04("Rác cạnh trạm biến áp"));
  {
    std::ofstream out(tmp.File("a.jpg"), std::ios::binary);
    out << NoiseJpeg(640, 480);
  }
  REQUIRE(AttachPhotos(*phone, id, {tmp.File("a.jpg")}).ok());
  SyncNow(*phone, server.url());
  auto photos = ListPhotos(*phone, id);
  REQUIRE(photos.ok());
  REQUIRE(photos->size() == 1);
  REQUIRE((*photos)[0].local == "sent");
  const std::string sha = (*photos)[0].sha256;

  const std::string leader = TokenOf(server, "lanhdao", "lanhdao-2026");
  Reply c = Send(server, "GET", "/v1/monitor/cases/" + id, leader);
  INFO(c.body);
  REQUIRE(c.status == 200);
  auto listed = c.Json()->getArray("photos");
  REQUIRE(listed->size() == 1);
  auto p = listed->getObject(0);
  CHECK(p->getValue<std::string>("sha256") == sha);
  CHECK(p->getValue<std::string>("role") == "report");
  CHECK(p->getValue<std::string>("author_role") == "citizen");
  CHECK_FALSE(p->has("author_ref"));  // who took it is not the dashboard's business

  // The photo endpoint's own rule: the leader and the ward's official may, not the
  // official of another ward nor another citizen (404, so hashes cannot be probed).
  Reply thumb = Send(server, "GET", "/v1/photos/" + sha + "?size=thumb", leader);
  CHECK(thumb.status == 200);
  CHECK(thumb.type == "image/jpeg");
  CHECK(Send(server, "GET", "/v1/photos/" + sha + "?size=full", leader).status == 200);
  CHECK(Send(server, "GET", "/v1/photos/" + sha + "?size=thumb",
             TokenOf(server, "canbo.p04", "p04-2026"))
            .status == 200);
  CHECK(Send(server, "GET", "/v1/photos/" + sha + "?size=thumb",
             TokenOf(server, "canbo.p05", "p05-2026"))
            .status == 404);
  CHECK(
      Send(server, "GET", "/v1/photos/" + sha + "?size=thumb", TokenOf(server, "minh", "minh-2026"))
          .status == 404);
  // The case view itself is for leaders and admins only.
  CHECK(Send(server, "GET", "/v1/monitor/cases/" + id, TokenOf(server, "canbo.p04", "p04-2026"))
            .status == 403);
  CHECK(Send(server, "GET", "/v1/monitor/cases/" + id).status == 401);
  // The dashboard's page lets its scripts show those photos as blob: images, nothing more.
  Reply page = Send(server, "GET", "/monitor");
  CHECK(page.status == 200);
  CHECK(page.csp == "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'");
}
