// The running sync server: the store, the token signer and Poco's HTTPServer on a port.
//
// Used by `syncserver serve` and by tests that start a real server in-process on port 0.
// Poco types stay out of this header (it is included by tests; compile time matters).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "protocol/result.h"
#include "syncserver/store.h"

namespace q11 {
class FileSync;  // filesync/file_sync.h
}

namespace q11::server {

struct ServerOptions {
  std::string data_dir;  // created when missing; holds syncserver.db, jwt.key, contact.key
  // postgresql://USER@HOST:PORT/DB: keep the data there instead of DATA/syncserver.db, so
  // several servers (sharing data_dir for keys and photos) serve one database.
  std::string database_url;
  std::string bind = "127.0.0.1";  // address to listen on
  uint16_t port = 8080;            // 0 picks a free port (see Server::port())
  int threads = 16;                // HTTP worker threads (one per open connection)
  // Devices waiting for changes (POST /v1/changes/wait) held at once without a thread
  // (watcher_reactor.h); one more is answered 503 with Retry-After. Lowered at start when
  // the open-files limit cannot hold them. With TLS the waits hold threads instead, at
  // most `threads` − 4.
  int max_watchers = 16000;
  size_t max_body_bytes = 32u << 20;
  bool log_requests = true;                      // one line per request on stderr
  int token_ttl_seconds = 900;                   // access tokens
  int64_t refresh_ttl_seconds = 30 * 24 * 3600;  // refresh tokens (each rotation renews)
  // Rate limits (docs/security.md); 0 turns one off.
  int login_per_minute = 10;    // per client address, and separately per account name
  int register_per_hour = 5;    // per client address
  int sync_per_minute = 120;    // per account
  int receipt_per_minute = 30;  // public receipt lookups, per client address
  int open311_per_minute = 10;  // Open311 POSTs, per client address and per API key
  // Pushed entries the write rules refuse, per account: past this many an hour, the
  // account's pushes are answered 429 with Retry-After (its pulls go on).
  int refused_entries_per_hour = 1000;
  // Connection limits (docs/security.md, "Denial of service"): each socket read or write
  // times out after `io_timeout_seconds`; a request's head and body must both arrive
  // within `request_deadline_seconds` of its start (a head still incomplete then is
  // answered 408, a body is cut); a client address may hold at most
  // `max_connections_per_address` open connections (one more is answered 429 and closed,
  // 0 = no limit); at most `threads` connections are served at once and `max_queued`
  // whose request head has arrived wait for a thread.
  int io_timeout_seconds = 30;
  int request_deadline_seconds = 60;
  int max_connections_per_address = 32;
  int max_queued = 256;
  // Refused requests are counted in memory and written to the audit trail once per this
  // many seconds, one row per (address, reason) (refusal_tally.h).
  int refusal_audit_seconds = 60;
  // Retention (history_pruner.h; 0 keeps everything): idempotency-ledger rows older than
  // this whose device has pushed since; security audit rows older than this.
  int ledger_retention_days = 30;
  int audit_retention_days = 90;
  int64_t max_db_mib = 0;  // 0: none; see StoreOptions::max_db_bytes
  // The reference set made the server's at start (StoreOptions::reference, docs/units.md);
  // `serve` defaults it to the structure in force, empty keeps the database's.
  std::string reference;
  // GET /readyz answers 503 while the data folder's disk has less free (http/readiness.h).
  int64_t min_free_mib = 100;
  // TLS: both set → HTTPS only (PEM files; the key file should be 0600). Both empty →
  // plain HTTP, for a loopback bind or behind a TLS-terminating proxy.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Reverse proxies whose X-Forwarded-For names the client (comma-separated addresses or
  // CIDR blocks, "127.0.0.1,::1"; empty: none, the socket's peer is the client). Rate
  // limits and the audit trail then see the client, and the per-address connection limit
  // does not apply to the proxies themselves (http/client_address.h, docs/deploy.md).
  std::string trusted_proxies;
  // The server's one clock, Unix milliseconds; empty: the system clock. Every decision
  // that depends on the time of day goes through it: token and refresh-token expiry,
  // handling deadlines and overdue cases, the reopen window, rate-limit windows, audit
  // and retention times. (Socket timeouts and the whole-request deadline stay on real
  // time: they protect threads, not business rules.) Tests substitute a clock they move;
  // it must be safe to call from any thread.
  std::function<int64_t()> clock_ms;
  // Makes photo bytes durable (photo_store.h). nullptr: the real fsync. Tests pass one
  // that simulates a power cut; it must outlive the server.
  FileSync* file_sync = nullptr;
};

class Server {
 public:
  // Opens the data folder and starts listening; writes the bound port number to
  // DATA/syncserver.port. Errors: kUnavailable (port in use, folder not writable), others
  // from opening the database.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  // Connections open now: waiting for their request head, or at a worker (for tests).
  virtual size_t open_connections() const = 0;
  // The server's store, e.g. for tests that add accounts while it runs.
  virtual Store& store() = 0;
  // Stops accepting, waits for requests in flight. Idempotent; the destructor calls it.
  virtual void Stop() = 0;
};

}  // namespace q11::server
