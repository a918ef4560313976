// The handlers' side of the whole-request deadline (connection_gate.h): the clock of a
// request starts when the gate accepts its connection (or when the previous answer on a
// keep-alive connection was sent) and stops once its body has been read. A worker
// serving a gated connection holds a ServedConnection for its duration; outside one (a
// handler unit test, a request not from the gate) the functions do nothing.
//
// Thread safety: the state is per worker thread; Poco serves one connection per thread.
#pragma once

namespace Poco::Net {
class HTTPServerRequest;
}

namespace q11::server {

class ConnectionGate;

// Binds the calling worker thread to one gated connection (by its descriptor) until
// destroyed, which gives the connection's slot back to the gate.
class ServedConnection {
 public:
  ServedConnection(ConnectionGate* gate, int worker_fd);
  ~ServedConnection();
  ServedConnection(const ServedConnection&) = delete;
  ServedConnection& operator=(const ServedConnection&) = delete;
};

// A request's head was parsed: a request without a body has arrived whole, so its clock
// stops; one with a body keeps running until RequestArrived().
void RequestHeadParsed(const Poco::Net::HTTPServerRequest& request);
// The body has been read (or will not be): the rest of the request is the server's time.
void RequestArrived();
// The answer was sent: the next request on this connection has the full deadline, and an
// idle keep-alive connection cut by it is not counted as a refusal.
void AnswerSent();

}  // namespace q11::server
