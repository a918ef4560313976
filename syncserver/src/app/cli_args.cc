#include "app/cli_args.h"

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace q11::server {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

// Every command works on PostgreSQL as well (store/open_store.h), so --database is allowed
// everywhere; --help (or -h) too.
OptionSet OptionsOf(const CliSpec& spec) {
  OptionSet set;
  std::set<std::string> valued = spec.valued;
  valued.insert("database");
  // Repeatable: a script that sets an option twice gets the last value, as before Poco.
  for (const std::string& name : valued)
    set.addOption(Option(name, "").argument("VALUE").repeatable(true));
  for (const std::string& name : spec.flags)
    if (name != "help" && !valued.count(name)) set.addOption(Option(name, "").repeatable(true));
  set.addOption(Option("help", "h").repeatable(true));
  return set;
}

// The name as typed: "--data=x" and "--data" give "data"; "-h" gives "h".
std::string TypedName(const std::string& arg) {
  size_t start = arg.rfind("--", 0) == 0 ? 2 : 1;
  size_t end = arg.find_first_of(":=", start);
  return arg.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::string CliArgs::Get(const std::string& key, const std::string& fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second;
}

// Poco::Util's option processor does the parsing: --name=VALUE and --name VALUE, flags, and
// its errors. Two rules are ours: a value-less flag may not be given one, and names are
// never abbreviated (Poco accepts any unique prefix, which a later option could make
// ambiguous and so break a script that worked).
Result<CliArgs> ParseCliArgs(int argc, char** argv, int first, const CliSpec& spec) {
  OptionSet options = OptionsOf(spec);
  Poco::Util::OptionProcessor processor(options);
  processor.setUnixStyle(true);
  CliArgs out;
  std::string typed;  // the option awaiting its value as the next argument, as typed
  try {
    for (int i = first; i < argc; ++i) {
      std::string arg = argv[i];
      bool awaiting_value = !typed.empty();
      if (!awaiting_value) {
        if (arg == "--" || arg.size() < 2 || arg[0] != '-')
          return InvalidArgument("unexpected argument '" + arg + "'");
        typed = TypedName(arg);
      }
      std::string name, value;
      if (!processor.process(arg, name, value))
        return InvalidArgument("unexpected argument '" + arg + "'");
      if (name.empty()) continue;  // its value is the next argument
      std::string as_typed = typed;
      typed.clear();
      if (as_typed != name && !(name == "help" && as_typed == "h"))
        return InvalidArgument("unknown option --" + as_typed + " (did you mean --" + name + "?)");
      if (options.getOption(name).takesArgument())
        out.values[name] = value;
      else
        out.flags.insert(name);
    }
    processor.checkRequired();  // an option at the end still waiting for its value
  } catch (const Poco::Util::MissingArgumentException&) {
    return InvalidArgument("option --" + typed + " needs a value: --" + typed + "=...");
  } catch (const Poco::Util::UnexpectedArgumentException&) {
    return InvalidArgument("option --" + typed + " takes no value");
  } catch (const Poco::Util::OptionException&) {  // unknown, or a prefix of several
    return InvalidArgument("unknown option --" + typed);
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

std::string CliActor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "unknown");
}

int64_t CliNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatHelp(const std::string& command, const std::string& usage,
                       const std::string& intro, const std::vector<OptionHelp>& options,
                       const std::string& footer) {
  OptionSet set;
  for (const OptionHelp& o : options) {
    Option option(o.name, "");
    option.description(o.text);
    if (!o.value.empty()) option.argument(o.value);
    set.addOption(option);
  }
  Poco::Util::HelpFormatter help(set);
  help.setUnixStyle(true);
  help.setCommand(command);
  help.setUsage(usage);
  help.setHeader("\n" + intro);
  help.setFooter(footer);
  help.setWidth(100);
  // A fixed indent keeps the texts' column the same in every command (a longer option name
  // gets its text on the next line).
  help.setIndent(34);
  std::ostringstream out;
  help.format(out);
  // Two touches to its layout: the options indented by two columns like the rest of the
  // syncserver's texts, and a wrapped description's next lines aligned with its first
  // (HelpFormatter starts them one column further, and leaves a blank at each break).
  constexpr int kTextColumn = 33;  // where the first line of an option's text starts
  std::string text;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (line.rfind("--", 0) == 0) {
      text += "  " + line + '\n';
    } else if (line.rfind(std::string(kTextColumn, ' '), 0) == 0) {
      text += std::string(kTextColumn + 2, ' ') + line.substr(line.find_first_not_of(' ')) + '\n';
    } else {
      text += line + '\n';
    }
  }
  return text;
}

CliSpec SpecOf(const std::vector<OptionHelp>& options) {
  CliSpec spec;
  for (const OptionHelp& o : options) (o.value.empty() ? spec.flags : spec.valued).insert(o.name);
  return spec;
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
