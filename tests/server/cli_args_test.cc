// The subcommands' option parser (app/cli_args): Poco::Util's option processor with the
// project's rules (no abbreviations, --database everywhere, clear errors).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "app/cli_args.h"

using namespace q11;
using namespace q11::server;

namespace {

const CliSpec kSpec{{"data", "port", "bind"}, {"quiet", "json"}};

// Parses `words` as the arguments after "syncserver serve".
Result<CliArgs> Parse(std::vector<std::string> words) {
  words.insert(words.begin(), {"syncserver", "serve"});
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  return ParseCliArgs(static_cast<int>(argv.size()), argv.data(), 2, kSpec);
}

std::string Error(std::vector<std::string> words) {
  Result<CliArgs> r = Parse(std::move(words));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  return r.status().message();
}

}  // namespace

TEST_CASE("Command line: values, flags, and the forms people type", "[cli]") {
  Result<CliArgs> r = Parse({"--data=/var/lib/q11", "--port", "8081", "--quiet", "--bind=::1",
                             "--database=postgresql://q11@127.0.0.1:5432/q11"});
  REQUIRE(r.ok());
  CHECK(r->Get("data") == "/var/lib/q11");
  CHECK(r->Get("port") == "8081");  // "--port 8081": the value as the next argument
  CHECK(r->Get("bind") == "::1");   // a value holding ':' is kept whole
  CHECK(r->Get("database") == "postgresql://q11@127.0.0.1:5432/q11");
  CHECK(r->Has("quiet"));
  CHECK_FALSE(r->Has("json"));
  CHECK(r->Get("missing", "fallback") == "fallback");

  // The last of a repeated option wins; an empty value is a value.
  r = Parse({"--port=1", "--port=2", "--bind="});
  REQUIRE(r.ok());
  CHECK(r->Get("port") == "2");
  CHECK(r->Has("bind"));
  CHECK(r->Get("bind", "x").empty());

  for (const char* help : {"--help", "-h"}) {
    r = Parse({help});
    REQUIRE(r.ok());
    CHECK(r->Has("help"));
  }
}

TEST_CASE("Command line: mistakes get a clear error naming the argument", "[cli]") {
  CHECK(Error({"--colour=red"}) == "unknown option --colour");
  CHECK(Error({"--dat=/x"}).find("unknown option --dat") == 0);  // never abbreviated
  CHECK(Error({"--DATA=/x"}).find("unknown option --DATA") == 0);
  CHECK(Error({"--port"}) == "option --port needs a value: --port=...");
  CHECK(Error({"--quiet=yes"}) == "option --quiet takes no value");
  CHECK(Error({"serve"}) == "unexpected argument 'serve'");
  CHECK(Error({"--data=/x", "extra"}) == "unexpected argument 'extra'");
  CHECK(Error({"--"}) == "unexpected argument '--'");
  CHECK(Error({"-x"}).find("unknown option") == 0);
}
