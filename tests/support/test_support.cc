#include "test_support.h"

#include "test_backend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace q11::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/q11-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

CommandResult Run(const std::vector<std::string>& given) {
  // A syncserver command on a data folder works on that folder's database, whichever
  // backend the test runs on (test_backend.h).
  const std::vector<std::string> argv =
      !given.empty() && given[0] == SyncserverBin() ? WithDatabase(given) : given;
  CommandResult res;  // (WithDatabase ran before the fork below, in this process)
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return res;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&res.out, &res.err};
  int open_fds = 2;
  char buf[8192];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return res;
}

std::string SyncserverBin() { return Q11_SYNCSERVER_BIN; }
std::string Q11Bin() { return Q11_CLI_BIN; }

namespace {

// The port accepts a TCP connection (an HTTPS server: no handshake, no request).
bool Accepting(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// The whole answer to GET /healthz (HTTP/1.0: the server closes after it), or "" when
// the server cannot be reached.
std::string HealthAnswer(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char req[] = "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, req, sizeof req - 1) == static_cast<ssize_t>(sizeof req - 1)) {
      char buf[1024];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) answer.append(buf, n);
    }
  }
  close(fd);
  return answer;
}

bool HealthOk(int port) {
  std::string answer = HealthAnswer(port);
  return answer.size() > 12 && answer.compare(9, 3, "200") == 0;
}

}  // namespace

ServerProcess::~ServerProcess() {
  if (running()) Kill();
}

bool ServerProcess::Start(const std::vector<std::string>& extra_args) {
  std::string port_file = data_dir_ + "/syncserver.port";
  std::error_code ec;
  fs::remove(port_file, ec);
  const std::string& log = log_file_;
  tls_ = false;
  clock_file_.clear();
  for (const std::string& a : extra_args) {
    tls_ = tls_ || a.rfind("--tls-cert=", 0) == 0;
    if (a.rfind("--clock-file=", 0) == 0) clock_file_ = a.substr(std::strlen("--clock-file="));
  }
  // Before fork: the first call starts the PostgreSQL server of this test process.
  const std::string database_url = DatabaseUrlFor(data_dir_);
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<std::string> argv = {SyncserverBin(), "serve", "--data=" + data_dir_,
                                     "--port=" + std::to_string(port_)};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    if (!database_url.empty()) argv.push_back("--database=" + database_url);
    // Tests and the benchmark log in and sync from one address far more often than people
    // do (50 devices at once, too): no rate or connection limits unless a test asks.
    // Tests are written for Quận 11's 2018 wards (p01..p16) unless they ask for a set.
    bool set_given = false;
    for (const std::string& a : extra_args)
      set_given = set_given || a.rfind("--reference=", 0) == 0;
    if (!set_given) argv.push_back("--reference=q11-2018");
    for (const char* limit : {"--login-per-minute=", "--register-per-hour=", "--sync-per-minute=",
                              "--max-connections-per-address=", "--refused-entries-per-hour="}) {
      bool given = false;
      for (const std::string& a : extra_args) given = given || a.rfind(limit, 0) == 0;
      if (!given) argv.push_back(std::string(limit) + "0");
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream in(log);
      std::stringstream ss;
      ss << in.rdbuf();
      error_ = "syncserver exited during start-up: " + ss.str();
      return false;
    }
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0 && (tls_ ? Accepting(port) : HealthOk(port))) {
      port_ = port;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "syncserver did not answer /healthz within 20 s";
  Kill();
  return false;
}

int ServerProcess::Waiting() const {
  const std::string answer = HealthAnswer(port_);
  const std::string key = "\"waiting\":";
  size_t at = answer.find(key);
  if (answer.size() < 12 || answer.compare(9, 3, "200") != 0 || at == std::string::npos) return -1;
  return std::atoi(answer.c_str() + at + key.size());
}

bool ServerProcess::AwaitWaiting(int n, std::chrono::milliseconds timeout) const {
  // Polling with a deadline: the condition is the server's own count, not a guess at how
  // long the device takes to get there.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (Waiting() >= n) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ServerProcess::AdvanceClock(std::chrono::milliseconds by) {
  if (clock_file_.empty()) return false;
  clock_offset_ms_ += by.count();
  // Written whole and renamed into place: the server never reads half a number, and the
  // new inode tells it the file changed even within one timestamp tick.
  const std::string tmp = clock_file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << clock_offset_ms_ << "\n";
    if (!out) return false;
  }
  std::error_code ec;
  fs::rename(tmp, clock_file_, ec);
  return !ec;
}

void ServerProcess::Stop() {
  if (!running()) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool ServerProcess::AddUser(const std::string& name, const std::string& password,
                            const std::string& role, const std::string& unit) {
  std::vector<std::string> argv = {
      SyncserverBin(),          "user",          "add", "--data=" + data_dir_, "--name=" + name,
      "--password=" + password, "--role=" + role};
  if (!unit.empty()) argv.push_back("--unit=" + unit);
  CommandResult r = Run(argv);
  if (r.exit_code != 0) error_ = r.err;
  return r.exit_code == 0;
}

double ServerProcess::CpuSeconds() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close_paren = content.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream rest(content.substr(close_paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields after the command name start at field 3 (state); utime is 14, stime 15.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

namespace {

// The number after `key` on its line of /proc/PID/`file` ("VmHWM:   1234 kB" → 1234).
int64_t ProcNumber(pid_t pid, const std::string& file, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size()));
  return 0;
}

}  // namespace

int64_t ServerProcess::DiskBytesWritten() const { return ProcNumber(pid_, "io", "write_bytes:"); }

long ServerProcess::PeakRssKiB() const { return ProcNumber(pid_, "status", "VmHWM:"); }

}  // namespace q11::test
