// Many long polls (POST /v1/changes/wait) at once from one thread, over raw non-blocking
// loopback sockets and one epoll: what thousands of phones waiting on one server look
// like, without a thread or a device database per phone. Used by the watcher tests and
// by the watchers benchmark (tests/bench/watchers_bench.cc).
//
// Each connection sends one request and reads until the server closes it (a wait's answer
// closes its connection, watcher_reactor.h) or the head and body have arrived.
// Not thread-safe: one thread drives a crowd.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace q11::test {

class WaitCrowd {
 public:
  using Clock = std::chrono::steady_clock;
  struct Outcome {
    bool answered = false;  // a whole HTTP answer arrived
    bool failed = false;    // closed or reset without one, or a local error
    int status = 0;
    std::string body;
    std::string retry_after;  // the Retry-After header, if any
    Clock::time_point at;     // when the answer was complete
  };

  explicit WaitCrowd(int port);
  ~WaitCrowd();
  WaitCrowd(const WaitCrowd&) = delete;
  WaitCrowd& operator=(const WaitCrowd&) = delete;

  // Connects (blocking; loopback) and sends a wait request; returns its index, or -1 when
  // the connection could not be made (errno-style message in error()).
  long Open(const std::string& bearer, const std::string& device_id, uint64_t cursor,
            int timeout_seconds);
  // Hangs up without reading the answer.
  void Close(size_t i);
  // Reads what has arrived, for at most `budget`, returning once `until_answered` answers
  // (or failures) have been seen in total.
  void Poll(std::chrono::milliseconds budget, size_t until_answered = SIZE_MAX);

  size_t size() const { return conns_.size(); }
  size_t finished() const { return finished_; }  // answered or failed
  const Outcome& outcome(size_t i) const { return conns_[i].outcome; }
  const std::string& error() const { return error_; }

  // The JSON body of a wait request (what devicecore's MakeWaitRequest sends).
  static std::string Body(const std::string& device_id, uint64_t cursor, int timeout_seconds);

 private:
  struct Conn {
    int fd = -1;
    std::string in;
    Outcome outcome;
  };
  void Finish(Conn& c, bool eof);

  const int port_;
  const int epoll_;
  std::vector<Conn> conns_;
  size_t finished_ = 0;
  std::string error_;
};

}  // namespace q11::test
