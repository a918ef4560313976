// The subcommands' option parser (app/cli_args): Poco::Util's option processor with the
// project's rules (no abbreviations, --database everywhere, clear errors).
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "app/cli_args.h"
#include "app/server_app.h"

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

TEST_CASE("Command line: help laid out by HelpFormatter, bilingual, aligned, with defaults",
          "[cli]") {
  const std::string help =
      FormatHelp("syncserver demo", "--data=DIR [OPTION...]", "Thử nghiệm.\nA demo.",
                 {{"data", "DIR", "thư mục dữ liệu / the data folder. Required."},
                  {"max-connections-per-address", "N",
                   "số kết nối mỗi địa chỉ / one more open connection from an address is "
                   "answered 429 and closed at once (0 = no limit). Default 32."},
                  {"quiet", "", "không ghi từng yêu cầu / do not log each request."}},
                 "docs/deploy.md");
  INFO(help);
  CHECK(help.rfind("usage: syncserver demo --data=DIR [OPTION...]\n", 0) == 0);
  CHECK_THAT(help, Catch::Contains("\nThử nghiệm.\nA demo.\n"));
  CHECK_THAT(help,
             Catch::Contains("\n  --data=DIR                       thư mục dữ liệu / the data "
                             "folder. Required.\n"));
  CHECK_THAT(help, Catch::Contains("\n  --quiet                          không ghi"));
  // A long text wraps, its next lines at the column of its first; no trailing blanks.
  CHECK_THAT(help, Catch::Contains("\n                                   "));
  CHECK_THAT(help, Catch::Contains("Default 32.\n"));
  CHECK(help.find(" \n") == std::string::npos);
  CHECK(help.substr(help.size() - 15) == "docs/deploy.md\n");
  CHECK(SpecOf({{"data", "DIR", ""}, {"quiet", "", ""}}).valued == std::set<std::string>{"data"});
  CHECK(SpecOf({{"data", "DIR", ""}, {"quiet", "", ""}}).flags == std::set<std::string>{"quiet"});
}

TEST_CASE("Command line: serve's help names every option with its default, in both languages",
          "[cli]") {
  const std::string& help = ServeHelp();
  INFO(help);
  CHECK(help.rfind("usage: syncserver serve ", 0) == 0);
  CHECK_THAT(help, Catch::Contains("Chạy máy chủ đồng bộ"));
  CHECK_THAT(help, Catch::Contains("Serves the sync API"));
  for (const char* option :
       {"--config=FILE", "--data=DIR", "--database=URL", "--port=N", "--bind=ADDR",
        "--open311-posts-per-minute=N", "--reference=SET|DIR", "--metrics-token-file=FILE",
        "--log-format=text|json", "--quiet", "--clock-file=PATH", "--help"})
    CHECK_THAT(help, Catch::Contains("\n  " + std::string(option) + " "));
  // The texts as read, without the line breaks of the layout.
  std::string flat;
  for (char c : help)
    if (!(c == ' ' || c == '\n') || flat.empty() || flat.back() != ' ') flat += c == '\n' ? ' ' : c;
  for (const char* default_value :
       {"Default 8080.", "Default 127.0.0.1.", "Default 16.", "Default 33554432.", "Default 900.",
        "Default 16000.", "hcmc-2025 (default"})
    CHECK_THAT(flat, Catch::Contains(default_value));
  // Every line fits 100 columns (characters, not bytes: Vietnamese letters take two or three).
  size_t start = 0;
  while (start < help.size()) {
    size_t end = help.find('\n', start);
    std::string line = help.substr(start, end - start);
    size_t chars = 0;
    for (unsigned char c : line) chars += (c & 0xC0) != 0x80;
    INFO(line);
    CHECK(chars <= 102);
    start = end + 1;
  }
}
