// The device library's seams to the outside world: clock, randomness and sleep (Env), and
// the network (Transport). Tests pass their own to control time, ids and failures; the
// defaults are the real clock, /dev/urandom and a Poco HTTP(S) client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.h"

namespace q11::device {

class Env {
 public:
  virtual ~Env() = default;
  virtual int64_t NowMs() = 0;                           // Unix time in milliseconds
  virtual void RandomBytes(uint8_t* out, size_t n) = 0;  // for UUIDv7 ids
  virtual void SleepMs(int ms) = 0;                      // retry backoff
};

// The process-wide real Env. Thread-safe; lives forever.
Env* DefaultEnv();

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string retry_after;     // the Retry-After header of a 429/503, "" when absent
  int64_t bytes_sent = 0;      // request line + headers + body, as written to the socket
  int64_t bytes_received = 0;  // status line + headers + body
  // Response headers (filled by Send; names as the server wrote them).
  std::vector<std::pair<std::string, std::string>> headers;
  // The value of header `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
};

// Any request (Transport::Send): the photo endpoints need GET with Range and PATCH.
struct HttpRequest {
  std::string method = "GET";
  std::string path;  // with the query string
  std::string content_type;
  std::string_view body;  // must stay live during Send
  std::string bearer;     // empty: no Authorization header
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the reply body is handed here piece by piece as it arrives instead of being
  // kept in reply.body: a download that breaks keeps what came before the break.
  std::function<void(std::string_view)> on_body;
};

// One HTTP POST to the server. Implementations return kUnavailable for connection
// failures (refused, reset, timeout), so the caller can retry, and kFailedPrecondition when
// the server's TLS certificate is refused (not retried); an HTTP error status is a
// successful Post with reply.status set.
class Transport {
 public:
  virtual ~Transport() = default;
  // `bearer` empty: no Authorization header.
  virtual Result<HttpReply> Post(std::string_view path, std::string_view content_type,
                                 std::string_view body, std::string_view bearer) = 0;
  // Any method, with headers and a streamed reply body; the same error rules as Post. The
  // default answers kFailedPrecondition: a transport made for sync tests carries no photos.
  virtual Result<HttpReply> Send(const HttpRequest& request);
};

struct TransportOptions {
  int timeout_ms = 30000;  // connecting, and each read or write on the socket
  // For https:// only. PEM text of the certificate authorities (one or a bundle) that alone
  // may vouch for the server: a server with a private CA. Empty: the system's CA store
  // (/etc/ssl/certs). Public CAs are not trusted besides a given one, so a private
  // deployment cannot be impersonated with a certificate bought elsewhere.
  std::string ca_pem;
};

// A Transport to base_url: "https://host[:port][/prefix]", or "http://" to a loopback
// address only (127.0.0.0/8, ::1, localhost) — refused here, before any name lookup or
// connection, for any other host. Over HTTPS the server's certificate chain, its dates and
// its host name (or IP address) are checked in the TLS handshake, before any request byte
// is sent; a certificate that fails is kFailedPrecondition naming the problem, in
// Vietnamese and English (never retried: waiting does not fix a certificate). Keeps one
// connection alive across calls. Not thread-safe: one per thread.
// Errors: kInvalidArgument (a malformed URL, plain http to another host, a ca_pem holding
// no certificate).
Result<std::unique_ptr<Transport>> MakeHttpTransport(const std::string& base_url,
                                                     const TransportOptions& options);
inline Result<std::unique_ptr<Transport>> MakeHttpTransport(const std::string& base_url,
                                                            int timeout_ms = 30000) {
  TransportOptions options;
  options.timeout_ms = timeout_ms;
  return MakeHttpTransport(base_url, options);
}

}  // namespace q11::device
