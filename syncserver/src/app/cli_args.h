// `--key=value` and `--flag` arguments of the syncserver subcommands. Every option must be
// one the subcommand knows; anything else is a usage error (exit 2).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/result.h"

namespace q11::server {

struct CliArgs {
  std::map<std::string, std::string> values;  // --key=value
  std::set<std::string> flags;                // --flag
  bool Has(const std::string& key) const { return values.count(key) > 0 || flags.count(key) > 0; }
  std::string Get(const std::string& key, const std::string& fallback = "") const;
};

// Every command takes --database= (ParseCliArgs allows it everywhere); its usage line,
// a literal so that usage texts can end with it.
#define Q11_DATABASE_OPTION_HELP                                                              \
  "  --database=postgresql://USER@HOST:PORT/DB: the server's data is in PostgreSQL (as for\n" \
  "  serve); without it, in DIR/syncserver.db.\n"

struct CliSpec {
  std::set<std::string> valued;  // options that take =value
  std::set<std::string> flags;   // options without a value ("help" is always allowed)
};

// One option of a command's --help: its name, its value's placeholder ("" for a flag), and
// what it does, Vietnamese first and English beside, with its default.
struct OptionHelp {
  std::string name, value, text;
};

// A command's whole --help, laid out by Poco::Util::HelpFormatter: "usage: COMMAND USAGE",
// the hand-written `intro`, the options (each "--name=VALUE" with its text wrapped and
// aligned beside it), then `footer`. Ends with a newline.
std::string FormatHelp(const std::string& command, const std::string& usage,
                       const std::string& intro, const std::vector<OptionHelp>& options,
                       const std::string& footer);
// The parse spec of the same options (value or flag).
CliSpec SpecOf(const std::vector<OptionHelp>& options);

// Parses argv[first..argc). kInvalidArgument names the offending argument.
Result<CliArgs> ParseCliArgs(int argc, char** argv, int first, const CliSpec& spec);

// Prints "syncserver: WHAT" and the command's usage text to stderr; returns 2 (usage error).
int UsageError(const std::string& what, const char* usage);
// Prints "syncserver: <status>" to stderr; returns 1 (the command failed).
int CommandFailed(const Status& s);

// Who ran a command, for the audit trail: "cli:" and the login user ($USER).
std::string CliActor();
// The commands' clock: Unix milliseconds of the system clock.
int64_t CliNowMs();

// A decimal integer in [min, max], or nullopt.
std::optional<long> ParseInt(const std::string& text, long min, long max);

}  // namespace q11::server
