#include "cutting_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace q11::test {
namespace {

// Close with RST, as a dropped mobile link looks to the server: no orderly FIN.
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

}  // namespace

CuttingProxy::CuttingProxy(int upstream_port, Options options)
    : upstream_port_(upstream_port), options_(options), rng_(options.seed) {}

CuttingProxy::~CuttingProxy() {
  stop_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
}

std::vector<int64_t> CuttingProxy::cut_points() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cut_points_;
}

bool CuttingProxy::Start() {
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

void CuttingProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    int64_t cut_after = -1;
    if (cuts_planned_ < options_.cuts) {
      ++cuts_planned_;
      cut_after =
          std::uniform_int_distribution<int64_t>(options_.min_bytes, options_.max_bytes)(rng_);
    }
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, client, cut_after] { Serve(client, cut_after); });
  }
}

void CuttingProxy::Serve(int client, int64_t cut_after) {
  int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
  if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (server >= 0) ::close(server);
    Reset(client);
    return;
  }
  const bool up = options_.direction == Direction::kUp;
  int64_t passed = 0;  // bytes in the watched direction
  char buf[16384];
  bool open = true;
  while (open && !stop_) {
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    int n = ::poll(p, 2, 100);
    if (n <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int from = i == 0 ? client : server, to = i == 0 ? server : client;
      ssize_t got = ::recv(from, buf, sizeof buf, 0);
      if (got <= 0) {
        open = false;
        break;
      }
      size_t forward = static_cast<size_t>(got);
      bool watched = (i == 0) == up;
      bool cut = false;
      if (watched && cut_after >= 0 && passed + got >= cut_after) {
        forward = static_cast<size_t>(cut_after - passed);
        cut = true;
      }
      if (!WriteAll(to, buf, forward)) open = false;
      if (watched) passed += static_cast<int64_t>(forward);
      if (cut) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          cut_points_.push_back(passed);
        }
        ++cuts_done_;
        // Let the forwarded bytes reach the other side before both ends are reset.
        ::shutdown(to, SHUT_WR);
        usleep(20 * 1000);
        open = false;
      }
    }
  }
  Reset(client);
  Reset(server);
}

}  // namespace q11::test
