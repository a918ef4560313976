#include "child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace q11::test {

Result<pid_t> SpawnLogged(const std::vector<std::string>& args, const std::string& log,
                          const std::optional<std::pair<uid_t, gid_t>>& user, int death_signal,
                          int log_mode) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    if (user) {
      if (setgroups(0, nullptr) != 0 || setgid(user->second) != 0 || setuid(user->first) != 0) {
        _exit(126);
      }
    }
    // After setuid: a change of credentials clears the parent-death signal.
    if (death_signal != 0) {
      prctl(PR_SET_PDEATHSIG, death_signal);
      if (getppid() != parent) _exit(125);
    }
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, log_mode);
    const int null = open("/dev/null", O_RDONLY);
    if (fd < 0 || null < 0) _exit(124);
    dup2(null, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

Result<int> FreeLoopbackPort() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  const int err = errno;
  close(s);
  if (!ok) return Internal(std::string("a free port: ") + std::strerror(err));
  return static_cast<int>(ntohs(a.sin_port));
}

}  // namespace q11::test
