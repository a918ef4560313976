#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <random>

namespace q11::test {
namespace {

// Close with RST, as a dropped mobile link looks to the other side: no orderly FIN.
void Reset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool WriteAll(int fd, const std::string& s) { return WriteAll(fd, s.data(), s.size()); }

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

int ConnectUpstream(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A socket read through a buffer, waiting in 100 ms steps so the proxy can stop.
class Reader {
 public:
  Reader(int fd, const std::atomic<bool>& stop) : fd_(fd), stop_(stop) {}
  // Appends what arrives next to buf; false at the end of the stream, an error or a stop.
  bool Fill() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      int n = ::poll(&p, 1, 100);
      if (n < 0 && errno != EINTR) return false;
      if (n <= 0) continue;
      char chunk[16384];
      ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      buf.append(chunk, static_cast<size_t>(got));
      return true;
    }
    return false;
  }
  std::string buf;

 private:
  int fd_;
  const std::atomic<bool>& stop_;
};

// One HTTP/1.1 message as it went over the wire.
struct Message {
  std::string raw;     // start line, headers and body
  size_t head = 0;     // bytes of the start line and headers (with the blank line)
  bool close = false;  // "Connection: close", or an answer that ends with the stream
  std::string method;  // of a request
  int status = 0;      // of an answer
  size_t body() const { return raw.size() - head; }
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The value of header `name` (lower case) in `head`, "" when absent.
std::string Header(const std::string& head, const std::string& name) {
  size_t at = head.find("\r\n");
  while (at != std::string::npos && at + 2 < head.size()) {
    size_t start = at + 2, end = head.find("\r\n", start);
    if (end == std::string::npos || end == start) break;
    std::string line = head.substr(start, end - start);
    size_t colon = line.find(':');
    if (colon != std::string::npos && Lower(line.substr(0, colon)) == name) {
      std::string v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      v.erase(v.find_last_not_of(" \t") + 1);
      return v;
    }
    at = end;
  }
  return "";
}

// Reads one message from `in`: false when the stream ends (or breaks) before a whole one.
// An answer to HEAD, a 1xx, 204 or 304 has no body; an answer with neither a length nor
// chunks runs to the end of the stream; a request with neither has no body.
bool ReadMessage(Reader& in, bool response, bool head_request, Message* m) {
  size_t blank;
  while ((blank = in.buf.find("\r\n\r\n")) == std::string::npos)
    if (!in.Fill()) return false;
  const std::string head = in.buf.substr(0, blank + 4);
  m->head = head.size();
  const std::string start = head.substr(0, head.find("\r\n"));
  if (response) {
    m->status = std::atoi(start.substr(std::min(start.size(), size_t{9})).c_str());
  } else {
    m->method = start.substr(0, start.find(' '));
  }
  m->close = Lower(Header(head, "connection")) == "close";
  const std::string length = Header(head, "content-length");
  const bool chunked =
      Lower(Header(head, "transfer-encoding")).find("chunked") != std::string::npos;
  size_t end = m->head;
  if (response && (m->status / 100 == 1 || m->status == 204 || m->status == 304 || head_request)) {
    // no body
  } else if (chunked) {
    size_t pos = m->head;
    for (;;) {
      size_t eol;
      while ((eol = in.buf.find("\r\n", pos)) == std::string::npos)
        if (!in.Fill()) return false;
      size_t size = std::strtoull(in.buf.substr(pos, eol - pos).c_str(), nullptr, 16);
      pos = eol + 2;
      if (size == 0) {  // trailers up to an empty line
        for (;;) {
          while ((eol = in.buf.find("\r\n", pos)) == std::string::npos)
            if (!in.Fill()) return false;
          bool empty = eol == pos;
          pos = eol + 2;
          if (empty) break;
        }
        break;
      }
      while (in.buf.size() < pos + size + 2)
        if (!in.Fill()) return false;
      pos += size + 2;
    }
    end = pos;
  } else if (!length.empty()) {
    end = m->head + std::strtoull(length.c_str(), nullptr, 10);
    while (in.buf.size() < end)
      if (!in.Fill()) return false;
  } else if (response) {
    while (in.Fill()) {
    }
    end = in.buf.size();
    m->close = true;
  }
  m->raw = in.buf.substr(0, end);
  in.buf.erase(0, end);
  return true;
}

}  // namespace

const char* FaultProxy::Name(Fault fault) {
  switch (fault) {
    case Fault::kPass:
      return "pass";
    case Fault::kDropUp:
      return "drop_up";
    case Fault::kDropDown:
      return "drop_down";
    case Fault::kLostResponse:
      return "lost_response";
    case Fault::kTruncatedBody:
      return "truncated_body";
    case Fault::kDelay:
      return "delay";
    case Fault::kDuplicate:
      return "duplicate";
  }
  return "?";
}

FaultProxy::FaultProxy(int upstream_port, Options options)
    : upstream_port_(upstream_port), options_(options) {}

FaultProxy::~FaultProxy() {
  stop_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  std::vector<Worker> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (Worker& w : workers) w.thread.join();
}

std::string FaultProxy::Summary() const {
  std::string s = "connections " + std::to_string(connections()) + ";";
  for (int k = 0; k < kKinds; ++k)
    s += std::string(k ? ", " : " ") + Name(static_cast<Fault>(k)) + " " +
         std::to_string(done(static_cast<Fault>(k)));
  return s;
}

bool FaultProxy::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return false;
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
  if (::listen(listen_fd_, 64) != 0) return false;
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return true;
}

void FaultProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    uint64_t n = static_cast<uint64_t>(connections_++);
    bool faults = faults_on_;
    auto finished = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard<std::mutex> lock(mu_);
    // Join the threads of connections that ended, so a long soak does not pile them up.
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (*it->finished) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    workers_.push_back(Worker{std::thread([this, client, n, faults, finished] {
                                Serve(client, n, faults);
                                *finished = true;
                              }),
                              finished});
  }
}

void FaultProxy::Serve(int client, uint64_t connection, bool faults) {
  // The connection's own generator: its fault depends on the seed and its number only,
  // not on what other connections did meanwhile.
  std::seed_seq seq{options_.seed, static_cast<uint32_t>(connection),
                    static_cast<uint32_t>(connection >> 32)};
  std::mt19937 rng(seq);
  auto uniform = [&](int64_t lo, int64_t hi) {  // [lo, hi]
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Fault fault = Fault::kPass;
  if (faults) {
    std::discrete_distribution<int> kind(options_.weights.begin(), options_.weights.end());
    fault = static_cast<Fault>(kind(rng));
  }
  const int64_t target = uniform(0, std::max(1, options_.requests_per_fault) - 1);

  int upstream = ConnectUpstream(upstream_port_);
  if (upstream < 0) {
    Reset(client);
    return;
  }
  Reader from_client(client, stop_), from_server(upstream, stop_);
  bool client_open = true, upstream_open = true;  // false once closed here
  for (int64_t index = 0;; ++index) {
    Message request;
    if (!ReadMessage(from_client, false, false, &request)) {
      // The client hung up between requests: its end of a kept-alive connection.
      if (from_client.buf.empty()) {
        ::close(client);
        ::close(upstream);
        client_open = upstream_open = false;
      }
      break;
    }
    const bool head_request = request.method == "HEAD";
    const Fault now = fault != Fault::kPass && index >= target ? fault : Fault::kPass;

    if (now == Fault::kDropUp) {
      int64_t cut = uniform(0, static_cast<int64_t>(request.raw.size()) - 1);
      WriteAll(upstream, request.raw.data(), static_cast<size_t>(cut));
      Count(now);
      break;  // both reset below
    }
    int64_t delay_ms = 0;
    if (now == Fault::kDelay) {
      delay_ms = uniform(options_.min_delay_ms, options_.max_delay_ms);
      SleepMs(static_cast<int>(delay_ms / 3));  // the request held back...
    }
    Message answer;
    if (now == Fault::kDuplicate) {
      // The same bytes on a second connection at the same moment, as a retransmitting
      // middlebox or a client retry racing the original would send them.
      int twin = ConnectUpstream(upstream_port_);
      if (twin < 0) break;
      Reader from_twin(twin, stop_);
      bool sent = WriteAll(upstream, request.raw) && WriteAll(twin, request.raw);
      Message first, second;
      bool got = sent && ReadMessage(from_server, true, head_request, &first) &&
                 ReadMessage(from_twin, true, head_request, &second);
      ::close(twin);
      if (!got) break;
      Count(now);
      fault = Fault::kPass;
      answer = uniform(0, 1) ? std::move(second) : std::move(first);
      answer.close = answer.close || first.close;  // the primary connection's state counts
    } else {
      if (!WriteAll(upstream, request.raw) ||
          !ReadMessage(from_server, true, head_request, &answer))
        break;
    }

    if (now == Fault::kDropDown) {
      int64_t cut = uniform(0, static_cast<int64_t>(answer.raw.size()) - 1);
      WriteAll(client, answer.raw.data(), static_cast<size_t>(cut));
      Count(now);
      break;
    }
    if (now == Fault::kLostResponse) {
      Count(now);
      break;
    }
    if (now == Fault::kTruncatedBody && answer.body() > 0) {
      int64_t keep = uniform(0, static_cast<int64_t>(answer.body()) - 1);
      WriteAll(client, answer.raw.data(), answer.head + static_cast<size_t>(keep));
      Count(now);
      // An orderly close: the client sees the stream end early, not a reset.
      ::shutdown(client, SHUT_WR);
      ::close(client);
      ::close(upstream);
      client_open = upstream_open = false;
      break;
    }
    bool written;
    if (now == Fault::kDelay) {
      // ...and the answer trickled in pieces over the rest of the delay.
      const size_t pieces = std::min<size_t>(8, answer.raw.size());
      const int pause = static_cast<int>((delay_ms - delay_ms / 3) / static_cast<int64_t>(pieces));
      written = true;
      for (size_t i = 0; i < pieces && written; ++i) {
        size_t from = answer.raw.size() * i / pieces, to = answer.raw.size() * (i + 1) / pieces;
        SleepMs(pause);
        written = WriteAll(client, answer.raw.data() + from, to - from);
      }
      Count(now);
      fault = Fault::kPass;
    } else {
      written = WriteAll(client, answer.raw);
      if (now == Fault::kPass) Count(Fault::kPass);
    }
    if (!written || answer.close || request.close) {
      if (written) {  // an orderly end of a connection one side asked to close
        ::shutdown(client, SHUT_WR);
        ::close(client);
        ::close(upstream);
        client_open = upstream_open = false;
      }
      break;
    }
  }
  if (client_open) Reset(client);
  if (upstream_open) Reset(upstream);
}

}  // namespace q11::test
