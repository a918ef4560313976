// The running sync server: the store, the token signer and Poco's HTTPServer on a port.
//
// Used by `syncserver serve` and by tests that start a real server in-process on port 0.
// Poco types stay out of this header (it is included by tests; compile time matters).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "protocol/result.h"
#include "syncserver/store.h"

namespace q11::server {

struct ServerOptions {
  std::string data_dir;            // created when missing; holds syncserver.db, jwt.key
  std::string bind = "127.0.0.1";  // address to listen on
  uint16_t port = 8080;            // 0 picks a free port (see Server::port())
  int threads = 16;                // HTTP worker threads (one per open connection)
  size_t max_body_bytes = 32u << 20;
  bool log_requests = true;  // one line per request on stderr
  int token_ttl_seconds = 3600;
};

class Server {
 public:
  // Opens the data folder and starts listening; writes the bound port number to
  // DATA/syncserver.port. Errors: kUnavailable (port in use, folder not writable), others
  // from opening the database.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  // The server's store, e.g. for tests that add accounts while it runs.
  virtual Store& store() = 0;
  // Stops accepting, waits for requests in flight. Idempotent; the destructor calls it.
  virtual void Stop() = 0;
};

}  // namespace q11::server
