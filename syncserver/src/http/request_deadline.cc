#include "http/request_deadline.h"

#include <Poco/Net/HTTPServerRequest.h>

#include "http/connection_gate.h"

namespace q11::server {
namespace {

struct Current {
  ConnectionGate* gate = nullptr;
  int key = -1;
};
thread_local Current current;

void Set(int64_t deadline_ms, bool audit_on_cut) {
  if (current.gate != nullptr) current.gate->SetDeadline(current.key, deadline_ms, audit_on_cut);
}

}  // namespace

ServedConnection::ServedConnection(ConnectionGate* gate, int worker_fd) {
  current.gate = gate;
  current.key = gate != nullptr ? gate->Adopt(worker_fd) : -1;
}

ServedConnection::~ServedConnection() {
  if (current.gate != nullptr) current.gate->Release(current.key);
  current = Current{};
}

void RequestHeadParsed(const Poco::Net::HTTPServerRequest& request) {
  bool body = request.getChunkedTransferEncoding() ||
              (request.hasContentLength() && request.getContentLength64() > 0);
  if (!body)
    RequestArrived();
  else if (current.gate != nullptr)
    // Still the same deadline; a cut from here on is a body that did not come in time.
    current.gate->SetDeadline(current.key, -1, true);
}

void RequestArrived() { Set(0, false); }

void AnswerSent() {
  if (current.gate == nullptr) return;
  Set(ConnectionGate::NowMs() + int64_t{current.gate->deadline_seconds()} * 1000, false);
}

}  // namespace q11::server
