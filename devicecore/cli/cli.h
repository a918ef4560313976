// The q11 command line: shared pieces of the command groups (argument parsing, opening
// the database, printing errors). Each cmd_*.cc holds one group.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "devicecore/photos.h"

namespace q11::cli {

// Exit codes: 0 done, 1 the operation failed (message on stderr), 2 usage error. Only
// q11 sync uses 3 and 4 (cmd_sync.cc): the exchange went through, but the server refused
// something (3) or something still waits to go up (4). q11 verify (cmd_verify.cc) answers
// a question: 0 equal, 1 different, and 5 when it could not compare (its failures).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRejected = 3;
inline constexpr int kExitWaiting = 4;
inline constexpr int kExitDifferent = 1;   // q11 verify: the device differs from the server
inline constexpr int kExitUnverified = 5;  // q11 verify: could not compare

struct OptionSpec {
  const char* name;  // without "--"
  bool takes_value;
};

struct Command;

// The server a command talks to, and the certificate authority that vouches for it.
struct ServerChoice {
  std::string url;     // "" when neither --server nor a login names one
  std::string ca_pem;  // the PEM of a private CA; "" for the system's CA store
};

// A transport to `server` (device::MakeHttpTransport: https, or http to loopback only).
Result<std::unique_ptr<device::Transport>> Connect(const ServerChoice& server, int timeout_ms);

// A parsed command line for one command.
class Args {
 public:
  std::optional<std::string> Get(const std::string& name) const;   // the last one given
  std::vector<std::string> GetAll(const std::string& name) const;  // a repeatable option
  bool Has(const std::string& name) const { return options_.count(name) > 0; }
  const std::vector<std::string>& positionals() const { return positionals_; }

  std::string db_path;
  bool utc = false;  // --utc: show times in UTC instead of Vietnam time
  std::map<std::string, std::string> options_;
  std::map<std::string, std::vector<std::string>> repeated_;
  std::vector<std::string> positionals_;
};

// What a command runs with. The database is opened on first use.
class Context {
 public:
  Context(const Command* command, Args args) : command_(command), args_(std::move(args)) {}
  const Args& args() const { return args_; }
  // Opens the database (printing the error and returning nullptr on failure).
  device::Database* db();
  // Prints "q11 <command>: <msg>" and the command's usage to stderr; returns kExitUsage.
  int Usage(const std::string& msg) const;
  // Prints a one-line error (with the Vietnamese prefix for common codes); returns kExitFailed.
  int Fail(const Status& s) const;
  // A stored ISO-8601 UTC time as people read it: Vietnam time with its offset, or UTC
  // with --utc ("2026-12-10 17:00 (UTC+7)"); "-" when absent. JSON output keeps ISO UTC.
  std::string Time(const std::optional<std::string>& iso) const;
  // The id of the report the user named by id or receipt code (Database::ResolveReportId);
  // prints the error and returns nullopt when it cannot be resolved (exit kExitFailed).
  std::optional<std::string> ReportId(const std::string& typed);
  // --server and --ca=FILE (read here), else the server this device logged in to and the
  // CA it was given then (also for --server naming that same URL). Fails only when the
  // --ca file cannot be read; opens the database (url "" when it cannot be opened).
  Result<ServerChoice> Server();

 private:
  const Command* command_;
  Args args_;
  std::unique_ptr<device::Database> db_;
};

struct Command {
  const char* group;  // "report"
  const char* sub;    // "new", or nullptr when the group is the command
  const char* usage;  // arguments after "q11 --db=FILE group sub"
  const char* help;   // one paragraph
  std::vector<OptionSpec> options;
  int min_positionals, max_positionals;
  int (*run)(Context& ctx);
};

// Command groups, defined in cmd_*.cc.
int RunLogin(Context& ctx);
int RunRegister(Context& ctx);
int RunLogout(Context& ctx);
int RunWhoami(Context& ctx);
int RunRefList(Context& ctx);
int RunReportNew(Context& ctx);
int RunReportList(Context& ctx);
int RunReportShow(Context& ctx);
int RunReportComment(Context& ctx);
int RunReportEdit(Context& ctx);
int RunReportWithdraw(Context& ctx);
int RunReportRate(Context& ctx);
int RunReportReopen(Context& ctx);
int RunCaseStatus(Context& ctx);
int RunCaseAssign(Context& ctx);
int RunCaseDeadline(Context& ctx);
int RunCaseProgress(Context& ctx);
int RunCaseTemplates(Context& ctx);
int RunOutbox(Context& ctx);
int RunOutboxSettled(Context& ctx);
int RunOutboxDiscard(Context& ctx);
int RunSync(Context& ctx);
int RunVerify(Context& ctx);
int RunWatch(Context& ctx);
int RunDevExec(Context& ctx);
int RunPhotoAdd(Context& ctx);
int RunPhotoList(Context& ctx);
int RunPhotoGet(Context& ctx);
int RunPhotoBudget(Context& ctx);
int RunPublicReports(Context& ctx);
int RunPublicReceipt(Context& ctx);

// A progress line for photo transfers when stdout is a terminal (else empty): bytes done /
// total, rewritten in place (cmd_photo.cc).
std::function<void(const device::PhotoProgress&)> TerminalProgress(const char* what);

// "512 B", "12 KiB", "1.2 MiB" (cmd_photo.cc).
std::string HumanBytes(int64_t n);

// Parsing and help (cli_args.cc).
const std::vector<Command>& Commands();
void PrintHelp(std::ostream& out);
void PrintCommandHelp(std::ostream& out, const Command& c);
// Parses argv; on a usage error prints it and returns kExitUsage, on --help prints help
// and returns kExitOk, otherwise runs the command and returns its exit code.
int Main(int argc, char** argv);

// A one-line rendering of text for tables: newlines become spaces, cut to `max` bytes
// on a UTF-8 boundary.
std::string OneLine(const std::string& s, size_t max);

// `text` as a whole decimal number within [lo, hi]; nullopt when it is not one.
std::optional<int64_t> WholeNumber(const std::string& text, int64_t lo, int64_t hi);

}  // namespace q11::cli
