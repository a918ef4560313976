// A loopback HTTP proxy that plays a bad mobile network, for the network fault suite
// (docs/reliability.md, "Network"). For each connection a generator seeded from (seed,
// connection number) picks one fault, or none, and which request of the connection it
// strikes; the proxy understands just enough HTTP/1.1 (Content-Length and chunked bodies,
// keep-alive) to carry it out inside that exchange:
//   drop_up        the request is cut at a random byte and both sides reset
//   drop_down      the server's whole answer is read, a random prefix of it forwarded, reset
//   lost_response  the server's whole answer is read (it committed), none of it forwarded
//   truncated_body the answer's headers and part of its body, then an orderly close
//   delay          the request held back, the answer trickled in pieces (some 100s of ms)
//   duplicate      the request sent twice, on two upstream connections at once; the client
//                  gets one of the two answers
// A fault that cannot strike its request (truncated_body of an answer without a body)
// moves on to the next request of the connection. Each fault carried out is counted.
// Listens on 127.0.0.1 only, forwards to 127.0.0.1:`upstream_port`.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace q11::test {

class FaultProxy {
 public:
  enum class Fault { kPass, kDropUp, kDropDown, kLostResponse, kTruncatedBody, kDelay, kDuplicate };
  static constexpr int kKinds = 7;
  static const char* Name(Fault fault);  // "pass", "drop_up", ... as listed above

  struct Options {
    uint32_t seed = 1;
    // How often each kind is picked for a connection, relative to the others, in the order
    // of Fault (pass first): by default a connection passes twice as often as it gets any
    // one fault. Zero: never.
    std::array<int, kKinds> weights = {2, 1, 1, 1, 1, 1, 1};
    // The fault strikes request 0..N-1 of its connection, chosen uniformly; a connection
    // that ends sooner passes.
    int requests_per_fault = 2;
    int min_delay_ms = 100, max_delay_ms = 400;  // a delay fault's total, spread over pieces
  };

  FaultProxy(int upstream_port, Options options);
  ~FaultProxy();  // stops and joins every thread
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Binds 127.0.0.1:0 and starts accepting. False when the socket cannot be made.
  bool Start();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Off: connections accepted from now on all pass (a clean network to settle on).
  void set_faults(bool on) { faults_on_ = on; }
  // Faults of this kind carried out so far (kPass: requests forwarded untouched).
  int64_t done(Fault fault) const { return done_[static_cast<int>(fault)].load(); }
  int64_t connections() const { return connections_.load(); }
  // "connections N; pass N, drop_up N, ..." for logs and reports.
  std::string Summary() const;

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  void AcceptLoop();
  void Serve(int client, uint64_t connection, bool faults);
  void Count(Fault fault) { ++done_[static_cast<int>(fault)]; }

  int upstream_port_;
  Options options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> faults_on_{true};
  std::atomic<int64_t> connections_{0};
  std::array<std::atomic<int64_t>, kKinds> done_{};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<Worker> workers_;  // guarded by mu_
};

}  // namespace q11::test
