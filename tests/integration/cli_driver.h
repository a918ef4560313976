// What the command-line integration tests share: running `q11 --db=FILE ...` and reading its
// output (the last line, JSON). Header-only; included by integration tests only.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace q11::test {

// One device: `cli({"report", "list"})` runs `q11 --db=<db> report list`.
struct Cli {
  std::string db;
  CommandResult operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), {Q11Bin(), "--db=" + db});
    return Run(args);
  }
};

// The last line of `out` without its newline (q11 report new prints the new id there).
inline std::string LastLine(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  size_t nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

inline Poco::JSON::Object::Ptr ParseObject(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

inline Poco::JSON::Array::Ptr ParseArray(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Array::Ptr>();
}

}  // namespace q11::test
