#include "http/http_body.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <chrono>

#include <istream>

#include "http/http_errors.h"
#include "http/request_deadline.h"

namespace q11::server {

namespace {

Result<std::string> ReadBodyUnderDeadline(Poco::Net::HTTPServerRequest& request, size_t cap) {
  std::istream& in = request.stream();
  std::string body;
  if (request.getChunkedTransferEncoding()) {
    char buf[16384];
    while (in) {
      in.read(buf, sizeof buf);
      size_t got = static_cast<size_t>(in.gcount());
      if (body.size() + got > cap)
        return ResourceExhausted("request body over " + std::to_string(cap) + " bytes");
      body.append(buf, got);
    }
    return body;
  }
  if (!request.hasContentLength()) return FailedPrecondition("Content-Length required");
  Poco::Int64 length = request.getContentLength64();
  if (length < 0) return FailedPrecondition("Content-Length required");
  if (static_cast<uint64_t>(length) > cap)
    return ResourceExhausted("request body of " + std::to_string(length) + " bytes is over the " +
                             std::to_string(cap) + "-byte limit");
  body.resize(static_cast<size_t>(length));
  in.read(body.data(), length);
  if (in.gcount() != length) return InvalidArgument("request body ended early");
  return body;
}

}  // namespace

Result<std::string> ReadBody(Poco::Net::HTTPServerRequest& request, size_t cap) {
  Result<std::string> body = ReadBodyUnderDeadline(request, cap);
  // Arrived whole, or refused: either way what remains is the server's time (a refusal
  // drains within its own bounds).
  RequestArrived();
  return body;
}

namespace {

// Bounds of the drain: a client cannot hold a server thread longer than this.
constexpr size_t kDrainBytes = 4u << 20;
constexpr auto kDrainTime = std::chrono::seconds(3);
constexpr int kDrainReadTimeoutMs = 150;

void SendBodyErrorResponse(Poco::Net::HTTPServerResponse& response, const Status& status);

}  // namespace

void DrainBody(Poco::Net::HTTPServerRequest& request) {
  RequestArrived();  // the drain has bounds of its own
  if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request))
    impl->socket().setReceiveTimeout(Poco::Timespan(0, kDrainReadTimeoutMs * 1000));
  try {
    std::istream& in = request.stream();
    char buf[16384];
    size_t drained = 0;
    auto deadline = std::chrono::steady_clock::now() + kDrainTime;
    while (in && drained < kDrainBytes && std::chrono::steady_clock::now() < deadline) {
      in.read(buf, sizeof buf);
      drained += static_cast<size_t>(in.gcount());
    }
  } catch (const Poco::Exception&) {
    // A read timeout: the client stopped sending and waits for the answer.
  }
}

void SendBodyError(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   const Status& status) {
  if (status.code() == StatusCode::kResourceExhausted) DrainBody(request);
  SendBodyErrorResponse(response, status);
}

namespace {

void SendBodyErrorResponse(Poco::Net::HTTPServerResponse& response, const Status& status) {
  response.setKeepAlive(false);
  switch (status.code()) {
    case StatusCode::kResourceExhausted:
      SendJsonError(response, 413, "resource_exhausted", status.message(),
                    "Dữ liệu gửi lên quá lớn");
      return;
    case StatusCode::kFailedPrecondition:
      SendJsonError(response, 411, "failed_precondition", status.message(),
                    "Thiếu độ dài dữ liệu (Content-Length)");
      return;
    default:
      SendJsonError(response, 400, "invalid_argument", status.message(),
                    "Dữ liệu gửi lên không đầy đủ");
  }
}

}  // namespace

}  // namespace q11::server
