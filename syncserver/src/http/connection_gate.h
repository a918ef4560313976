// The server's front door. Poco's TCPServer hands every accepted connection to a worker
// thread at once, and a worker then waits on the socket with a per-read timeout only: a
// client that sends one header byte per second keeps its worker forever, and forty of them
// keep everyone else out (slowloris). The gate accepts connections itself instead and
//
//  - counts open connections per client address: one over `max_per_address` is answered
//    429 and closed at once, on the gate's thread, before any worker or parsing;
//  - keeps a new connection on its own epoll thread until the request head (through the
//    blank line) has arrived, and only then hands it to a worker: clients dribbling their
//    headers wait here and cost a file descriptor each, not a thread;
//  - gives every request a whole-request deadline: its head and its body must arrive
//    within `deadline_seconds`. A head still incomplete then is answered 408 and closed; a
//    body still arriving at a worker has its socket shut down, which ends the worker's
//    blocked read (request_deadline.h is the handlers' side of that clock).
//
// With TLS the gate cannot read the head (it is encrypted): it hands a connection over as
// soon as its first bytes arrive, and the deadline then covers the head at the worker.
//
// Thread safety: Dispatch and Refused are called on the gate's thread; Adopt, Release and
// SetDeadline from worker threads; Stop() from any thread.
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "protocol/result.h"

namespace q11::server {

class ConnectionGate {
 public:
  struct Options {
    int max_per_address = 16;  // 0: no limit
    int deadline_seconds = 30;
    bool peek_head = true;  // false for TLS: hand over at the first readable byte
    // Peer addresses `max_per_address` does not apply to (trusted reverse proxies, whose
    // connections carry many clients). Empty: none. Called on the gate's thread.
    std::function<bool(const std::string& address)> unlimited;
  };
  // Hands a connection whose head has arrived to a worker. Returns false when the worker
  // queue is full; the gate then answers 503 and closes it.
  using Dispatch = std::function<bool(const Poco::Net::StreamSocket&)>;
  // Told of every refusal: reason is "too_many_connections", "request_deadline" or
  // "server_busy". Must be cheap (it runs on the gate's thread).
  using Refused = std::function<void(const std::string& address, std::string_view reason)>;

  // Prepares the gate on `listener` (REQUIRES: it outlives the gate, and nothing else
  // accepts on it); Begin() starts its thread. Two steps because the worker side needs
  // the gate before the gate may dispatch to it.
  static Result<std::unique_ptr<ConnectionGate>> Open(Poco::Net::ServerSocket& listener,
                                                      Options options, Refused refused);
  void Begin(Dispatch dispatch);
  ~ConnectionGate();
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // Stops accepting, closes connections still waiting for their head and shuts down the
  // sockets of those at workers (their reads and writes fail, so they end). Idempotent.
  void Stop();

  // Worker side. A worker that took a dispatched connection calls Adopt with its socket's
  // descriptor and gets the connection's key (-1: not the gate's); with the key it moves
  // the deadline (request_deadline.h) and, when done, calls Release, which gives the
  // address its slot back. The key is a duplicate descriptor the gate owns, so the gate
  // can cut the socket without racing the worker's close of its own descriptor.
  int Adopt(int worker_fd);
  void Release(int key);
  // Steady-clock milliseconds (NowMs()) by which the request must have arrived, 0 for
  // none, -1 to keep the current one. `audit_on_cut`: whether a cut counts as a refusal (a body
  // still arriving) or not (a keep-alive connection idle between requests).
  void SetDeadline(int key, int64_t deadline_ms, bool audit_on_cut);
  int deadline_seconds() const { return options_.deadline_seconds; }
  static int64_t NowMs();

  // Connections open now (waiting or at workers), for tests and monitoring.
  size_t open_connections() const;

 private:
  struct Conn {
    Poco::Net::StreamSocket socket;  // while waiting for the head; empty once at a worker
    std::string address;
    int64_t deadline_ms = 0;
    bool at_worker = false;
    bool audit_on_cut = true;
    bool cut = false;
    size_t peeked = 0;  // head bytes seen so far (plain HTTP only)
  };

  ConnectionGate(Poco::Net::ServerSocket& listener, Options options, Refused refused, int epoll_fd,
                 int wake_fd);
  void Run();
  void AcceptAll();
  void OnReadable(int fd);
  void CheckDeadlines();
  // Writes `answer` without blocking (best effort), closes and forgets a waiting connection.
  void Refuse(int fd, std::string_view answer, std::string_view reason);
  void ForgetLocked(int fd);

  Poco::Net::ServerSocket& listener_;
  const Options options_;
  Dispatch dispatch_;
  Refused refused_;
  const int epoll_fd_;
  const int wake_fd_;  // eventfd: Stop() wakes the thread
  mutable std::mutex mu_;
  std::unordered_map<int, Conn> conns_;     // waiting: by descriptor; at workers: by key
  std::unordered_map<int, int> adoptable_;  // worker descriptor → key, until Adopt
  std::unordered_map<std::string, int> per_address_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace q11::server
