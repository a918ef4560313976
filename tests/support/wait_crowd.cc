#include "wait_crowd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace q11::test {

WaitCrowd::WaitCrowd(int port) : port_(port), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

WaitCrowd::~WaitCrowd() {
  for (Conn& c : conns_)
    if (c.fd >= 0) ::close(c.fd);
  ::close(epoll_);
}

std::string WaitCrowd::Body(const std::string& device_id, uint64_t cursor, int timeout_seconds) {
  return R"({"device_id":")" + device_id + R"(","cursor":")" + std::to_string(cursor) +
         R"(","timeout_seconds":")" + std::to_string(timeout_seconds) + R"("})";
}

long WaitCrowd::Open(const std::string& bearer, const std::string& device_id, uint64_t cursor,
                     int timeout_seconds) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error_ = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  const std::string body = Body(device_id, cursor, timeout_seconds);
  const std::string request =
      "POST /v1/changes/wait HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer " +
      bearer +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    error_ = std::string("send: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = conns_.size();
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  Conn c;
  c.fd = fd;
  conns_.push_back(std::move(c));
  return static_cast<long>(conns_.size() - 1);
}

void WaitCrowd::Close(size_t i) {
  Conn& c = conns_[i];
  if (c.fd < 0) return;
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  c.fd = -1;
  if (!c.outcome.answered && !c.outcome.failed) {
    c.outcome.failed = true;
    ++finished_;
  }
}

void WaitCrowd::Poll(std::chrono::milliseconds budget, size_t until_answered) {
  const auto deadline = Clock::now() + budget;
  epoll_event events[256];
  while (finished_ < until_answered) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return;
    int n = ::epoll_wait(epoll_, events, 256, static_cast<int>(left.count()));
    for (int e = 0; e < n; ++e) {
      Conn& c = conns_[events[e].data.u64];
      if (c.fd < 0) continue;
      char buf[4096];
      for (;;) {
        ssize_t got = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (got > 0) {
          c.in.append(buf, static_cast<size_t>(got));
          continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          Finish(c, false);
        } else if (got < 0 && errno == EINTR) {
          continue;
        } else {
          Finish(c, true);
        }
        break;
      }
    }
  }
}

void WaitCrowd::Finish(Conn& c, bool eof) {
  size_t head_end = c.in.find("\r\n\r\n");
  bool whole = false;
  if (head_end != std::string::npos) {
    std::string head = c.in.substr(0, head_end);
    size_t cl = head.find("Content-Length: ");
    size_t length = cl == std::string::npos ? 0 : std::strtoul(head.c_str() + cl + 16, nullptr, 10);
    whole = c.in.size() >= head_end + 4 + length && (cl != std::string::npos || eof);
    if (whole) {
      Outcome& o = c.outcome;
      o.answered = true;
      o.at = Clock::now();
      o.status = c.in.size() > 12 ? std::atoi(c.in.c_str() + 9) : 0;
      o.body = c.in.substr(head_end + 4, length);
      size_t ra = head.find("Retry-After: ");
      if (ra != std::string::npos)
        o.retry_after = head.substr(ra + 13, head.find("\r\n", ra) - ra - 13);
    }
  }
  if (!whole && !eof) return;  // more to come
  if (!whole) c.outcome.failed = true;
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  c.fd = -1;
  ++finished_;
}

}  // namespace q11::test
