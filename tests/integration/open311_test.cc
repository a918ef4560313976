// Open311 GeoReport v2 against the real syncserver on a loopback port (docs/open311.md):
// every method in XML and JSON, each answer checked against the specification's field
// lists; a POSTed request reaching a ward official's device with its receipt and deadline
// stamped; the parameters, defaults and paging of GET requests; mySociety's
// servicerequestupdates; every documented error in both formats; hostile input; API keys
// from the command line; and no reporter data in any GET.
#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli_driver.h"
#include "device_helpers.h"
#include "protocol/ids.h"
#include "q11sqlite/sqlite.h"

using namespace q11::test;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// GeoReport v2's field lists.
const std::set<std::string> kRequestFields = {"service_request_id",
                                              "status",
                                              "status_notes",
                                              "service_name",
                                              "service_code",
                                              "description",
                                              "agency_responsible",
                                              "service_notice",
                                              "requested_datetime",
                                              "updated_datetime",
                                              "expected_datetime",
                                              "address",
                                              "address_id",
                                              "zipcode",
                                              "lat",
                                              "long",
                                              "media_url"};
const std::set<std::string> kServiceFields = {
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group"};
const std::set<std::string> kAttributeFields = {
    "variable", "code", "datatype", "required", "datatype_description", "order", "description"};
const std::set<std::string> kPostFields = {"service_request_id", "token", "service_notice",
                                           "account_id"};
const std::set<std::string> kTokenFields = {"service_request_id", "token"};
// mySociety's servicerequestupdates, with its external_status_code.
const std::set<std::string> kUpdateFields = {
    "update_id", "service_request_id",  "status", "updated_datetime", "description",
    "media_url", "external_status_code"};
const std::set<std::string> kErrorFields = {"code", "description"};

struct Reply {
  int status = 0;
  std::string body, type, retry_after, allow;
};

Reply Call(const ServerProcess& server, const std::string& method, const std::string& path,
           const std::string& body = "",
           const std::string& type = "application/x-www-form-urlencoded") {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
  s.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (method == "POST" || method == "PUT") {
    req.setContentType(type);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    s.sendRequest(req) << body;
  } else {
    s.sendRequest(req);
  }
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  r.body = out.str();
  r.type = resp.getContentType();
  r.retry_after = resp.get("Retry-After", "");
  r.allow = resp.get("Allow", "");
  return r;
}

Reply Get(const ServerProcess& server, const std::string& path) {
  return Call(server, "GET", path);
}

std::string Encode(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]% ", out);
  return out;
}

std::string Form(const Fields& fields) {
  std::string out;
  for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + Encode(k) + "=" + Encode(v);
  return out;
}

// --- XML: the answer parsed with Poco's DOM parser.

using Doc = Poco::AutoPtr<Poco::XML::Document>;

Doc ParseXml(const std::string& text) {
  Poco::XML::DOMParser parser;
  return parser.parseString(text);
}

std::vector<Poco::XML::Element*> Children(Poco::XML::Node* parent) {
  std::vector<Poco::XML::Element*> out;
  for (Poco::XML::Node* n = parent->firstChild(); n != nullptr; n = n->nextSibling())
    if (n->nodeType() == Poco::XML::Node::ELEMENT_NODE)
      out.push_back(static_cast<Poco::XML::Element*>(n));
  return out;
}

std::set<std::string> Names(Poco::XML::Node* parent) {
  std::set<std::string> out;
  for (Poco::XML::Element* e : Children(parent)) out.insert(e->nodeName());
  return out;
}

// Lower-case hex of `bytes`, as PostgreSQL's encode(..., 'hex') writes it.
std::string ToHex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Text(Poco::XML::Element* parent, const std::string& name) {
  Poco::XML::Element* e = parent->getChildElement(name);
  return e == nullptr ? "<missing>" : e->innerText();
}

// The items of a list answer: root element `root`, each item named `item`. The elements
// belong to `doc`: keep it alive while they are used.
std::vector<Poco::XML::Element*> Items(const Doc& doc, const std::string& root,
                                       const std::string& item) {
  Poco::XML::Element* top = doc->documentElement();
  REQUIRE(top != nullptr);
  REQUIRE(top->nodeName() == root);
  std::vector<Poco::XML::Element*> items = Children(top);
  for (Poco::XML::Element* e : items) CHECK(e->nodeName() == item);
  return items;
}

// --- JSON.

std::set<std::string> Keys(const Poco::JSON::Object::Ptr& o) {
  std::set<std::string> out;
  for (const auto& [k, v] : *o) out.insert(k);
  return out;
}

std::set<std::string> Plus(std::set<std::string> s, const std::string& extra) {
  s.insert(extra);
  return s;
}

// Now plus `days`, as ISO-8601 UTC for a query string.
std::string DaysFromNow(int days) {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return q11::FormatUtc(now + days * 86400000LL);
}

bool IsIsoTime(const std::string& t) {
  static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+07:00|Z))");
  return std::regex_match(t, kTime);
}

// An errors answer in `format` with `code`, checked against the specification's shape.
void CheckError(const Reply& r, const std::string& format, int code) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == code);
  if (format == "json") {
    CHECK_THAT(r.type, Catch::StartsWith("application/json"));
    auto arr = ParseArray(r.body);
    REQUIRE(arr->size() == 1);
    auto e = arr->getObject(0);
    CHECK(Keys(e) == kErrorFields);
    CHECK(e->getValue<int>("code") == code);
    CHECK_FALSE(e->getValue<std::string>("description").empty());
  } else {
    CHECK_THAT(r.type, Catch::StartsWith("text/xml"));
    Doc doc = ParseXml(r.body);
    auto items = Items(doc, "errors", "error");
    REQUIRE(items.size() == 1);
    CHECK(Names(items[0]) == kErrorFields);
    CHECK(Text(items[0], "code") == std::to_string(code));
    CHECK_FALSE(Text(items[0], "description").empty());
  }
}

// One server with an API key and a ward 4 official.
struct Open311Field {
  Open311Field(const std::vector<std::string>& extra = {"--open311-posts-per-minute=0",
                                                        "--receipt-per-minute=0"})
      : server(tmp.File("server")) {
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(server.Start(extra));
    key = AddKey("cong-thong-tin");
  }

  std::string AddKey(const std::string& name) {
    CommandResult r =
        Run({SyncserverBin(), "apikey", "add", "--data=" + server.data_dir(), "--name=" + name});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return LastLine(r.out);
  }

  Reply Post(const std::string& format, const Fields& fields) {
    return Call(server, "POST", "/open311/v2/requests." + format, Form(fields));
  }

  // A valid POST, with `more` fields added or replacing the defaults.
  Reply PostRequest(const std::string& format, const Fields& more = {}) {
    Fields f = {{"api_key", key},           {"service_code", "chieu-sang"},
                {"lat", "10.7634"},         {"long", "106.6502"},
                {"attribute[ward]", "p04"}, {"description", "Đèn đường hẻm 12 tắt ba đêm liền."}};
    for (const auto& [k, v] : more) {
      bool replaced = false;
      for (auto& [fk, fv] : f)
        if (fk == k) fv = v, replaced = true;
      if (!replaced) f.emplace_back(k, v);
    }
    return Post(format, f);
  }

  // The service_request_id of a successful JSON POST.
  std::string File(const Fields& more = {}) {
    Reply r = PostRequest("json", more);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return ParseArray(r.body)->getObject(0)->getValue<std::string>("service_request_id");
  }

  std::string ServerValue(const std::string& sql) { return ServerDbValue(server.data_dir(), sql); }

  TempDir tmp;
  ServerProcess server;
  std::string key;
};

// Checks one request item against the field list, in either format; returns its fields.
std::map<std::string, std::string> RequestFieldsXml(Poco::XML::Element* e, bool extensions) {
  CHECK(Names(e) == (extensions ? Plus(kRequestFields, "extended_attributes") : kRequestFields));
  std::map<std::string, std::string> out;
  for (Poco::XML::Element* c : Children(e))
    if (c->nodeName() != "extended_attributes") out[c->nodeName()] = c->innerText();
  for (const char* t : {"requested_datetime", "updated_datetime", "expected_datetime"})
    CHECK(IsIsoTime(out[t]));
  CHECK((out["status"] == "open" || out["status"] == "closed"));
  return out;
}

std::map<std::string, std::string> RequestFieldsJson(const Poco::JSON::Object::Ptr& o,
                                                     bool extensions) {
  CHECK(Keys(o) == (extensions ? Plus(kRequestFields, "extended_attributes") : kRequestFields));
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : *o)
    if (k != "extended_attributes") out[k] = v.isEmpty() ? "" : v.convert<std::string>();
  for (const char* t : {"requested_datetime", "updated_datetime", "expected_datetime"})
    CHECK(IsIsoTime(out[t]));
  return out;
}

}  // namespace

TEST_CASE("Open311: API keys are added, listed and revoked from the command line") {
  Open311Field f;
  CHECK(f.key.rfind("o311_", 0) == 0);
  CHECK(f.key.size() == 37);
  CommandResult list = Run({SyncserverBin(), "apikey", "list", "--data=" + f.server.data_dir()});
  REQUIRE(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("cong-thong-tin"));
  CHECK_THAT(list.out, !Catch::Contains(f.key));
  auto json = ParseArray(
      Run({SyncserverBin(), "apikey", "list", "--data=" + f.server.data_dir(), "--json"}).out);
  REQUIRE(json->size() == 1);
  CHECK(json->getObject(0)->getValue<std::string>("name") == "cong-thong-tin");
  CHECK(json->getObject(0)->isNull("revoked_at"));
  // Only the hash is stored.
  CHECK(f.ServerValue("SELECT count(*) FROM api_keys WHERE key_hash = '" + f.key + "'") == "0");
  CHECK(f.ServerValue("SELECT length(key_hash) FROM api_keys") == "32");
  CHECK(f.ServerValue("SELECT value FROM meta WHERE key = 'schema_version'") == "10");
  // A name is never given twice; bad names and missing options are usage errors.
  CHECK(Run({SyncserverBin(), "apikey", "add", "--data=" + f.server.data_dir(),
             "--name=cong-thong-tin"})
            .exit_code == 1);
  CHECK(Run({SyncserverBin(), "apikey", "add", "--data=" + f.server.data_dir(), "--name=a b"})
            .exit_code == 1);
  CHECK(Run({SyncserverBin(), "apikey", "add", "--data=" + f.server.data_dir()}).exit_code == 2);
  CHECK(Run({SyncserverBin(), "apikey", "frob", "--data=" + f.server.data_dir()}).exit_code == 2);
  CHECK(Run({SyncserverBin(), "apikey", "--help"}).exit_code == 0);
  CHECK_THAT(Run({SyncserverBin(), "--help"}).out, Catch::Contains("apikey"));
  CHECK_THAT(Run({SyncserverBin(), "serve", "--help"}).out,
             Catch::Contains("--open311-posts-per-minute"));

  // The key works, then is revoked: 403 at once (the running server reads the table).
  CHECK(f.PostRequest("xml").status == 201);
  CommandResult revoked = Run({SyncserverBin(), "apikey", "revoke", "--data=" + f.server.data_dir(),
                               "--name=cong-thong-tin"});
  INFO(revoked.err);
  REQUIRE(revoked.exit_code == 0);
  CheckError(f.PostRequest("xml"), "xml", 403);
  CheckError(f.PostRequest("json"), "json", 403);
  CHECK(Run({SyncserverBin(), "apikey", "revoke", "--data=" + f.server.data_dir(),
             "--name=cong-thong-tin"})
            .exit_code == 1);
  CHECK(
      Run({SyncserverBin(), "apikey", "revoke", "--data=" + f.server.data_dir(), "--name=khong-co"})
          .exit_code == 1);
  auto after = ParseArray(
      Run({SyncserverBin(), "apikey", "list", "--data=" + f.server.data_dir(), "--json"}).out);
  CHECK_FALSE(after->getObject(0)->isNull("revoked_at"));
  // Another key still works.
  f.key = f.AddKey("doi-tac");
  CHECK(f.PostRequest("json").status == 201);
}

TEST_CASE("Open311: discovery, service list and service definitions in XML and JSON") {
  Open311Field f;
  // Discovery.
  Reply dx = Get(f.server, "/open311/v2/discovery.xml");
  REQUIRE(dx.status == 200);
  CHECK_THAT(dx.type, Catch::StartsWith("text/xml"));
  Doc d = ParseXml(dx.body);
  CHECK(d->documentElement()->nodeName() == "discovery");
  CHECK(Names(d->documentElement()) ==
        std::set<std::string>{"changeset", "contact", "key_service", "endpoints"});
  auto endpoints = Children(d->documentElement()->getChildElement("endpoints"));
  REQUIRE(endpoints.size() == 1);
  CHECK(Names(endpoints[0]) ==
        std::set<std::string>{"specification", "url", "changeset", "type", "formats"});
  CHECK_THAT(Text(endpoints[0], "url"), Catch::EndsWith("/open311/v2"));
  auto formats = Children(endpoints[0]->getChildElement("formats"));
  REQUIRE(formats.size() == 2);
  CHECK(formats[0]->innerText() == "text/xml");
  CHECK(formats[1]->innerText() == "application/json");
  Reply dj = Get(f.server, "/open311/v2/discovery.json");
  REQUIRE(dj.status == 200);
  CHECK_THAT(dj.type, Catch::StartsWith("application/json"));
  auto dobj = ParseObject(dj.body);
  CHECK(Keys(dobj) == std::set<std::string>{"changeset", "contact", "key_service", "endpoints"});
  auto ep = dobj->getArray("endpoints")->getObject(0);
  CHECK(ep->getArray("formats")->getElement<std::string>(1) == "application/json");
  CHECK(IsIsoTime(ep->getValue<std::string>("changeset")));

  // The categories are the services, in Vietnamese first.
  Reply sx = Get(f.server, "/open311/v2/services.xml");
  REQUIRE(sx.status == 200);
  Doc s = ParseXml(sx.body);
  auto services = Items(s, "services", "service");
  CHECK(services.size() == 13);
  bool lighting = false;
  for (auto* e : services) {
    CHECK(Names(e) == kServiceFields);
    CHECK(Text(e, "metadata") == "true");
    CHECK(Text(e, "type") == "realtime");
    if (Text(e, "service_code") == "chieu-sang") {
      lighting = true;
      CHECK(Text(e, "service_name") == "Chiếu sáng công cộng");
      CHECK_THAT(Text(e, "description"), Catch::Contains("Public lighting"));
    }
  }
  CHECK(lighting);
  Reply sj = Get(f.server, "/open311/v2/services.json?jurisdiction_id=q11");
  REQUIRE(sj.status == 200);
  auto sarr = ParseArray(sj.body);
  REQUIRE(sarr->size() == 13);
  for (size_t i = 0; i < sarr->size(); ++i) {
    CHECK(Keys(sarr->getObject(i)) == kServiceFields);
    CHECK(sarr->getObject(i)->getValue<bool>("metadata"));
  }

  // A definition: the ward (required), the kind and a title.
  for (const std::string format : {"xml", "json"}) {
    Reply r = Get(f.server, "/open311/v2/services/ngap-nuoc." + format);
    INFO(r.body);
    REQUIRE(r.status == 200);
    if (format == "xml") {
      Doc def = ParseXml(r.body);
      Poco::XML::Element* top = def->documentElement();
      CHECK(top->nodeName() == "service_definition");
      CHECK(Text(top, "service_code") == "ngap-nuoc");
      auto attrs = Children(top->getChildElement("attributes"));
      REQUIRE(attrs.size() == 3);
      CHECK(Names(attrs[0]) == Plus(kAttributeFields, "values"));
      CHECK(Text(attrs[0], "code") == "ward");
      CHECK(Text(attrs[0], "required") == "true");
      CHECK(Text(attrs[0], "datatype") == "singlevaluelist");
      auto values = Children(attrs[0]->getChildElement("values"));
      REQUIRE(values.size() == 16);
      CHECK(Names(values[3]) == std::set<std::string>{"key", "name"});
      CHECK(Text(values[3], "key") == "p04");
      CHECK_THAT(Text(values[3], "name"), Catch::Contains("Phường 4"));
      CHECK(Names(attrs[2]) == kAttributeFields);
      CHECK(Text(attrs[2], "code") == "title");
    } else {
      auto def = ParseObject(r.body);
      CHECK(Keys(def) == std::set<std::string>{"service_code", "attributes"});
      auto attrs = def->getArray("attributes");
      REQUIRE(attrs->size() == 3);
      CHECK(Keys(attrs->getObject(0)) == Plus(kAttributeFields, "values"));
      CHECK(attrs->getObject(0)->getValue<bool>("required"));
      CHECK(attrs->getObject(0)->getValue<int>("order") == 1);
      CHECK(attrs->getObject(0)->getArray("values")->size() == 16);
      CHECK_FALSE(attrs->getObject(1)->getValue<bool>("required"));
    }
    CheckError(Get(f.server, "/open311/v2/services/khong-co." + format), format, 404);
    CheckError(Get(f.server, "/open311/v2/services." + format + "?jurisdiction_id=hanoi"), format,
               404);
  }
}

TEST_CASE("Open311: a POSTed request enters the workflow and reaches the ward official's device") {
  Open311Field f;
  const std::string email = "an.nguyen@example.vn", phone = "0912345678";
  const std::string description = "Cống bị nghẹt trước nhà số 7, nước tràn vào hẻm.";
  const std::string address = "Số 7 hẻm 281 Lê Đại Hành";
  std::vector<std::string> bodies;  // every GET answer, checked for reporter data at the end

  Reply posted = f.Post("xml", {{"api_key", f.key},
                                {"service_code", "ngap-nuoc"},
                                {"address_string", address},
                                {"attribute[ward]", "p04"},
                                {"attribute[title]", "Cống nghẹt hẻm 281"},
                                {"description", description},
                                {"media_url", "https://example.vn/anh/cong.jpg"},
                                {"email", email},
                                {"phone", phone},
                                {"first_name", "An"},
                                {"last_name", "Nguyễn Văn"},
                                {"device_id", "iphone-123"},
                                {"account_id", "acct-9"}});
  INFO(posted.body);
  REQUIRE(posted.status == 201);
  Doc pd = ParseXml(posted.body);
  auto pitems = Items(pd, "service_requests", "request");
  REQUIRE(pitems.size() == 1);
  CHECK(Names(pitems[0]) == kPostFields);
  const std::string id = Text(pitems[0], "service_request_id");
  const std::string token = Text(pitems[0], "token");
  CHECK(id.size() == 36);
  CHECK(token.rfind("Q11-", 0) == 0);
  CHECK_THAT(Text(pitems[0], "service_notice"), Catch::Contains(token));

  // The same workflow as a phone's report: stamped, in the change log, on the official's device.
  Cli official{f.tmp.File("official.db")};
  REQUIRE(official({"login", "--server=" + f.server.url(), "--name=canbo.p04",
                    "--password=mat-khau-p04"})
              .exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  auto shown = ParseObject(official({"report", "show", id, "--json"}).out);
  CHECK(shown->getValue<std::string>("status") == "new");
  CHECK(shown->getValue<std::string>("receipt_code") == token);
  CHECK_FALSE(shown->isNull("due_at"));
  CHECK_FALSE(shown->isNull("received_at"));
  CHECK(shown->getValue<std::string>("description") ==
        description + "\n\nẢnh / media: https://example.vn/anh/cong.jpg");
  const std::string ref = shown->getValue<std::string>("reporter_ref");
  CHECK(ref.rfind("cd-", 0) == 0);
  // The official's device never holds the contact.
  {
    std::ifstream in(f.tmp.File("official.db"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    CHECK(bytes.find(email) == std::string::npos);
    CHECK(bytes.find(phone) == std::string::npos);
  }
  // Nor does the server's database (and WAL) in clear: the vault's key is outside it.
  if (PostgresBackend()) {
    std::string bytes =
        f.ServerValue("SELECT string_agg(encode(sealed, 'hex'), ',') FROM contacts");
    REQUIRE(!bytes.empty());
    for (const std::string& clear : {email, phone})
      CHECK(bytes.find(ToHex(clear)) == std::string::npos);
  } else {
    for (const std::string file : {"/syncserver.db", "/syncserver.db-wal"}) {
      std::ifstream in(f.server.data_dir() + file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), {});
      CHECK(bytes.find(email) == std::string::npos);
      CHECK(bytes.find(phone) == std::string::npos);
    }
  }
  // The contact is sealed under the request's pseudonymous account, read like a sign-up's.
  std::string account = f.ServerValue("SELECT name FROM users WHERE reporter_ref = '" + ref + "'");
  CHECK(account.rfind("o311-", 0) == 0);
  CHECK(f.ServerValue("SELECT disabled FROM users WHERE name = '" + account + "'") == "1");
  CommandResult contact = Run(
      {SyncserverBin(), "user", "contact", "--data=" + f.server.data_dir(), "--name=" + account});
  INFO(contact.err);
  REQUIRE(contact.exit_code == 0);
  CHECK_THAT(contact.out, Catch::Contains(email));
  CHECK_THAT(contact.out, Catch::Contains(phone));
  CHECK_THAT(contact.out, Catch::Contains("An Nguyễn Văn"));
  CHECK(f.ServerValue("SELECT count(*) FROM audit_log WHERE action = 'open311.request' AND "
                      "actor = 'apikey:cong-thong-tin'") == "1");
  // Nobody logs in as it.
  CHECK(Call(f.server, "POST", "/v1/login", R"({"name":")" + account + R"(","password":"x"})",
             "application/json")
            .status >= 400);

  // Token lookup, then the request itself, in both formats.
  for (const std::string format : {"xml", "json"}) {
    Reply t = Get(f.server, "/open311/v2/tokens/" + token + "." + format);
    INFO(t.body);
    REQUIRE(t.status == 200);  // (the token itself is in it: not among `bodies`)
    if (format == "xml") {
      Doc t_doc = ParseXml(t.body);
      auto items = Items(t_doc, "service_requests", "request");
      REQUIRE(items.size() == 1);
      CHECK(Names(items[0]) == kTokenFields);
      CHECK(Text(items[0], "service_request_id") == id);
    } else {
      auto o = ParseArray(t.body)->getObject(0);
      CHECK(Keys(o) == kTokenFields);
      CHECK(o->getValue<std::string>("token") == token);
    }
  }
  Reply one = Get(f.server, "/open311/v2/requests/" + id + ".xml");
  REQUIRE(one.status == 200);
  bodies.push_back(one.body);
  Doc one_doc = ParseXml(one.body);
  auto items = Items(one_doc, "service_requests", "request");
  REQUIRE(items.size() == 1);
  auto fields = RequestFieldsXml(items[0], false);
  CHECK(fields["service_request_id"] == id);
  CHECK(fields["status"] == "open");
  CHECK(fields["service_code"] == "ngap-nuoc");
  CHECK(fields["service_name"] == "Ngập nước, cấp thoát nước");
  CHECK(fields["address"] == "Phường 4, Quận 11");
  CHECK(fields["description"].empty());
  CHECK(fields["lat"].empty());
  CHECK(fields["agency_responsible"] == "Phường 4");

  // The official accepts it with a note and assigns it; the public sees the note.
  REQUIRE(official({"case", "status", id, "accepted", "--note=Đã tiếp nhận, chuyển Phòng QLĐT."})
              .exit_code == 0);
  REQUIRE(
      official({"case", "assign", id, "--unit=phong-qldt", "--note=Giao Phòng QLĐT"}).exit_code ==
      0);
  REQUIRE(official({"sync"}).exit_code == 0);
  Reply ext = Get(f.server, "/open311/v2/requests/" + id + ".json?extensions=true");
  INFO(ext.body);
  REQUIRE(ext.status == 200);
  bodies.push_back(ext.body);
  auto eo = ParseArray(ext.body)->getObject(0);
  auto efields = RequestFieldsJson(eo, true);
  CHECK(efields["status"] == "open");
  CHECK(efields["status_notes"] == "Đã tiếp nhận, chuyển Phòng QLĐT.");
  CHECK(efields["agency_responsible"] == "Phòng Quản lý đô thị");
  CHECK(eo->isNull("lat"));
  CHECK(eo->isNull("description"));
  auto attrs = eo->getObject("extended_attributes");
  CHECK(attrs->getValue<std::string>("status_detail") == "assigned");
  CHECK(attrs->getValue<std::string>("ward_id") == "p04");
  CHECK(attrs->getValue<std::string>("unit_id") == "phong-qldt");
  CHECK(IsIsoTime(attrs->getValue<std::string>("deadline_datetime")));
  CHECK_FALSE(attrs->getValue<bool>("overdue"));
  Reply extx = Get(f.server, "/open311/v2/requests/" + id + ".xml?extensions=true");
  bodies.push_back(extx.body);
  Doc x_doc = ParseXml(extx.body);
  auto xitems = Items(x_doc, "service_requests", "request");
  REQUIRE(xitems.size() == 1);
  RequestFieldsXml(xitems[0], true);
  CHECK(Text(xitems[0]->getChildElement("extended_attributes"), "status_detail") == "assigned");

  // Status history and notes: mySociety's servicerequestupdates.
  for (const std::string format : {"xml", "json"}) {
    Reply u = Get(f.server, "/open311/v2/servicerequestupdates." + format);
    INFO(u.body);
    REQUIRE(u.status == 200);
    bodies.push_back(u.body);
    if (format == "xml") {
      Doc u_doc = ParseXml(u.body);
      auto ups = Items(u_doc, "service_requests_updates", "request_update");
      REQUIRE(ups.size() == 2);
      for (auto* e : ups) {
        CHECK(Names(e) == kUpdateFields);
        CHECK(Text(e, "service_request_id") == id);
        CHECK(IsIsoTime(Text(e, "updated_datetime")));
      }
      CHECK(Text(ups[0], "external_status_code") == "accepted");
      CHECK(Text(ups[0], "status") == "open");
      CHECK(Text(ups[0], "description") == "Đã tiếp nhận, chuyển Phòng QLĐT.");
      CHECK(Text(ups[1], "description") == "Giao Phòng QLĐT");
    } else {
      auto ups = ParseArray(u.body);
      REQUIRE(ups->size() == 2);
      CHECK(Keys(ups->getObject(0)) == kUpdateFields);
    }
  }

  // Resolved: closed in Open311, with the result as its notes.
  REQUIRE(official({"case", "status", id, "in_progress"}).exit_code == 0);
  REQUIRE(official({"case", "status", id, "resolved", "--note=Đã nạo vét cống."}).exit_code == 0);
  REQUIRE(official({"sync"}).exit_code == 0);
  auto closed = ParseArray(Get(f.server, "/open311/v2/requests.json?status=closed").body);
  REQUIRE(closed->size() == 1);
  CHECK(closed->getObject(0)->getValue<std::string>("status") == "closed");
  CHECK(closed->getObject(0)->getValue<std::string>("status_notes") == "Đã nạo vét cống.");
  CHECK(ParseArray(Get(f.server, "/open311/v2/requests.json?status=open").body)->size() == 0);
  auto since = ParseArray(
      Get(f.server, "/open311/v2/servicerequestupdates.json?service_request_id=" + id).body);
  CHECK(since->size() == 4);
  CHECK(since->getObject(3)->getValue<std::string>("status") == "closed");
  auto updates = [&](const std::string& query) {
    Reply r = Get(f.server, "/open311/v2/servicerequestupdates.json" + query);
    INFO(query << " " << r.body);
    REQUIRE(r.status == 200);
    return ParseArray(r.body)->size();
  };
  CHECK(updates("?start_date=" + DaysFromNow(-1) + "&end_date=" + DaysFromNow(1)) == 4);
  CHECK(updates("?start_date=" + DaysFromNow(-1)) == 4);
  CHECK(updates("?end_date=" + DaysFromNow(1)) == 4);
  CHECK(updates("?start_date=2099-01-01T00:00:00Z") == 0);
  CHECK(updates("?end_date=2020-01-01T00:00:00Z") == 0);
  CHECK(updates("?page_size=3") == 3);
  CHECK(updates("?page_size=3&page=2") == 1);
  CHECK(updates("?service_request_id=0190f0f0-0000-7000-8000-000000000000") == 0);
  CHECK(updates("?jurisdiction_id=q11") == 4);

  // Nothing about the reporter in any GET.
  for (const std::string format : {"xml", "json"}) {
    bodies.push_back(Get(f.server, "/open311/v2/requests." + format + "?extensions=true").body);
    bodies.push_back(Get(f.server, "/open311/v2/servicerequestupdates." + format).body);
  }
  for (const std::string& b : bodies) {
    INFO(b);
    for (const std::string& secret :
         {email, phone, std::string("Nguyễn Văn"), std::string("iphone-123"), std::string("acct-9"),
          description, address, std::string("Cống nghẹt hẻm 281"), ref, account, token,
          std::string("example.vn"), std::string("10.76"), std::string("reporter")})
      CHECK_THAT(b, !Catch::Contains(secret));
  }
}

TEST_CASE("Open311: GET requests with its filters, defaults and paging") {
  Open311Field f;
  std::string a = f.File({{"service_code", "rac-thai"}});
  std::string b = f.File({{"service_code", "chieu-sang"}, {"attribute[kind]", "gop_y"}});
  std::string c = f.File({{"service_code", "chieu-sang"}, {"attribute[ward]", "p05"}});
  // A report filed in the app: listed too, and no more of it than of the others.
  Cli citizen{f.tmp.File("citizen.db")};
  auto filed =
      citizen({"report", "new", "--category=tieng-on", "--ward=p04", "--title=Karaoke ồn ào",
               "--description=Nhà số 9 hát tới 2 giờ sáng.", "--lat=10.7611", "--lon=106.6511"});
  REQUIRE(filed.exit_code == 0);
  std::string app = LastLine(filed.out);
  REQUIRE(
      citizen({"register", "--server=" + f.server.url(), "--name=lan", "--password=mat-khau-lan"})
          .exit_code == 0);
  REQUIRE(citizen({"sync"}).exit_code == 0);
  const std::string app_ref = ParseObject(citizen({"report", "show", app, "--json"}).out)
                                  ->getValue<std::string>("reporter_ref");
  REQUIRE(app_ref.rfind("cd-", 0) == 0);

  auto ids = [&](const std::string& query) {
    Reply r = Get(f.server, "/open311/v2/requests.json" + query);
    INFO(query << " " << r.body);
    REQUIRE(r.status == 200);
    std::vector<std::string> out;
    auto arr = ParseArray(r.body);
    for (size_t i = 0; i < arr->size(); ++i) {
      RequestFieldsJson(arr->getObject(i), false);
      out.push_back(arr->getObject(i)->getValue<std::string>("service_request_id"));
    }
    return out;
  };
  using V = std::vector<std::string>;
  // Defaults: the last 90 days, newest first.
  CHECK(ids("") == V{app, c, b, a});
  CHECK(ids("?jurisdiction_id=q11") == V{app, c, b, a});
  // service_request_id: a comma list (overrides the other filters, as the spec says of ids).
  CHECK(ids("?service_request_id=" + a + "," + c) == V{c, a});
  CHECK(ids("?service_request_id=" + a + ",%20khong-co") == V{a});
  CHECK(ids("?service_request_id=" + a + "&service_code=chieu-sang&status=closed") == V{a});
  CHECK(ids("?service_code=chieu-sang") == V{c, b});
  CHECK(ids("?service_code=chieu-sang,rac-thai") == V{c, b, a});
  CHECK(ids("?status=open") == V{app, c, b, a});
  CHECK(ids("?status=open,closed") == V{app, c, b, a});
  CHECK(ids("?status=closed").empty());
  // Dates: ISO-8601 with a zone, at most 90 days apart; a lone date opens a 90-day window.
  CHECK(ids("?start_date=" + DaysFromNow(-1)) == V{app, c, b, a});
  CHECK(ids("?end_date=" + DaysFromNow(1)) == V{app, c, b, a});
  CHECK(ids("?start_date=" + DaysFromNow(-89) + "&end_date=" + DaysFromNow(1)).size() == 4);
  CHECK(ids("?start_date=" + DaysFromNow(-100)).empty());  // up to 10 days ago
  CHECK(ids("?end_date=2020-01-01T00:00:00Z").empty());
  CHECK(ids("?start_date=2099-01-01T00:00:00-05:00").empty());
  {
    // Our own +07:00 times go back in: the oldest request's second includes it.
    auto oldest = ParseArray(Get(f.server, "/open311/v2/requests/" + a + ".json").body);
    std::string at = oldest->getObject(0)->getValue<std::string>("requested_datetime");
    CHECK_THAT(at, Catch::EndsWith("+07:00"));
    CHECK(ids("?start_date=" + Encode(at)) == V{app, c, b, a});
  }
  // Paging.
  CHECK(ids("?page_size=2") == V{app, c});
  CHECK(ids("?page_size=2&page=2") == V{b, a});
  CHECK(ids("?page_size=2&page=3").empty());
  CHECK(ids("?page_size=1000&page=1").size() == 4);
  // Injection in parameters is only data.
  CHECK(ids("?service_request_id=" + Encode("' OR 1=1 --")).empty());

  // The app's report: its title, description and location are nowhere.
  for (const std::string format : {"xml", "json"}) {
    Reply r = Get(f.server, "/open311/v2/requests/" + app + "." + format + "?extensions=true");
    REQUIRE(r.status == 200);
    CHECK_THAT(r.body, Catch::Contains("tieng-on"));
    for (const std::string& secret : {std::string("Karaoke"), std::string("Nhà số 9"),
                                      std::string("10.761"), std::string("106.651"), app_ref})
      CHECK_THAT(r.body, !Catch::Contains(secret));
  }
  // The kind and ward of the others, in the extensions.
  auto bx = ParseArray(Get(f.server, "/open311/v2/requests/" + b + ".json?extensions=true").body);
  CHECK(bx->getObject(0)->getObject("extended_attributes")->getValue<std::string>("kind") ==
        "gop_y");
  auto cx = ParseArray(Get(f.server, "/open311/v2/requests/" + c + ".json?extensions=true").body);
  CHECK(cx->getObject(0)->getObject("extended_attributes")->getValue<std::string>("ward_id") ==
        "p05");
  // XML lists validate item by item.
  Doc all_doc = ParseXml(Get(f.server, "/open311/v2/requests.xml").body);
  auto all = Items(all_doc, "service_requests", "request");
  CHECK(all.size() == 4);
  for (auto* e : all) RequestFieldsXml(e, false);
}

TEST_CASE("Open311: every documented error, in the specification's format and both formats") {
  Open311Field f;
  std::string id = f.File();
  for (const std::string format : {"xml", "json"}) {
    INFO(format);
    const std::string root = "/open311/v2/";
    // GET errors.
    CheckError(Get(f.server, root + "services/khong-co." + format), format, 404);
    CheckError(Get(f.server, root + "requests/0190f0f0-0000-7000-8000-000000000000." + format),
               format, 404);
    CheckError(Get(f.server, root + "tokens/Q11-2222-2222." + format), format, 404);
    CheckError(Get(f.server, root + "tokens/khong-phai-ma." + format), format, 404);
    CheckError(Get(f.server, root + "khong-co." + format), format, 404);
    CheckError(Get(f.server, root + "requests." + format + "?jurisdiction_id=hanoi"), format, 404);
    for (const char* query :
         {"?start_date=hom-qua", "?start_date=2026-11-27T08:00:00", "?end_date=2026-11-27",
          "?start_date=2026-11-27T08:00:00Z&end_date=2026-11-26T08:00:00Z", "?status=pending",
          "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "?page=0", "?page=-1",
          "?page=abc", "?page_size=1001", "?page_size=0", "?service_code=khong-co",
          "?extensions=maybe", "?frob=1", "?service_request_id=%ZZ", "?service_code=%C3%28",
          "?page=1&page=2"}) {
      INFO(query);
      CheckError(Get(f.server, root + "requests." + format + query), format, 400);
    }
    CheckError(Get(f.server, root + "servicerequestupdates." + format + "?start_date=x"), format,
               400);
    CheckError(Get(f.server, root + "servicerequestupdates." + format + "?page_size=5000"), format,
               400);
    // Methods.
    Reply put = Call(f.server, "PUT", root + "requests." + format, "a=1");
    CheckError(put, format, 405);
    CHECK(put.allow == "GET, POST");
    CheckError(Call(f.server, "POST", root + "services." + format, "a=1"), format, 405);

    // POST errors: the key first.
    CheckError(f.Post(format, {{"service_code", "chieu-sang"}}), format, 403);
    CheckError(f.PostRequest(format, {{"api_key", "o311_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}),
               format, 403);
    CheckError(f.PostRequest(format, {{"api_key", "' OR 1=1 --"}}), format, 403);
    CheckError(f.PostRequest(format, {{"jurisdiction_id", "hanoi"}}), format, 404);
    CheckError(f.Post(format, {{"api_key", f.key}, {"lat", "10.7"}, {"long", "106.6"}}), format,
               400);  // no service_code
    for (const Fields& bad : std::vector<Fields>{
             {{"service_code", "khong-co"}},
             {{"service_code", "x' OR '1'='1"}},
             {{"attribute[ward]", ""}},
             {{"attribute[ward]", "p99"}},
             {{"attribute[kind]", "khieu_nai"}},
             {{"attribute[color]", "red"}},
             {{"frob", "1"}},
             {{"lat", "north"}},
             {{"lat", "91"}},
             {{"long", "181"}},
             {{"lat", "1e1"}},
             {{"lat", "nan"}},
             {{"attribute[title]", std::string(201, 'x')}},
             {{"description", std::string(4001, 'x')}},
             {{"description", "chuông\x07reo"}},
             {{"email", "khong-phai-email"}},
             {{"phone", "12"}},
             {{"phone", "0901<script>"}},
             {{"media_url", "javascript:alert(1)"}},
             {{"first_name", std::string(101, 'x')}},
             {{"device_id", std::string(129, 'x')}},
         }) {
      INFO(bad[0].first << "=" << bad[0].second.substr(0, 40));
      CheckError(f.PostRequest(format, bad), format, 400);
    }
    // Location: lat without long, nothing, or only an address_id.
    Fields base = {{"api_key", f.key}, {"service_code", "chieu-sang"}, {"attribute[ward]", "p04"}};
    auto with = [&](Fields more) {
      Fields all = base;
      all.insert(all.end(), more.begin(), more.end());
      return all;
    };
    CheckError(f.Post(format, with({{"lat", "10.7"}})), format, 400);
    CheckError(f.Post(format, base), format, 400);
    CheckError(f.Post(format, with({{"address_id", "12345"}})), format, 400);
    CHECK(f.Post(format, with({{"address_string", "Chợ Bình Thới"}})).status == 201);

    // Hostile bodies: not UTF-8, a broken escape, a NUL, a name twice, another content type,
    // an oversized body (answered, not reset).
    const std::string good = Form(with({{"lat", "10.7"}, {"long", "106.6"}}));
    CheckError(Call(f.server, "POST", root + "requests." + format, good + "&description=%C3%28"),
               format, 400);
    CheckError(Call(f.server, "POST", root + "requests." + format, good + "&description=%E2%82"),
               format, 400);
    CheckError(Call(f.server, "POST", root + "requests." + format, good + "&description=a%2"),
               format, 400);
    CheckError(Call(f.server, "POST", root + "requests." + format, good + "&description=a%00b"),
               format, 400);
    CheckError(Call(f.server, "POST", root + "requests." + format, good + "&lat=10.8"), format,
               400);
    CheckError(Call(f.server, "POST", root + "requests." + format, "{\"api_key\":\"x\"}",
                    "application/json"),
               format, 400);
    CheckError(Call(f.server, "POST", root + "requests." + format,
                    good + "&description=" + std::string(200000, 'x')),
               format, 413);
  }
  // Unknown formats: XML errors (the specification's required format).
  for (const char* path :
       {"/open311/v2/services.html", "/open311/v2/services", "/open311/v2/requests.",
        "/open311/v2/requests/"
        "abc.yaml"}) {
    INFO(path);
    CheckError(Get(f.server, path), "xml", 400);
  }
  CheckError(Get(f.server, "/open311/v2/"), "xml", 404);
  CheckError(Get(f.server, "/open311/v3/services.json"), "xml", 404);
  CheckError(Get(f.server, "/open311"), "xml", 404);
  // Still serving after all that.
  CHECK(Get(f.server, "/open311/v2/requests/" + id + ".json").status == 200);
}

TEST_CASE("Open311: POSTs are rate-limited per address and per key") {
  Open311Field f({"--open311-posts-per-minute=2", "--receipt-per-minute=0"});
  CHECK(f.PostRequest("json").status == 201);
  CHECK(f.PostRequest("json").status == 201);
  Reply limited = f.PostRequest("xml");
  CheckError(limited, "xml", 429);
  CHECK_FALSE(limited.retry_after.empty());
  // Reads are not limited by it.
  CHECK(Get(f.server, "/open311/v2/requests.json").status == 200);
}
