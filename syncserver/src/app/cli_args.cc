#include "app/cli_args.h"

#include <cstdio>

#include <cerrno>
#include <cstdlib>

namespace q11::server {

std::string CliArgs::Get(const std::string& key, const std::string& fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second;
}

Result<CliArgs> ParseCliArgs(int argc, char** argv, int first, const CliSpec& spec) {
  CliArgs out;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h") arg = "--help";
    if (arg.rfind("--", 0) != 0) return InvalidArgument("unexpected argument '" + arg + "'");
    std::string body = arg.substr(2);
    size_t eq = body.find('=');
    std::string key = body.substr(0, eq);
    if (eq == std::string::npos) {
      if (key == "help" || spec.flags.count(key)) {
        out.flags.insert(key);
        continue;
      }
      if (spec.valued.count(key))
        return InvalidArgument("option --" + key + " needs a value: --" + key + "=...");
      return InvalidArgument("unknown option --" + key);
    }
    // Every command works on PostgreSQL as well (store/open_store.h).
    if (!spec.valued.count(key) && key != "database")
      return InvalidArgument("unknown option --" + key);
    out.values[key] = body.substr(eq + 1);
  }
  return out;
}

std::optional<long> ParseInt(const std::string& text, long min, long max) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text.c_str(), &end, 10);
  if (errno != 0 || end == nullptr || *end != '\0' || v < min || v > max) return std::nullopt;
  return v;
}

int UsageError(const std::string& what, const char* usage) {
  std::fprintf(stderr, "syncserver: %s\n%s", what.c_str(), usage);
  return 2;
}

int CommandFailed(const Status& s) {
  std::fprintf(stderr, "syncserver: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace q11::server
