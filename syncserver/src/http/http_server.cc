// Server (syncserver/include/syncserver/server.h): the data folder, the store, the token
// key and Poco's HTTPServer with a bounded thread pool.
#include <Poco/Crypto/OpenSSLInitializer.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "audit/security_audit.h"
#include "auth/rate_limiter.h"
#include "auth/refresh_tokens.h"
#include "auth/token_service.h"
#include "http/client_address.h"
#include "http/connection_gate.h"
#include "http/gated_connection.h"
#include "http/handler_context.h"
#include "http/open_files_limit.h"
#include "http/readiness.h"
#include "http/refusal_tally.h"
#include "http/request_router.h"
#include "open311/api_keys.h"
#include "photos/photo_store.h"
#include "privacy/contact_vault.h"
#include "store/data_dir.h"
#include "store/db_writer.h"
#include "store/open_store.h"
#include "store/sql/history_pruner.h"
#include "store/sql/store_maintenance.h"
#include "sync/change_notifier.h"
#include "sync/watcher_reactor.h"
#include "syncserver/server.h"

namespace q11::server {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the handlers use besides the store and the access-token signer.
struct Security {
  std::unique_ptr<RefreshTokens> refresh;
  std::unique_ptr<ContactVault> contacts;
  std::unique_ptr<SecurityAudit> audit;
  std::unique_ptr<RefusalTally> refusals;  // flushed into `audit`
  std::unique_ptr<RateLimits> limits;
  std::unique_ptr<ApiKeys> api_keys;  // Open311 (docs/open311.md)
};

Result<Security> OpenSecurity(const DataPaths& paths, const ServerOptions& o,
                              const std::function<int64_t()>& clock_ms, ServerStore& store) {
  DbWriter& writer = store;
  Security s;
  Result<std::unique_ptr<RefreshTokens>> refresh =
      RefreshTokens::Open(writer, o.refresh_ttl_seconds);
  if (!refresh.ok()) return refresh.status();
  s.refresh = std::move(*refresh);
  Result<std::unique_ptr<ContactVault>> contacts = ContactVault::Open(store, paths.contact_key);
  if (!contacts.ok()) return contacts.status();
  s.contacts = std::move(*contacts);
  s.audit = SecurityAudit::Open(writer, clock_ms);
  s.refusals = std::make_unique<RefusalTally>(
      *s.audit, clock_ms, std::chrono::seconds(std::max(1, o.refusal_audit_seconds)));
  s.limits = std::make_unique<RateLimits>(o.login_per_minute, o.register_per_hour,
                                          o.sync_per_minute, o.receipt_per_minute,
                                          o.open311_per_minute, o.refused_entries_per_hour);
  s.api_keys = std::make_unique<ApiKeys>(store);
  return s;
}

class RunningServer final : public Server {
 public:
  RunningServer(std::function<int64_t()> clock_ms, std::unique_ptr<ChangeNotifier> changes,
                std::unique_ptr<ServerStore> store, TokenService tokens, Security security,
                std::unique_ptr<PhotoStore> photos)
      : clock_ms_(std::move(clock_ms)),
        changes_(std::move(changes)),
        store_(std::move(store)),
        tokens_(std::move(tokens)),
        security_(std::move(security)),
        photos_(std::move(photos)) {}
  ~RunningServer() override { Stop(); }

  Status Listen(const ServerOptions& options, TrustedProxies trusted_proxies) {
    trusted_proxies_ = std::move(trusted_proxies);
    context_.trusted_proxies = &trusted_proxies_;
    context_.store = store_.get();
    context_.tokens = &tokens_;
    context_.refresh = security_.refresh.get();
    context_.contacts = security_.contacts.get();
    context_.audit = security_.audit.get();
    context_.refusals = security_.refusals.get();
    context_.limits = security_.limits.get();
    context_.changes = changes_.get();
    if (options.tls_cert_file.empty()) {
      // Plain HTTP: waiting devices are held by the reactor, not by threads. (With TLS the
      // socket's session lives in OpenSSL: waits keep their thread; docs/architecture.md.)
      WatcherReactor::Options w;
      w.max_watchers = std::max(1, options.max_watchers);
      Result<std::unique_ptr<WatcherReactor>> watchers =
          WatcherReactor::Start(*store_, *changes_, w);
      if (!watchers.ok()) return watchers.status();
      watchers_ = std::move(*watchers);
      context_.watchers = watchers_.get();
    }
    context_.photos = photos_.get();
    readiness_ = std::make_unique<Readiness>(static_cast<DbWriter&>(*store_), options.data_dir,
                                             options.min_free_mib << 20);
    context_.readiness = readiness_.get();
    context_.api_keys = security_.api_keys.get();
    context_.open311 = store_.get();
    context_.max_body_bytes = options.max_body_bytes;
    context_.log_requests = options.log_requests;
    context_.clock_ms = clock_ms_;
    try {
      Poco::Net::SocketAddress address(options.bind, options.port);
      if (!options.tls_cert_file.empty()) {
        // Server side only: clients are not asked for certificates (they log in with
        // tokens). TLS 1.2 or later; Poco's default cipher list is OpenSSL's.
        Poco::Net::Context::Ptr tls =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, options.tls_key_file,
                                   options.tls_cert_file, "", Poco::Net::Context::VERIFY_NONE);
        tls->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        socket_ = std::make_unique<Poco::Net::SecureServerSocket>(address, /*backlog=*/128, tls);
      } else {
        socket_ = std::make_unique<Poco::Net::ServerSocket>(address, /*backlog=*/128);
      }
      int threads = std::max(2, options.threads);
      max_threads_ = threads;
      pool_ = std::make_unique<Poco::ThreadPool>(2, threads);
      Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams();
      params->setMaxThreads(threads);
      params->setMaxQueued(std::max(1, options.max_queued));
      params->setKeepAlive(true);
      params->setMaxKeepAliveRequests(1000);
      params->setKeepAliveTimeout(Poco::Timespan(5, 0));
      // Receive and send timeout per socket operation: a client that trickles its headers
      // or body, or never reads the answer, gives up its thread after this long. Header
      // size and count are capped by Poco itself (field names 256 bytes, values 8 KiB,
      // 100 fields, URI 16 KiB): more is a 400 before any handler runs.
      params->setTimeout(Poco::Timespan(std::max(1, options.io_timeout_seconds), 0));
      // Poco's TCPServer would hand each connection to a worker at once; the gate
      // (connection_gate.h) accepts instead, limits connections per address and hands a
      // connection to Poco's dispatcher only once its request head has arrived. The
      // router only references context_, which outlives it.
      Poco::Net::HTTPRequestHandlerFactory::Ptr router = new RequestRouter(context_);
      ConnectionGate::Options gate_options;
      gate_options.max_per_address = options.max_connections_per_address;
      gate_options.deadline_seconds = std::max(1, options.request_deadline_seconds);
      gate_options.peek_head = options.tls_cert_file.empty();
      // A trusted proxy carries many clients on its connections (client_address.h).
      gate_options.unlimited = [this](const std::string& address) {
        return trusted_proxies_.Contains(address);
      };
      Result<std::unique_ptr<ConnectionGate>> gate = ConnectionGate::Open(
          *socket_, gate_options, [this](const std::string& address, std::string_view reason) {
            OnRefused(address, reason);
          });
      if (!gate.ok()) return gate.status();
      gate_ = std::move(*gate);
      dispatcher_ = new Poco::Net::TCPServerDispatcher(
          new GatedConnectionFactory(*gate_, params, router), *pool_,
          Poco::Net::TCPServerParams::Ptr(params.get(), /*shared=*/true));
      const int max_queued = params->getMaxQueued();
      gate_->Begin([this, max_queued](const Poco::Net::StreamSocket& s) {
        // Only the gate's thread enqueues, so the queue cannot fill between the check and
        // the enqueue (Poco would drop the socket silently).
        if (dispatcher_->queuedConnections() >= max_queued) return false;
        dispatcher_->enqueue(s);
        return true;
      });
      context_.busy = [this] {
        // Leave a thread free for a new connection; beyond that, stop keeping idle ones.
        return dispatcher_->queuedConnections() > 0 ||
               dispatcher_->currentThreads() + 1 >= max_threads_;
      };
      port_ = socket_->address().port();
      history_ = std::make_unique<HistoryPruner>(
          static_cast<DbWriter&>(*store_),
          Retention{options.ledger_retention_days, options.audit_retention_days}, clock_ms_);
      maintenance_ = std::make_unique<StoreMaintenance>(
          *store_, security_.refresh.get(), std::chrono::seconds(30), clock_ms_, history_.get());
    } catch (const Poco::Exception& e) {
      return Unavailable("cannot listen on " + options.bind + ":" + std::to_string(options.port) +
                         ": " + e.displayText());
    }
    return Status::Ok();
  }

  uint16_t port() const override { return port_; }
  size_t open_connections() const override { return gate_ ? gate_->open_connections() : 0; }
  Store& store() override { return *store_; }

  void Stop() override {
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (!gate_) return;
    try {
      // Waiting devices are answered at once; the gate shuts down every connection at a
      // worker (idle keep-alive ones too, or stopping would wait for them).
      changes_->Shutdown();
      if (watchers_) watchers_->Stop();
      gate_->Stop();
      dispatcher_->stop();
      // stop() wakes the workers waiting for a connection; one still finishing its
      // connection (the gate just cut it) waits for the next for Poco's idle time (10 s)
      // unless woken again.
      for (int i = 0; i < 400 && dispatcher_->currentThreads() > 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        dispatcher_->stop();
      }
      pool_->joinAll();
    } catch (const Poco::Exception& e) {
      std::fprintf(stderr, "syncserver: while stopping: %s\n", e.displayText().c_str());
    }
    dispatcher_->release();
    dispatcher_ = nullptr;
    gate_.reset();
    socket_.reset();
    if (maintenance_) maintenance_->Stop();
    security_.refusals->Stop();  // the last window's refusals
  }

 private:
  const std::function<int64_t()> clock_ms_;  // ServerOptions::clock_ms or the system clock
  std::unique_ptr<ChangeNotifier> changes_;  // outlives the store, which calls it
  std::unique_ptr<ServerStore> store_;       // the Store, and the writer beside it
  TokenService tokens_;
  Security security_;
  std::unique_ptr<PhotoStore> photos_;
  TrustedProxies trusted_proxies_;
  std::unique_ptr<WatcherReactor> watchers_;  // plain HTTP only; uses store_ and changes_
  std::unique_ptr<Readiness> readiness_;      // uses store_
  HandlerContext context_;
  std::unique_ptr<Poco::Net::ServerSocket> socket_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<ConnectionGate> gate_;
  Poco::Net::TCPServerDispatcher* dispatcher_ = nullptr;  // reference counted by Poco
  std::unique_ptr<HistoryPruner> history_;                // used by maintenance_
  std::unique_ptr<StoreMaintenance> maintenance_;
  std::mutex stop_mu_;

  // Refusals by the gate (its thread): counted in memory, never a write per refusal.
  void OnRefused(const std::string& address, std::string_view reason) {
    security_.refusals->Count(address, reason, "connection");
  }
  uint16_t port_ = 0;
  int max_threads_ = 2;
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty())
    return InvalidArgument("TLS needs both a certificate and a key / TLS cần cả chứng chỉ và khóa");
  // Poco sets OpenSSL up on first use and tears it down when its last user is gone,
  // counting users without excluding a set-up racing a tear-down: token checks on many
  // threads at once (thousands of devices coming back to wait) crashed the server in
  // OpenSSLInitializer::uninitialize. One user held for the process keeps it set up.
  static Poco::Crypto::OpenSSLInitializer openssl;
  Result<TrustedProxies> trusted_proxies = TrustedProxies::Parse(options.trusted_proxies);
  if (!trusted_proxies.ok())
    return InvalidArgument("--trusted-proxy: " + trusted_proxies.status().message());
  Q11_RETURN_IF_ERROR(EnsureDataDir(options.data_dir));
  DataPaths paths = PathsFor(options.data_dir);
  ServerOptions o = options;
  // Every held wait is an open descriptor; keep room for the rest (connections at workers
  // and in the gate, the database, photos).
  constexpr int kOtherFiles = 1024;
  Result<uint64_t> files = RaiseOpenFilesLimit();
  if (!files.ok()) {
    std::fprintf(stderr, "syncserver: %s\n", files.status().ToString().c_str());
  } else if (*files < static_cast<uint64_t>(o.max_watchers) + kOtherFiles) {
    const int fit = std::max<int>(1, static_cast<int>(*files) - kOtherFiles);
    std::fprintf(stderr,
                 "syncserver: the open-files limit (%llu) holds only %d waiting devices, not "
                 "the %d asked for: raise it (ulimit -Hn, LimitNOFILE=) to hold more\n",
                 static_cast<unsigned long long>(*files), fit, o.max_watchers);
    o.max_watchers = fit;
  }
  // Waiting devices may take all threads but a few, so syncs and logins always find one.
  auto changes = std::make_unique<ChangeNotifier>(std::max(1, options.threads - 4));
  std::function<int64_t()> clock_ms = options.clock_ms ? options.clock_ms : NowMs;
  StoreOptions store_options;
  store_options.clock = clock_ms;
  store_options.on_commit = [n = changes.get()] { n->Notify(); };
  store_options.max_db_bytes = options.max_db_mib << 20;
  store_options.reference = options.reference;
  Result<std::unique_ptr<ServerStore>> store =
      OpenServerStore(paths, options.database_url, store_options);
  if (!store.ok()) return store.status();
  Result<TokenService> tokens =
      TokenService::FromKeyFile(paths.signing_key, options.token_ttl_seconds);
  if (!tokens.ok()) return tokens.status();
  Result<Security> security = OpenSecurity(paths, options, clock_ms, **store);
  if (!security.ok()) return security.status();
  Result<std::unique_ptr<PhotoStore>> photos = PhotoStore::Open(paths.photos, options.file_sync);
  if (!photos.ok()) return photos.status();
  auto server =
      std::make_unique<RunningServer>(clock_ms, std::move(changes), std::move(*store),
                                      std::move(*tokens), std::move(*security), std::move(*photos));
  Q11_RETURN_IF_ERROR(server->Listen(o, std::move(*trusted_proxies)));
  Q11_RETURN_IF_ERROR(WriteFileAtomically(paths.port_file, std::to_string(server->port()) + "\n"));
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace q11::server
