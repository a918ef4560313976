#include "http/connection_gate.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "log/logger.h"

namespace q11::server {
namespace {

// A head longer than this is handed to a worker unfinished (Poco then reads the rest under
// its own limits and the deadline). Real heads are well under 2 KiB; bounding the peek
// bounds what a client sending one-byte packets can make the gate copy.
constexpr size_t kHeadPeekBytes = 8192;
constexpr int kTickMs = 100;  // deadline resolution

// Canned answers, written without blocking by the gate's thread. JSON like every error.
std::string Canned(int code, std::string_view reason, std::string_view error,
                   std::string_view message, std::string_view message_vi, int retry_after) {
  std::string body = R"({"error":")" + std::string(error) + R"(","message":")" +
                     std::string(message) + R"(","message_vi":")" + std::string(message_vi) +
                     R"("})";
  std::string head = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) +
                     "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nConnection: close\r\n";
  if (retry_after > 0) head += "Retry-After: " + std::to_string(retry_after) + "\r\n";
  return head + "\r\n" + body;
}

const std::string& TooManyAnswer() {
  static const std::string a = Canned(429, "Too Many Requests", "resource_exhausted",
                                      "too many connections from this address; retry later",
                                      "Quá nhiều kết nối từ địa chỉ này; hãy thử lại sau", 5);
  return a;
}
const std::string& TimeoutAnswer() {
  static const std::string a =
      Canned(408, "Request Timeout", "deadline_exceeded", "the request did not arrive in time",
             "Yêu cầu không đến kịp thời hạn", 0);
  return a;
}
const std::string& BusyAnswer() {
  static const std::string a =
      Canned(503, "Service Unavailable", "unavailable", "the server is busy; retry later",
             "Máy chủ đang bận; hãy thử lại sau", 5);
  return a;
}

bool HeadComplete(const char* data, size_t n) {
  std::string_view s(data, n);
  return s.find("\r\n\r\n") != std::string_view::npos || s.find("\n\n") != std::string_view::npos;
}

}  // namespace

int64_t ConnectionGate::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<ConnectionGate>> ConnectionGate::Open(Poco::Net::ServerSocket& listener,
                                                             Options options, Refused refused) {
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return Internal(std::string("epoll_create1: ") + std::strerror(errno));
  int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    ::close(ep);
    return Internal(std::string("eventfd: ") + std::strerror(errno));
  }
  std::unique_ptr<ConnectionGate> g(
      new ConnectionGate(listener, options, std::move(refused), ep, wake));
  try {
    listener.setBlocking(false);  // the gate accepts until EAGAIN
  } catch (const Poco::Exception& e) {
    return Internal("listener: " + e.displayText());
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener.impl()->sockfd();
  if (::epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev) != 0)
    return Internal(std::string("epoll_ctl: ") + std::strerror(errno));
  ev.data.fd = wake;
  if (::epoll_ctl(ep, EPOLL_CTL_ADD, wake, &ev) != 0)
    return Internal(std::string("epoll_ctl: ") + std::strerror(errno));
  return g;
}

void ConnectionGate::Begin(Dispatch dispatch) {
  dispatch_ = std::move(dispatch);
  thread_ = std::thread([this] { Run(); });
}

ConnectionGate::ConnectionGate(Poco::Net::ServerSocket& listener, Options options, Refused refused,
                               int epoll_fd, int wake_fd)
    : listener_(listener),
      options_(options),
      refused_(std::move(refused)),
      epoll_fd_(epoll_fd),
      wake_fd_(wake_fd) {}

ConnectionGate::~ConnectionGate() {
  Stop();
  ::close(epoll_fd_);
  ::close(wake_fd_);
}

void ConnectionGate::Stop() {
  if (!stopping_.exchange(true)) {
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = conns_.begin(); it != conns_.end();) {
    if (it->second.at_worker) {
      // The worker's reads and writes fail now; it ends and calls Release.
      ::shutdown(it->first, SHUT_RDWR);
      it->second.deadline_ms = 0;
      ++it;
    } else {
      int fd = it->first;
      ++it;
      ForgetLocked(fd);
    }
  }
}

size_t ConnectionGate::open_connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return conns_.size();
}

void ConnectionGate::Run() {
  const int listen_fd = listener_.impl()->sockfd();
  std::vector<epoll_event> events(256);
  while (!stopping_) {
    int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), kTickMs);
    if (n < 0 && errno != EINTR) {
      log::Error(std::string("epoll_wait: ") + std::strerror(errno));
      break;
    }
    for (int i = 0; i < n && !stopping_; ++i) {
      int fd = events[i].data.fd;
      if (fd == listen_fd)
        AcceptAll();
      else if (fd != wake_fd_)
        OnReadable(fd);
    }
    CheckDeadlines();
  }
}

void ConnectionGate::AcceptAll() {
  for (int accepted = 0; accepted < 256 && !stopping_; ++accepted) {
    Poco::Net::StreamSocket socket;
    std::string address;
    try {
      Poco::Net::SocketAddress peer;
      socket = listener_.acceptConnection(peer);
      address = peer.host().toString();
    } catch (const Poco::Exception&) {
      return;  // EAGAIN (nothing left), or a client that reset before we took it
    }
    const int fd = socket.impl()->sockfd();
    std::unique_lock<std::mutex> lock(mu_);
    int& count = per_address_[address];
    if (options_.max_per_address > 0 && count >= options_.max_per_address &&
        !(options_.unlimited && options_.unlimited(address))) {
      if (count == 0) per_address_.erase(address);
      lock.unlock();
      if (options_.peek_head)
        (void)::send(fd, TooManyAnswer().data(), TooManyAnswer().size(),
                     MSG_DONTWAIT | MSG_NOSIGNAL);
      socket.close();
      refused_(address, "too_many_connections");
      continue;
    }
    ++count;
    Conn c;
    c.socket = socket;
    c.address = address;
    c.deadline_ms = NowMs() + int64_t{options_.deadline_seconds} * 1000;
    conns_.emplace(fd, std::move(c));
    epoll_event ev{};
    // Edge-triggered: the head is only peeked at, so it stays readable; a new event comes
    // with each new arrival instead.
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) ForgetLocked(fd);
  }
}

void ConnectionGate::OnReadable(int fd) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = conns_.find(fd);
  if (it == conns_.end() || it->second.at_worker) return;
  Conn& c = it->second;
  char buf[kHeadPeekBytes];
  ssize_t n = ::recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {  // the client went away before sending a request
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    ForgetLocked(fd);
    return;
  }
  c.peeked = static_cast<size_t>(n);
  bool ready = !options_.peek_head || c.peeked == sizeof buf || HeadComplete(buf, c.peeked);
  if (!ready) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  int key = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (key < 0) {
    ForgetLocked(fd);
    return;
  }
  Poco::Net::StreamSocket socket = std::move(c.socket);
  Conn moved = std::move(c);
  conns_.erase(it);
  moved.at_worker = true;
  moved.socket = Poco::Net::StreamSocket();
  std::string address = moved.address;
  conns_.emplace(key, std::move(moved));
  adoptable_[fd] = key;
  lock.unlock();
  if (dispatch_(socket)) return;
  // The worker queue is full: answer and give the slot back.
  (void)::send(fd, BusyAnswer().data(), BusyAnswer().size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  lock.lock();
  adoptable_.erase(fd);
  lock.unlock();
  Release(key);
  refused_(address, "server_busy");
}

void ConnectionGate::CheckDeadlines() {
  const int64_t now = NowMs();
  std::vector<std::pair<int, std::string>> late_heads;
  std::vector<std::string> cut_bodies;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [fd, c] : conns_) {
      if (c.deadline_ms == 0 || c.deadline_ms > now) continue;
      if (!c.at_worker) {
        late_heads.emplace_back(fd, c.address);
        continue;
      }
      // The worker is blocked reading a request that did not come in time: shutting the
      // socket down ends that read; the worker then closes the connection.
      ::shutdown(fd, SHUT_RDWR);
      c.deadline_ms = 0;
      c.cut = true;
      if (c.audit_on_cut) cut_bodies.push_back(c.address);
    }
  }
  for (const auto& [fd, address] : late_heads) Refuse(fd, TimeoutAnswer(), "request_deadline");
  for (const std::string& address : cut_bodies) refused_(address, "request_deadline");
}

void ConnectionGate::Refuse(int fd, std::string_view answer, std::string_view reason) {
  std::string address;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = conns_.find(fd);
    if (it == conns_.end() || it->second.at_worker) return;
    address = it->second.address;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    // Read what was only peeked at: closing a socket with unread input sends a reset,
    // which can destroy the answer before the client reads it.
    char buf[4096];
    for (int i = 0; i < 16 && ::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0; ++i) {
    }
    if (options_.peek_head)
      (void)::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    ForgetLocked(fd);
  }
  refused_(address, reason);
}

int ConnectionGate::Adopt(int worker_fd) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = adoptable_.find(worker_fd);
  if (it == adoptable_.end()) return -1;
  int key = it->second;
  adoptable_.erase(it);
  return key;
}

void ConnectionGate::Release(int key) {
  if (key < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(key);
  if (it == conns_.end() || !it->second.at_worker) return;
  ForgetLocked(key);
  ::close(key);
}

void ConnectionGate::SetDeadline(int key, int64_t deadline_ms, bool audit_on_cut) {
  if (key < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(key);
  if (it == conns_.end() || it->second.cut) return;
  if (deadline_ms >= 0) it->second.deadline_ms = deadline_ms;
  it->second.audit_on_cut = audit_on_cut;
}

void ConnectionGate::ForgetLocked(int fd) {
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;
  auto a = per_address_.find(it->second.address);
  if (a != per_address_.end() && --a->second <= 0) per_address_.erase(a);
  conns_.erase(it);  // a waiting connection's socket closes here (the gate held the only copy)
}

}  // namespace q11::server
