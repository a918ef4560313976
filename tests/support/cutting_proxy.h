// A loopback TCP proxy that breaks connections mid-stream, for tests of resumable
// transfers: the first `cuts` connections are reset after a random number of bytes (from a
// seeded generator) have gone through in the chosen direction; later ones pass untouched.
// Listens on 127.0.0.1 only, forwards to 127.0.0.1:`upstream_port`.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace q11::test {

class CuttingProxy {
 public:
  enum class Direction { kUp, kDown };  // client → server, server → client
  struct Options {
    uint32_t seed = 1;
    int cuts = 20;              // connections to break
    int64_t min_bytes = 1;      // a cut comes after this many bytes at least...
    int64_t max_bytes = 65536;  // ...and at most
    Direction direction = Direction::kUp;
  };

  CuttingProxy(int upstream_port, Options options);
  ~CuttingProxy();  // stops and joins every thread
  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;

  // Binds 127.0.0.1:0 and starts accepting. False when the socket cannot be made.
  bool Start();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int cuts_done() const { return cuts_done_.load(); }
  // Bytes that had passed (in the chosen direction) when each cut happened.
  std::vector<int64_t> cut_points() const;

 private:
  void AcceptLoop();
  void Serve(int client, int64_t cut_after);

  int upstream_port_;
  Options options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_done_{0};
  int cuts_planned_ = 0;  // accept thread only
  std::mt19937 rng_;
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;  // guarded by mu_
  std::vector<int64_t> cut_points_;   // guarded by mu_
};

}  // namespace q11::test
