// What every HTTP handler shares: the store, the token services, the contact vault, the
// security audit and the limits. Owned by the Server; handlers hold a reference for the
// duration of one request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "auth/token_service.h"
#include "syncserver/store.h"

namespace q11::server {
class RefreshTokens;
class ContactVault;
class ChangeNotifier;
class WatcherReactor;
class SecurityAudit;
class RefusalTally;
struct RateLimits;
class PhotoStore;
class ApiKeys;
class Open311Reads;
class TrustedProxies;
class Readiness;
class StoreFigureReads;
namespace metrics {
struct ServerMetrics;
}
}  // namespace q11::server

namespace q11::server {

struct HandlerContext {
  Store* store = nullptr;
  const TokenService* tokens = nullptr;
  RefreshTokens* refresh = nullptr;
  ContactVault* contacts = nullptr;
  SecurityAudit* audit = nullptr;     // may be null in handler unit tests: then nothing is audited
  RefusalTally* refusals = nullptr;   // may be null: refusals are then audited one row each
  RateLimits* limits = nullptr;       // may be null: no rate limits
  ChangeNotifier* changes = nullptr;  // may be null: waiting for changes is refused (503)
  PhotoStore* photos = nullptr;       // may be null: the photo endpoints answer 503
  ApiKeys* api_keys = nullptr;        // may be null (with open311): Open311 answers 503
  Open311Reads* open311 = nullptr;
  // May be null: the socket's peer is the client (client_address.h).
  const TrustedProxies* trusted_proxies = nullptr;
  // Holds waiting devices without a thread (watcher_reactor.h). May be null (TLS
  // listeners, handler tests): a wait for changes then holds its thread.
  WatcherReactor* watchers = nullptr;
  Readiness* readiness = nullptr;  // may be null: /readyz answers 503
  // What /metrics renders (metrics_handler.h). May be null: nothing is counted, /metrics
  // answers 503.
  metrics::ServerMetrics* metrics = nullptr;
  StoreFigureReads* figures = nullptr;  // may be null: /metrics leaves the store's out
  std::string metrics_token;            // empty: /metrics for loopback clients only
  size_t max_body_bytes = 32u << 20;
  bool log_requests = true;
  std::function<int64_t()> clock_ms;  // Unix milliseconds
  // True when every worker thread is taken or connections are waiting: answers then close
  // their connection. Poco parks an idle keep-alive connection on a worker thread until it
  // times out, so a crowd of idle phones could otherwise starve new ones.
  std::function<bool()> busy;
};

}  // namespace q11::server
