// Transport over Poco's HTTP client, and HTTPS through Poco NetSSL (tls_client_context.h).
// Poco exceptions stop here and become Statuses: anything that means "the server could not
// be talked to" is kUnavailable, so the sync client retries it; a refused certificate is
// kFailedPrecondition, which nobody retries.
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include "devicecore/env.h"
#include "server_url.h"
#include "tls_client_context.h"

namespace q11::device {

namespace {

class HttpTransport final : public Transport {
 public:
  // `session` is an HTTPSClientSession for https:// URLs.
  HttpTransport(std::string base_url, std::string host, std::string prefix,
                std::unique_ptr<Poco::Net::HTTPClientSession> session, int timeout_ms)
      : base_url_(std::move(base_url)),
        host_(std::move(host)),
        prefix_(std::move(prefix)),
        session_(std::move(session)) {
    session_->setKeepAlive(true);
    session_->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout_ms) * 1000));
  }

  Result<HttpReply> Send(const HttpRequest& request) override {
    // A kept-alive connection the server has meanwhile closed fails on first use; that is
    // not the server being down, so try once more on a fresh connection at once (our
    // requests are safe to repeat: sync is idempotent by local_seq, uploads by offset). A
    // streamed body that already delivered bytes is not retried here: the caller resumes.
    bool reused = session_->connected();
    bool delivered = false;
    Result<HttpReply> r = SendOnce(request, &delivered);
    if (!r.ok() && reused && !delivered && r.status().code() == StatusCode::kUnavailable) {
      session_->reset();
      r = SendOnce(request, &delivered);
    }
    return r;
  }

  Result<HttpReply> Post(std::string_view path, std::string_view content_type,
                         std::string_view body, std::string_view bearer) override {
    HttpRequest request;
    request.method = "POST";
    request.path = std::string(path);
    request.content_type = std::string(content_type);
    request.body = body;
    request.bearer = std::string(bearer);
    return Send(request);
  }

 private:
  Result<HttpReply> SendOnce(const HttpRequest& request, bool* delivered) {
    HttpReply reply;
    ForgetCertificateProblem();
    try {
      Poco::Net::HTTPRequest req(request.method, prefix_ + request.path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      if (!request.content_type.empty()) req.setContentType(request.content_type);
      if (!request.body.empty() || request.method == "PATCH" || request.method == "POST" ||
          request.method == "PUT")
        req.setContentLength(static_cast<std::streamsize>(request.body.size()));
      req.setKeepAlive(true);
      if (!request.bearer.empty()) req.set("Authorization", "Bearer " + request.bearer);
      // Each attempt has an id the server logs with it and sends back (docs/monitoring.md,
      // "Logs"): a failed sync's message names it, so it can be found in the server's log.
      req.set("X-Request-Id", NewRequestId());
      for (const auto& [k, v] : request.headers) req.set(k, v);
      std::ostream& out = session_->sendRequest(req);
      out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
      out.flush();
      reply.bytes_sent = HeadSize(req) + static_cast<int64_t>(request.body.size());

      Poco::Net::HTTPResponse resp;
      std::istream& in = session_->receiveResponse(resp);
      reply.status = static_cast<int>(resp.getStatus());
      reply.content_type = resp.getContentType();
      reply.retry_after = resp.get("Retry-After", "");
      for (const auto& [k, v] : resp) reply.headers.emplace_back(k, v);
      int64_t body_bytes = 0;
      // Only a successful answer is streamed; an error body is JSON the caller reads.
      if (request.on_body && reply.status >= 200 && reply.status < 300) {
        char buf[16384];
        while (in) {
          in.read(buf, sizeof buf);
          std::streamsize got = in.gcount();
          if (got <= 0) break;
          *delivered = true;
          request.on_body(std::string_view(buf, static_cast<size_t>(got)));
          body_bytes += got;
        }
        if (resp.hasContentLength() && body_bytes < resp.getContentLength64()) {
          session_->reset();
          return Unavailable("the connection to " + base_url_ + " broke after " +
                             std::to_string(body_bytes) + " bytes");
        }
      } else {
        Poco::StreamCopier::copyToString(in, reply.body);
        body_bytes = static_cast<int64_t>(reply.body.size());
        // Poco ends a fixed-length body quietly when the connection closes early. A body
        // cut short is a broken connection (retried), not a malformed answer to decode.
        if (resp.hasContentLength() && body_bytes < resp.getContentLength64()) {
          session_->reset();
          return Unavailable("the connection to " + base_url_ + " broke after " +
                             std::to_string(body_bytes) + " of " +
                             std::to_string(resp.getContentLength64()) + " bytes of the answer");
        }
      }
      reply.bytes_received = HeadSize(resp) + body_bytes;
      return reply;
    } catch (const Poco::Net::ConnectionRefusedException& e) {
      session_->reset();
      return Unavailable("connection refused by " + base_url_);
    } catch (const Poco::TimeoutException& e) {
      session_->reset();
      return Unavailable("timed out talking to " + base_url_);
    } catch (const Poco::Net::SSLException& e) {
      session_->reset();
      // The handshake stopped at the certificate: permanent, and nothing was sent.
      if (std::optional<Status> refused = RecordedCertificateProblem(host_)) return *refused;
      // Anything else in TLS (a reset mid-handshake on a bad link, a middlebox): retry.
      return Unavailable("TLS error talking to " + base_url_ + ": " + e.displayText());
    } catch (const Poco::Net::NetException& e) {
      session_->reset();
      return Unavailable("network error talking to " + base_url_ + ": " + e.displayText());
    } catch (const Poco::IOException& e) {
      session_->reset();
      return Unavailable("i/o error talking to " + base_url_ + ": " + e.displayText());
    } catch (const Poco::Exception& e) {
      session_->reset();
      return Unavailable("cannot talk to " + base_url_ + ": " + e.displayText());
    }
  }

  static std::string NewRequestId() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    char id[24];
    std::snprintf(id, sizeof id, "q11-%016llx", static_cast<unsigned long long>(random()));
    return id;
  }

  // The start line and headers as they go on the wire (Poco writes them the same way).
  template <typename Message>
  static int64_t HeadSize(const Message& m) {
    std::ostringstream s;
    m.write(s);
    return static_cast<int64_t>(s.tellp());
  }

  std::string base_url_;
  std::string host_;    // as in the URL: what the certificate must name
  std::string prefix_;  // path of the base URL, without a trailing slash
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

}  // namespace

Result<std::unique_ptr<Transport>> MakeHttpTransport(const std::string& base_url,
                                                     const TransportOptions& options) {
  Result<ServerUrl> url = ParseServerUrl(base_url);
  if (!url.ok()) return url.status();
  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (url->tls) {
      Result<Poco::Net::Context::Ptr> context = MakeTlsClientContext(url->host, options.ca_pem);
      if (!context.ok()) return context.status();
      session = std::make_unique<Poco::Net::HTTPSClientSession>(url->host, url->port, *context);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(url->host, url->port);
    }
    return std::unique_ptr<Transport>(new HttpTransport(base_url, url->host, url->prefix,
                                                        std::move(session), options.timeout_ms));
  } catch (const Poco::Exception& e) {
    return InvalidArgument("bad server URL \"" + base_url + "\": " + e.displayText());
  }
}

}  // namespace q11::device
