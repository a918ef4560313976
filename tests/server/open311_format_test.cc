// The pieces of the Open311 API that take hostile text apart or put stored text into a
// document: form decoding, ISO-8601 times with a zone, and the XML/JSON writer
// (docs/open311.md). The endpoints themselves: tests/integration/open311_test.cc.
#include <catch2/catch.hpp>

#include "open311/form_encoding.h"
#include "open311/open311_document.h"
#include "open311/open311_time.h"
#include "protocol/ids.h"

using namespace q11::server;

TEST_CASE("Open311 forms: decoding is strict about escapes, UTF-8, NUL and repeats") {
  auto ok = DecodeForm("a=1&b=x+y&c=%C3%A1&d=&e&&f=%2B07:00");
  REQUIRE(ok.ok());
  CHECK(ok->at("a") == "1");
  CHECK(ok->at("b") == "x y");
  CHECK(ok->at("c") == "á");
  CHECK(ok->at("d").empty());
  CHECK(ok->at("e").empty());
  CHECK(ok->at("f") == "+07:00");
  CHECK(DecodeForm("").ok());
  for (const char* bad : {"a=%", "a=%4", "a=%G1", "a=%C3%28", "a=%E2%82", "a=%00", "a=1&a=2",
                          "%FF=1", "a=%ED%A0%80", "a=%C0%80", "a=%F4%90%80%80"}) {
    INFO(bad);
    auto r = DecodeForm(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == q11::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Open311 times: ISO-8601 with a zone in, Vietnam's offset out") {
  auto utc = q11::ParseUtc("2026-11-27T01:00:00Z");
  REQUIRE(utc);
  CHECK(ParseOpen311Time("2026-11-27T01:00:00Z") == utc);
  CHECK(ParseOpen311Time("2026-11-27T08:00:00+07:00") == utc);
  CHECK(ParseOpen311Time("2026-11-26T20:00:00-05:00") == utc);
  CHECK(ParseOpen311Time("2026-11-27T08:00:00.500+07:00") == *utc + 500);
  for (const char* bad :
       {"2026-11-27", "2026-11-27T08:00:00", "2026-11-27 08:00:00Z", "2026-11-27T08:00:00+7:00",
        "2026-11-27T08:00:00+15:00", "2026-13-27T08:00:00Z", "hom-qua", ""}) {
    INFO(bad);
    CHECK_FALSE(ParseOpen311Time(bad));
  }
  CHECK(FormatOpen311Time("2026-11-27T09:24:22.123Z") == "2026-11-27T16:24:22+07:00");
  CHECK(FormatOpen311Time("2026-12-31T20:00:00Z") == "2027-01-01T03:00:00+07:00");
  CHECK(FormatOpen311Time("").empty());
  CHECK(FormatOpen311Time("garbage").empty());
}

TEST_CASE("Open311 documents: the same tree as XML and JSON, hostile text made harmless") {
  Open311Element list = Open311Element::List("service_requests", "request");
  list.Add(Open311Element::Object("request")
               .Text("service_request_id", "id-1")
               .Text("status_notes", "<script>alert('x') & \"y\"</script>\nđã xử lý")
               .Text("lat", "")
               .Number("code", "404")
               .Bool("metadata", true)
               .Text("bad", std::string("a\x01"
                                        "b\xC3\x28"
                                        "c\xFF",
                                        7)));
  list.Add(Open311Element::List("formats", "format").Text("", "text/xml"));
  std::string xml = list.ToXml();
  CHECK(xml ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<service_requests><request><service_request_id>id-1</service_request_id>"
        "<status_notes>&lt;script&gt;alert(&apos;x&apos;) &amp; &quot;y&quot;&lt;/script&gt;\n"
        "đã xử lý</status_notes><lat/><code>404</code><metadata>true</metadata>"
        "<bad>a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD(c\xEF\xBF\xBD</bad></request>"
        "<request><format>text/xml</format></request></service_requests>\n");
  std::string json = list.ToJson();
  CHECK(json ==
        "[{\"service_request_id\":\"id-1\",\"status_notes\":\"\\u003cscript>alert('x') & "
        "\\\"y\\\"\\u003c/script>\\nđã xử lý\",\"lat\":null,\"code\":404,\"metadata\":true,"
        "\"bad\":\"a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD(c\xEF\xBF\xBD\"},[\"text/xml\"]]\n");
  CHECK(Open311Element::List("errors", "error").ToXml() ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors/>\n");
  CHECK(Open311Element::List("errors", "error").ToJson() == "[]\n");
  CHECK(IsValidUtf8("Quận 11"));
  CHECK_FALSE(IsValidUtf8("\xC3"));
}
