// Poco's HTTP connection, run on a worker for a connection the gate (connection_gate.h)
// handed over: the worker binds itself to the connection's deadline for its duration
// (request_deadline.h) and gives the address's slot back when the connection ends.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

namespace q11::server {

class ConnectionGate;

class GatedConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  // REQUIRES: `gate` outlives every connection made here.
  GatedConnectionFactory(ConnectionGate& gate, Poco::Net::HTTPServerParams::Ptr params,
                         Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
      : gate_(gate), params_(std::move(params)), handlers_(std::move(handlers)) {}

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

 private:
  ConnectionGate& gate_;
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
};

}  // namespace q11::server
