#include "app/server_app.h"

#include <Poco/Util/ServerApplication.h>
#include <csignal>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>

#include "app/cli_args.h"
#include "app/clock_file.h"
#include "app/config_file.h"
#include "http/client_address.h"
#include "log/logger.h"
#include "store/data_dir.h"
#include "store/data_dir_lock.h"
#include "syncserver/server.h"
#include "units/builtin_sets.h"

namespace q11::server {
namespace {

constexpr const char* kServeUsage =
    "usage: syncserver serve [--config=FILE] --data=DIR "
    "[--database=postgresql://USER@HOST:PORT/DB] [--port=N] "
    "[--bind=ADDR] [--threads=N] "
    "[--max-body-bytes=N] [--access-ttl-seconds=N]\n"
    "       [--login-per-minute=N] [--register-per-hour=N] [--sync-per-minute=N] "
    "[--receipt-per-minute=N] [--open311-posts-per-minute=N] [--io-timeout-seconds=N]\n"
    "       [--request-deadline-seconds=N] [--max-connections-per-address=N] "
    "[--max-watchers=N]\n"
    "       [--max-db-mib=N] [--min-free-mib=N] [--tls-cert=FILE --tls-key=FILE] "
    "[--trusted-proxy=ADDR,...] "
    "[--reference=SET|DIR] [--quiet]\n"
    "       [--log-format=text|json] [--metrics-token=TOKEN | --metrics-token-file=FILE]\n"
    "       [--clock-file=PATH]  (for tests only)\n"
    "  Serves the sync API. Creates DIR on first start (database DIR/syncserver.db, token key "
    "DIR/jwt.key).\n"
    "  --database=postgresql://...: keep the data in PostgreSQL instead (several servers may\n"
    "  serve one database; DIR still holds the keys and photos and is shared by them).\n"
    "  --config=FILE: options from a .properties file, one per line as syncserver.OPTION =\n"
    "  VALUE (syncserver.data = /var/lib/q11, syncserver.port = 8080, syncserver.quiet = true);\n"
    "  options on the command line override it.\n"
    "  --reference=SET|DIR: the units, categories, holidays and response templates (danh mục\n"
    "  đơn vị, lĩnh vực, ngày lễ, mẫu trả lời): a folder of .sql files an operator edits, or a\n"
    "  built-in set: hcmc-2025 (default: the wards since 1/7/2025) or q11-2018 (Quận 11's 16\n"
    "  wards). Published to every device; units it no longer has are retired into the\n"
    "  successor it names (docs/units.md).\n"
    "  --port=0 picks a free port; the port in use is written to DIR/syncserver.port.\n"
    "  Defaults: --bind=127.0.0.1 --port=8080 --threads=16 --max-body-bytes=33554432\n"
    "  --access-ttl-seconds=900 --login-per-minute=10 (per address and per name)\n"
    "  --register-per-hour=5 (per address) --sync-per-minute=120 (per account; 0 = no limit)\n"
    "  --receipt-per-minute=30 (public receipt lookups per address)\n"
    "  --open311-posts-per-minute=10 (Open311 POSTs per address and per API key)\n"
    "  --refused-entries-per-hour=1000 (pushed changes the write rules refuse, per account;\n"
    "  past it the account's pushes get 429 with Retry-After, its pulls go on)\n"
    "  --io-timeout-seconds=30 (each socket read or write).\n"
    "  --request-deadline-seconds=60: a request's head and body must arrive within this\n"
    "  time (a head still incomplete is answered 408, a body is cut; slow clients that\n"
    "  dribble headers wait without holding a thread).\n"
    "  --max-connections-per-address=32: one more open connection from an address is\n"
    "  answered 429 and closed at once (0 = no limit; a --trusted-proxy has none).\n"
    "  --max-watchers=16000: devices waiting for changes held at once (each an open file,\n"
    "  no thread; one more gets 503 with Retry-After; lowered to fit the open-files limit).\n"
    "  With --tls-cert the waits hold a thread each instead, at most --threads - 4.\n"
    "  --ledger-retention-days=30: idempotency verdicts older than this are deleted once\n"
    "  their device has pushed again since (0 = keep all).\n"
    "  --audit-retention-days=90: refused requests, logins and refused pushes in the audit\n"
    "  trail older than this are deleted (contact reads, accounts, conflicts are kept).\n"
    "  Contact details are sealed with DIR/contact.key.\n"
    "  --max-db-mib=N: refuse pushes (503, nothing applied, devices keep them) once the\n"
    "  database would pass N MiB, as on a full disk; keeps room on a shared disk (0 = none).\n"
    "  --min-free-mib=100: GET /readyz answers 503 while the data folder's disk has less\n"
    "  free (it also needs the database to take a write); GET /healthz: the process answers.\n"
    "  --tls-cert/--tls-key: PEM files; serve HTTPS only (phục vụ qua HTTPS).\n"
    "  --trusted-proxy=127.0.0.1,::1: reverse proxies (addresses or CIDR blocks) whose\n"
    "  X-Forwarded-For names the client for rate limits and the audit trail; other peers'\n"
    "  X-Forwarded-For is ignored. Their connections have no per-address limit (default:\n"
    "  none trusted; docs/deploy.md).\n"
    "  --log-format=json: one JSON object a line on stderr (ts, level, msg, request_id,\n"
    "  method, route, status, duration_ms, client, user_id); default text. Requests keep a\n"
    "  client's sane X-Request-Id or get one, sent back in the answer's X-Request-Id.\n"
    "  GET /metrics (Prometheus text format, docs/monitoring.md) answers loopback clients;\n"
    "  --metrics-token=TOKEN (or the first line of --metrics-token-file=FILE, which keeps it\n"
    "  out of the process list) lets anyone with Authorization: Bearer TOKEN read it too.\n"
    "  --clock-file=PATH: FOR TESTS ONLY (off by default): the server's time is the system\n"
    "  clock plus the milliseconds written in PATH (re-read when the file changes; missing\n"
    "  = 0), so tests can expire tokens and pass deadlines without waiting.\n"
    "  Chạy máy chủ đồng bộ; dừng bằng Ctrl-C (SIGINT) hoặc SIGTERM.\n";

class ServeApp final : public Poco::Util::ServerApplication {
 public:
  explicit ServeApp(ServerOptions options) : options_(std::move(options)) {}

 protected:
  int main(const std::vector<std::string>& /*args*/) override {
    Result<std::unique_ptr<Server>> server = Server::Start(options_);
    if (!server.ok()) {
      log::Error("cannot start: " + server.status().ToString());
      return EXIT_UNAVAILABLE;
    }
    const std::string url = std::string(options_.tls_cert_file.empty() ? "http" : "https") + "://" +
                            options_.bind + ":" + std::to_string((*server)->port());
    if (log::CurrentFormat() == log::Format::kText)
      std::fprintf(stderr, "syncserver listening on %s\n", url.c_str());  // as it always said
    else
      log::Info("listening", {{"url", url}});
    waitForTerminationRequest();
    log::Info("stopping");
    (*server)->Stop();
    return EXIT_OK;
  }

 private:
  ServerOptions options_;
};

}  // namespace

int RunServe(int argc, char** argv) {
  CliSpec spec{{"data",
                "port",
                "bind",
                "threads",
                "max-body-bytes",
                "access-ttl-seconds",
                "login-per-minute",
                "register-per-hour",
                "sync-per-minute",
                "receipt-per-minute",
                "open311-posts-per-minute",
                "io-timeout-seconds",
                "request-deadline-seconds",
                "max-connections-per-address",
                "max-watchers",
                "refused-entries-per-hour",
                "ledger-retention-days",
                "audit-retention-days",
                "max-db-mib",
                "min-free-mib",
                "tls-cert",
                "tls-key",
                "trusted-proxy",
                "clock-file",
                "reference",
                "log-format",
                "metrics-token",
                "metrics-token-file",
                "config"},
               {"quiet"}};
  Result<CliArgs> args = ParseCliArgs(argc, argv, 2, spec);
  if (!args.ok()) {
    std::fprintf(stderr, "syncserver: %s\n%s", args.status().message().c_str(), kServeUsage);
    return 2;
  }
  if (args->values.count("config")) {
    Status merged = MergeConfigFile(args->Get("config"), spec, &*args);
    if (!merged.ok()) {
      std::fprintf(stderr, "syncserver: %s\n", merged.message().c_str());
      return 2;
    }
  }
  if (args->Has("help")) {
    std::fputs(kServeUsage, stdout);
    return 0;
  }
  ServerOptions o;
  o.data_dir = args->Get("data");
  o.database_url = args->Get("database");
  if (o.data_dir.empty()) {
    std::fprintf(stderr, "syncserver: missing --data=DIR / thiếu --data\n%s", kServeUsage);
    return 2;
  }
  o.bind = args->Get("bind", o.bind);
  std::optional<long> port = ParseInt(args->Get("port", "8080"), 0, 65535);
  std::optional<long> threads = ParseInt(args->Get("threads", std::to_string(o.threads)), 2, 256);
  std::optional<long> body =
      ParseInt(args->Get("max-body-bytes", std::to_string(o.max_body_bytes)), 1024, 1L << 30);
  if (!port || !threads || !body) {
    std::fprintf(stderr, "syncserver: --port, --threads or --max-body-bytes out of range\n%s",
                 kServeUsage);
    return 2;
  }
  o.port = static_cast<uint16_t>(*port);
  o.threads = static_cast<int>(*threads);
  o.max_body_bytes = static_cast<size_t>(*body);
  o.log_requests = !args->Has("quiet");
  o.tls_cert_file = args->Get("tls-cert");
  o.tls_key_file = args->Get("tls-key");
  o.trusted_proxies = args->Get("trusted-proxy");
  if (Result<TrustedProxies> proxies = TrustedProxies::Parse(o.trusted_proxies); !proxies.ok()) {
    std::fprintf(stderr, "syncserver: --trusted-proxy: %s\n%s", proxies.status().message().c_str(),
                 kServeUsage);
    return 2;
  }
  const std::optional<log::Format> log_format = log::ParseFormat(args->Get("log-format", "text"));
  if (!log_format) {
    std::fprintf(stderr, "syncserver: --log-format is text or json\n%s", kServeUsage);
    return 2;
  }
  o.log_json = *log_format == log::Format::kJson;
  log::SetFormat(*log_format);  // the lines below already in it
  o.metrics_token = args->Get("metrics-token");
  if (const std::string file = args->Get("metrics-token-file"); !file.empty()) {
    if (!o.metrics_token.empty()) {
      std::fprintf(stderr, "syncserver: --metrics-token or --metrics-token-file, not both\n%s",
                   kServeUsage);
      return 2;
    }
    std::ifstream in(file);
    if (!in || !std::getline(in, o.metrics_token)) {
      std::fprintf(stderr, "syncserver: --metrics-token-file: cannot read %s\n", file.c_str());
      return 2;
    }
    while (!o.metrics_token.empty() &&
           (o.metrics_token.back() == '\r' || o.metrics_token.back() == ' '))
      o.metrics_token.pop_back();
  }
  // A token travels in a header: printable ASCII without spaces, long enough not to guess.
  if (args->Has("metrics-token") || args->Has("metrics-token-file")) {
    bool printable = o.metrics_token.size() >= 16 && o.metrics_token.size() <= 256;
    for (char c : o.metrics_token) printable = printable && c > ' ' && c < 0x7F;
    if (!printable) {
      std::fprintf(stderr,
                   "syncserver: the metrics token must be 16-256 printable characters without "
                   "spaces (e.g. openssl rand -hex 24)\n");
      return 2;
    }
  }
  if (const std::string clock_file = args->Get("clock-file"); !clock_file.empty()) {
    log::Warn("the clock follows " + clock_file + " (for tests only)");
    o.clock_ms = [clock = std::make_shared<ClockFile>(clock_file)] { return clock->NowMs(); };
  }
  struct {
    const char* name;
    int* target;
    long min, max;
  } ints[] = {
      {"access-ttl-seconds", &o.token_ttl_seconds, 1, 86400},
      {"login-per-minute", &o.login_per_minute, 0, 1000000},
      {"register-per-hour", &o.register_per_hour, 0, 1000000},
      {"sync-per-minute", &o.sync_per_minute, 0, 1000000},
      {"receipt-per-minute", &o.receipt_per_minute, 0, 1000000},
      {"open311-posts-per-minute", &o.open311_per_minute, 0, 1000000},
      {"refused-entries-per-hour", &o.refused_entries_per_hour, 0, 100000000},
      {"ledger-retention-days", &o.ledger_retention_days, 0, 36500},
      {"audit-retention-days", &o.audit_retention_days, 0, 36500},
      {"io-timeout-seconds", &o.io_timeout_seconds, 1, 3600},
      {"request-deadline-seconds", &o.request_deadline_seconds, 1, 3600},
      {"max-connections-per-address", &o.max_connections_per_address, 0, 1000000},
      {"max-watchers", &o.max_watchers, 1, 1000000},
  };
  std::optional<long> max_db = ParseInt(args->Get("max-db-mib", "0"), 0, 1L << 30);
  if (!max_db) {
    std::fprintf(stderr, "syncserver: --max-db-mib out of range (0-%ld)\n%s", 1L << 30,
                 kServeUsage);
    return 2;
  }
  o.max_db_mib = *max_db;
  o.reference = args->Get("reference", std::string(kDefaultReferenceSet));
  std::optional<long> min_free =
      ParseInt(args->Get("min-free-mib", std::to_string(o.min_free_mib)), 0, 1L << 30);
  if (!min_free) {
    std::fprintf(stderr, "syncserver: --min-free-mib out of range (0-%ld)\n%s", 1L << 30,
                 kServeUsage);
    return 2;
  }
  o.min_free_mib = *min_free;
  if (o.max_db_mib > 0 && !o.database_url.empty()) {
    // SQLite's page cap; a PostgreSQL server's disk is watched by its own operator.
    std::fprintf(stderr,
                 "syncserver: --max-db-mib applies to the embedded SQLite database only, not "
                 "with --database / --max-db-mib chỉ dùng với SQLite\n%s",
                 kServeUsage);
    return 2;
  }
  for (const auto& opt : ints) {
    std::optional<long> v =
        ParseInt(args->Get(opt.name, std::to_string(*opt.target)), opt.min, opt.max);
    if (!v) {
      std::fprintf(stderr, "syncserver: --%s out of range (%ld-%ld)\n%s", opt.name, opt.min,
                   opt.max, kServeUsage);
      return 2;
    }
    *opt.target = static_cast<int>(*v);
  }

  // Block the termination signals before any thread starts: threads inherit the mask, so
  // the signal reaches waitForTerminationRequest()'s sigwait instead of killing the
  // process from a worker thread. Writes to a closed socket must not kill it either.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGQUIT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // Held while the server runs: `syncserver restore` refuses to replace the database under
  // it (data_dir_lock.h). Several servers may share the folder.
  if (Status made = EnsureDataDir(o.data_dir); !made.ok()) {
    std::fprintf(stderr, "syncserver: %s\n", made.message().c_str());
    return 1;
  }
  Result<DataDirLock> lock = DataDirLock::Take(o.data_dir, DataDirLock::Mode::kShared);
  if (!lock.ok()) {
    std::fprintf(stderr, "syncserver: %s\n", lock.status().message().c_str());
    return 1;
  }
  ServeApp app(std::move(o));
  char* app_argv[] = {argv[0], nullptr};
  return app.run(1, app_argv);
}

}  // namespace q11::server
