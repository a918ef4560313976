// The server's logger (syncserver/src/log/logger.h): JSON lines that parse whatever the
// text, request ids that a client cannot use to inject anything. The server's log as a
// whole is tests/integration/metrics_test.cc ("Logs: ...").
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "log/logger.h"

using namespace q11::server;

namespace {

// What `write` sends to stderr, as text.
template <typename F>
std::string CaptureStderr(F write) {
  char path[] = "/tmp/q11-log-test-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  write();
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  unlink(path);
  return s.str();
}

}  // namespace

TEST_CASE("Logger: JSON strings escape quotes, controls and bytes that are not UTF-8") {
  std::string out;
  log::AppendJsonString(out, std::string("a\"b\\c\nd\r\t\x01\x7f Đèn \xff\xc3", 20));
  CHECK(out == "a\\\"b\\\\c\\nd\\r\\t\\u0001\\u007f Đèn \\u00ff\\u00c3");
}

TEST_CASE("Logger: a JSON line per message, with the request id and user, and text as before") {
  log::SetFormat(log::Format::kJson);
  const std::string json = CaptureStderr([] {
    log::RequestScope scope("phone-1");
    log::NoteUser("0190aaaa-user");
    log::Warn("disk \"full\"\nsoon", {{"bytes", int64_t{42}}, {"path", "/var/lib/q11"}});
    log::RequestLine line;
    line.method = "POST";
    line.uri = "/v1/sync?x=1";
    line.route = "/v1/sync";
    line.status = 200;
    line.duration_ms = 1.25;
    line.client = "127.0.0.1";
    log::Request(line);
  });
  log::SetFormat(log::Format::kText);
  std::istringstream lines(json);
  std::string first, second, third;
  REQUIRE(std::getline(lines, first));
  REQUIRE(std::getline(lines, second));
  CHECK(!std::getline(lines, third));
  auto a = Poco::JSON::Parser().parse(first).extract<Poco::JSON::Object::Ptr>();
  CHECK(a->getValue<std::string>("level") == "warn");
  CHECK(a->getValue<std::string>("msg") == "disk \"full\"\nsoon");
  CHECK(a->getValue<std::string>("request_id") == "phone-1");
  CHECK(a->getValue<int>("bytes") == 42);
  CHECK(a->getValue<std::string>("path") == "/var/lib/q11");
  auto b = Poco::JSON::Parser().parse(second).extract<Poco::JSON::Object::Ptr>();
  CHECK(b->getValue<std::string>("msg") == "request");
  CHECK(b->getValue<std::string>("route") == "/v1/sync");
  CHECK(!b->has("uri"));  // the raw path (ids, query strings) stays out of JSON lines
  CHECK(b->getValue<int>("status") == 200);
  CHECK(b->getValue<double>("duration_ms") == 1.25);
  CHECK(b->getValue<std::string>("user_id") == "0190aaaa-user");
  CHECK(b->getValue<std::string>("request_id") == "phone-1");

  // Outside a request: no request id. Text: the lines the server always wrote.
  const std::string text = CaptureStderr([] {
    log::Error("epoll_wait: gone");
    log::RequestLine line;
    line.method = "GET";
    line.uri = "/healthz";
    line.status = 200;
    line.duration_ms = 0.06;
    log::Request(line);
  });
  CHECK(text == "syncserver: epoll_wait: gone\nGET /healthz 200 0.1ms\n");
  CHECK(log::CurrentRequestId().empty());
}

TEST_CASE("Logger: a client's request id is kept only when sane") {
  CHECK(log::RequestIdFrom("q11-0123456789abcdef") == "q11-0123456789abcdef");
  CHECK(log::RequestIdFrom("a.b_c:d-E9") == "a.b_c:d-E9");
  for (const std::string bad :
       {std::string(), std::string("x\ny"), std::string("x\"y"), std::string("with space"),
        std::string(65, 'a'), std::string("é"), std::string("a\0b", 3)}) {
    const std::string id = log::RequestIdFrom(bad);
    CHECK(id != bad);
    CHECK(id.size() == 16);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  CHECK(log::RequestIdFrom(std::string(64, 'a')) == std::string(64, 'a'));
  CHECK(log::RequestIdFrom("") != log::RequestIdFrom(""));
}
