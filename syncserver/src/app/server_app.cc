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

// serve's options: its parse spec and its --help (FormatHelp), from one list. Each text:
// Vietnamese, then English, then the default.
const std::vector<OptionHelp>& ServeOptions() {
  static const std::vector<OptionHelp> kOptions = {
      {"config", "FILE",
       "tùy chọn đọc từ tệp .properties / options from a .properties file, one per line as "
       "syncserver.OPTION = VALUE (syncserver.data = /var/lib/q11, syncserver.port = 8080, "
       "syncserver.quiet = true); options on the command line override it."},
      {"data", "DIR",
       "thư mục dữ liệu / the data folder, made on first start (database DIR/syncserver.db, "
       "token key DIR/jwt.key, contact key DIR/contact.key, photos). Required."},
      {"database", "URL",
       "dữ liệu trong PostgreSQL / keep the data in PostgreSQL instead, URL "
       "postgresql://USER@HOST:PORT/DB (several servers may "
       "serve one database; DIR still holds the keys and photos and is shared by them)."},
      {"port", "N",
       "cổng / TCP port; 0 picks a free one, written to DIR/syncserver.port. Default 8080."},
      {"bind", "ADDR", "địa chỉ lắng nghe / address to listen on. Default 127.0.0.1."},
      {"threads", "N", "số luồng / request threads (2-256). Default 16."},
      {"max-body-bytes", "N",
       "kích thước tối đa một yêu cầu / largest request body. Default 33554432."},
      {"access-ttl-seconds", "N",
       "thời hạn mã truy cập / access token lifetime (1-86400). Default 900."},
      {"login-per-minute", "N",
       "số lần đăng nhập mỗi phút / logins per minute, per address and per name. Default 10."},
      {"register-per-hour", "N",
       "số lần đăng ký mỗi giờ / registrations per hour per address. Default 5."},
      {"sync-per-minute", "N",
       "số lần đồng bộ mỗi phút / syncs per minute per account (0 = no limit). Default 120."},
      {"receipt-per-minute", "N",
       "tra cứu mã biên nhận mỗi phút / public receipt lookups per minute per address. "
       "Default 30."},
      {"open311-posts-per-minute", "N",
       "số POST Open311 mỗi phút / Open311 POSTs per minute per address and per API key. "
       "Default 10."},
      {"refused-entries-per-hour", "N",
       "thay đổi bị từ chối mỗi giờ / pushed changes the write rules refuse, per account; past "
       "it the account's pushes get 429 with Retry-After, its pulls go on. Default 1000."},
      {"io-timeout-seconds", "N",
       "thời gian chờ đọc/ghi / each socket read or write (1-3600). Default 30."},
      {"request-deadline-seconds", "N",
       "hạn nhận một yêu cầu / a request's head and body must arrive within this time (a head "
       "still incomplete is answered 408, a body is cut; slow clients that dribble headers "
       "wait without holding a thread). Default 60."},
      {"max-connections-per-address", "N",
       "số kết nối mỗi địa chỉ / one more open connection from an address is answered 429 and "
       "closed at once (0 = no limit; a --trusted-proxy has none). Default 32."},
      {"max-watchers", "N",
       "số thiết bị chờ thay đổi / devices waiting for changes held at once (each an open "
       "file, no thread; one more gets 503 with Retry-After; lowered to fit the open-files "
       "limit). With --tls-cert the waits hold a thread each instead, at most --threads - 4. "
       "Default 16000."},
      {"ledger-retention-days", "N",
       "giữ kết quả đồng bộ / idempotency verdicts older than this are deleted once their "
       "device has pushed again since (0 = keep all). Default 30."},
      {"audit-retention-days", "N",
       "giữ nhật ký kiểm tra / refused requests, logins and refused pushes in the audit trail "
       "older than this are deleted (contact reads, accounts, conflicts are kept). Default 90."},
      {"max-db-mib", "N",
       "dung lượng tối đa / refuse pushes (503, nothing applied, devices keep them) once the "
       "database would pass N MiB, as on a full disk (0 = none). Default 0."},
      {"min-free-mib", "N",
       "dung lượng trống tối thiểu / GET /readyz answers 503 while the data folder's disk has "
       "less free (it also needs the database to take a write). Default 100."},
      {"tls-cert", "FILE",
       "chứng chỉ TLS (PEM), phục vụ qua HTTPS / PEM certificate: serve HTTPS only, with "
       "--tls-key."},
      {"tls-key", "FILE", "khóa TLS (PEM) / PEM private key of --tls-cert."},
      {"trusted-proxy", "ADDR,...",
       "máy chủ trung gian tin cậy / reverse proxies (addresses or CIDR blocks, e.g. "
       "127.0.0.1,::1) whose X-Forwarded-For names the client for rate limits and the audit "
       "trail; other peers' X-Forwarded-For is ignored. Their connections have no per-address "
       "limit. Default: none (docs/deploy.md)."},
      {"reference", "SET|DIR",
       "danh mục đơn vị, lĩnh vực, ngày lễ, mẫu trả lời / the units, categories, holidays and "
       "response templates: a folder of .sql files an operator edits, or a built-in set: "
       "hcmc-2025 (default: the wards since 1/7/2025) or q11-2018 (Quận 11's 16 wards). "
       "Published to every device; units it no longer has are retired into the successor it "
       "names (docs/units.md)."},
      {"log-format", "text|json",
       "định dạng nhật ký / json: one JSON object a line on stderr (ts, level, msg, "
       "request_id, method, route, status, duration_ms, client, user_id). Requests keep a "
       "client's sane X-Request-Id or get one, sent back in the answer. Default text."},
      {"metrics-token", "TOKEN",
       "mã đọc số liệu / GET /metrics (Prometheus, docs/monitoring.md) answers loopback "
       "clients, and anyone with Authorization: Bearer TOKEN. Default: none."},
      {"metrics-token-file", "FILE",
       "tệp chứa mã đọc số liệu / the token of --metrics-token from the first line of FILE, "
       "which keeps it out of the process list."},
      {"quiet", "", "không ghi từng yêu cầu / do not log each request."},
      {"clock-file", "PATH",
       "CHỈ DÙNG CHO KIỂM THỬ / FOR TESTS ONLY (off by default): the server's time is the "
       "system clock plus the milliseconds written in PATH (re-read when the file changes; "
       "missing = 0), so tests can expire tokens and pass deadlines without waiting."},
      {"help", "", "hướng dẫn này / this help."},
  };
  return kOptions;
}

}  // namespace

const std::string& ServeHelp() {
  static const std::string kHelp = FormatHelp(
      "syncserver serve", "--data=DIR [OPTION...]",
      "Chạy máy chủ đồng bộ; dừng bằng Ctrl-C (SIGINT) hoặc SIGTERM.\n"
      "Serves the sync API; stop it with Ctrl-C (SIGINT) or SIGTERM. GET /healthz: the process "
      "answers; GET /readyz: the database takes a write and the disk has room.\n"
      "Tùy chọn / options (--name=VALUE or --name VALUE):",
      ServeOptions(),
      "Hướng dẫn triển khai / deployment: docs/deploy.md; danh mục / reference sets: "
      "docs/units.md.");
  return kHelp;
}

namespace {

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
  const CliSpec spec = SpecOf(ServeOptions());
  Result<CliArgs> args = ParseCliArgs(argc, argv, 2, spec);
  if (!args.ok()) {
    std::fprintf(stderr, "syncserver: %s\n%s", args.status().message().c_str(),
                 ServeHelp().c_str());
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
    std::fputs(ServeHelp().c_str(), stdout);
    return 0;
  }
  ServerOptions o;
  o.data_dir = args->Get("data");
  o.database_url = args->Get("database");
  if (o.data_dir.empty()) {
    std::fprintf(stderr, "syncserver: missing --data=DIR / thiếu --data\n%s", ServeHelp().c_str());
    return 2;
  }
  o.bind = args->Get("bind", o.bind);
  std::optional<long> port = ParseInt(args->Get("port", "8080"), 0, 65535);
  std::optional<long> threads = ParseInt(args->Get("threads", std::to_string(o.threads)), 2, 256);
  std::optional<long> body =
      ParseInt(args->Get("max-body-bytes", std::to_string(o.max_body_bytes)), 1024, 1L << 30);
  if (!port || !threads || !body) {
    std::fprintf(stderr, "syncserver: --port, --threads or --max-body-bytes out of range\n%s",
                 ServeHelp().c_str());
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
                 ServeHelp().c_str());
    return 2;
  }
  const std::optional<log::Format> log_format = log::ParseFormat(args->Get("log-format", "text"));
  if (!log_format) {
    std::fprintf(stderr, "syncserver: --log-format is text or json\n%s", ServeHelp().c_str());
    return 2;
  }
  o.log_json = *log_format == log::Format::kJson;
  log::SetFormat(*log_format);  // the lines below already in it
  o.metrics_token = args->Get("metrics-token");
  if (const std::string file = args->Get("metrics-token-file"); !file.empty()) {
    if (!o.metrics_token.empty()) {
      std::fprintf(stderr, "syncserver: --metrics-token or --metrics-token-file, not both\n%s",
                   ServeHelp().c_str());
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
                 ServeHelp().c_str());
    return 2;
  }
  o.max_db_mib = *max_db;
  o.reference = args->Get("reference", std::string(kDefaultReferenceSet));
  std::optional<long> min_free =
      ParseInt(args->Get("min-free-mib", std::to_string(o.min_free_mib)), 0, 1L << 30);
  if (!min_free) {
    std::fprintf(stderr, "syncserver: --min-free-mib out of range (0-%ld)\n%s", 1L << 30,
                 ServeHelp().c_str());
    return 2;
  }
  o.min_free_mib = *min_free;
  if (o.max_db_mib > 0 && !o.database_url.empty()) {
    // SQLite's page cap; a PostgreSQL server's disk is watched by its own operator.
    std::fprintf(stderr,
                 "syncserver: --max-db-mib applies to the embedded SQLite database only, not "
                 "with --database / --max-db-mib chỉ dùng với SQLite\n%s",
                 ServeHelp().c_str());
    return 2;
  }
  for (const auto& opt : ints) {
    std::optional<long> v =
        ParseInt(args->Get(opt.name, std::to_string(*opt.target)), opt.min, opt.max);
    if (!v) {
      std::fprintf(stderr, "syncserver: --%s out of range (%ld-%ld)\n%s", opt.name, opt.min,
                   opt.max, ServeHelp().c_str());
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
