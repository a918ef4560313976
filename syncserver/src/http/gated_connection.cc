#include "http/gated_connection.h"

#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/TCPServerConnection.h>

#include "http/request_deadline.h"

namespace q11::server {
namespace {

class GatedConnection final : public Poco::Net::TCPServerConnection {
 public:
  GatedConnection(const Poco::Net::StreamSocket& socket, ConnectionGate& gate,
                  Poco::Net::HTTPServerParams::Ptr params,
                  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
      : TCPServerConnection(socket),
        gate_(gate),
        params_(std::move(params)),
        handlers_(std::move(handlers)) {}

  void run() override {
    // Before the HTTP session, whose end closes the socket: the gate forgets the
    // connection under its own duplicate descriptor (connection_gate.h).
    ServedConnection served(&gate_, socket().impl()->sockfd());
    Poco::Net::HTTPServerConnection http(socket(), params_, handlers_);
    http.run();
  }

 private:
  ConnectionGate& gate_;
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
};

}  // namespace

Poco::Net::TCPServerConnection* GatedConnectionFactory::createConnection(
    const Poco::Net::StreamSocket& socket) {
  return new GatedConnection(socket, gate_, params_, handlers_);
}

}  // namespace q11::server
