// Server (syncserver/include/syncserver/server.h): the data folder, the store, the token
// key and Poco's HTTPServer with a bounded thread pool.
#include <Poco/Exception.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <mutex>

#include "data_dir.h"
#include "handler_context.h"
#include "request_router.h"
#include "syncserver/server.h"
#include "token_service.h"

namespace q11::server {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RunningServer final : public Server {
 public:
  RunningServer(std::unique_ptr<Store> store, TokenService tokens)
      : store_(std::move(store)), tokens_(std::move(tokens)) {}
  ~RunningServer() override { Stop(); }

  Status Listen(const ServerOptions& options) {
    context_.store = store_.get();
    context_.tokens = &tokens_;
    context_.max_body_bytes = options.max_body_bytes;
    context_.log_requests = options.log_requests;
    context_.clock_ms = NowMs;
    try {
      Poco::Net::SocketAddress address(options.bind, options.port);
      socket_ = std::make_unique<Poco::Net::ServerSocket>(address, /*backlog=*/128);
      int threads = std::max(2, options.threads);
      max_threads_ = threads;
      pool_ = std::make_unique<Poco::ThreadPool>(2, threads);
      auto* params = new Poco::Net::HTTPServerParams();  // the server takes ownership
      params->setMaxThreads(threads);
      params->setMaxQueued(256);
      params->setKeepAlive(true);
      params->setMaxKeepAliveRequests(1000);
      params->setKeepAliveTimeout(Poco::Timespan(5, 0));
      params->setTimeout(Poco::Timespan(60, 0));
      // HTTPServer owns the factory; the router only references context_, which outlives it.
      http_ = std::make_unique<Poco::Net::HTTPServer>(new RequestRouter(context_), *pool_, *socket_,
                                                      params);
      context_.busy = [this] {
        // Leave a thread free for a new connection; beyond that, stop keeping idle ones.
        return http_->queuedConnections() > 0 || http_->currentThreads() + 1 >= max_threads_;
      };
      http_->start();
      port_ = socket_->address().port();
    } catch (const Poco::Exception& e) {
      return Unavailable("cannot listen on " + options.bind + ":" + std::to_string(options.port) +
                         ": " + e.displayText());
    }
    return Status::Ok();
  }

  uint16_t port() const override { return port_; }
  Store& store() override { return *store_; }

  void Stop() override {
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (!http_) return;
    try {
      // stopAll(true): also abort idle keep-alive connections, or stop would wait for them.
      http_->stopAll(true);
      pool_->joinAll();
    } catch (const Poco::Exception& e) {
      std::fprintf(stderr, "syncserver: while stopping: %s\n", e.displayText().c_str());
    }
    http_.reset();
    socket_.reset();
  }

 private:
  std::unique_ptr<Store> store_;
  TokenService tokens_;
  HandlerContext context_;
  std::unique_ptr<Poco::Net::ServerSocket> socket_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> http_;
  std::mutex stop_mu_;
  uint16_t port_ = 0;
  int max_threads_ = 2;
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  Q11_RETURN_IF_ERROR(EnsureDataDir(options.data_dir));
  DataPaths paths = PathsFor(options.data_dir);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(paths.database);
  if (!store.ok()) return store.status();
  Result<TokenService> tokens =
      TokenService::FromKeyFile(paths.signing_key, options.token_ttl_seconds);
  if (!tokens.ok()) return tokens.status();
  auto server = std::make_unique<RunningServer>(std::move(*store), std::move(*tokens));
  Q11_RETURN_IF_ERROR(server->Listen(options));
  Q11_RETURN_IF_ERROR(WriteFileAtomically(paths.port_file, std::to_string(server->port()) + "\n"));
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace q11::server
