#include "temp_postgres.h"

#include "child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "store/postgres/connection.h"

namespace fs = std::filesystem;

namespace q11::test {
namespace {

std::string Tail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

// Where the server's folder goes: $Q11_PG_TMPDIR, else /dev/shm when it is a writable
// tmpfs with room (initdb and the template copy are several times faster in memory than on
// this machine's disk; the data is thrown away anyway), else $TMPDIR or /tmp.
std::string TempRoot() {
  if (const char* env = std::getenv("Q11_PG_TMPDIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto space = fs::space("/dev/shm", ec);
  if (!ec && space.available > (512u << 20) && access("/dev/shm", W_OK) == 0) return "/dev/shm";
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// Removes the folders of test processes that died without their destructor (kill -9, a
// ctest timeout): their server got SIGQUIT, but the folder stays, in memory when in
// /dev/shm. A folder counts as abandoned when the process in its owner.pid is gone.
void SweepAbandoned(const std::string& root) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (e.path().filename().string().rfind("q11-pg-", 0) != 0) continue;
    std::ifstream in(e.path() / "owner.pid");
    long pid = 0;
    if (!(in >> pid) || pid <= 0) continue;  // being created, or not ours
    if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove_all(e.path(), ignored);
    }
  }
}

}  // namespace

std::optional<std::string> FindPostgresBinaries(std::string* why) {
  auto has = [](const fs::path& dir) {
    return access((dir / "initdb").c_str(), X_OK) == 0 &&
           access((dir / "postgres").c_str(), X_OK) == 0;
  };
  if (const char* env = std::getenv("Q11_PG_BINDIR"); env != nullptr && *env != '\0') {
    if (has(env)) return std::string(env);
    if (why) *why = std::string("Q11_PG_BINDIR=") + env + " has no initdb and postgres";
    return std::nullopt;
  }
  std::error_code ec;
  int best = -1;
  std::string found;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = e.path().filename().string();
    const int major = std::atoi(name.c_str());
    if (major > best && has(e.path() / "bin")) {
      best = major;
      found = (e.path() / "bin").string();
    }
  }
  if (best >= 0) return found;
  if (why) *why = "no /usr/lib/postgresql/*/bin/{initdb,postgres} (Debian package postgresql)";
  return std::nullopt;
}

Result<std::unique_ptr<TempPostgres>> TempPostgres::Start() {
  std::string why;
  const auto bindir = FindPostgresBinaries(&why);
  if (!bindir) return FailedPrecondition("PostgreSQL is not installed: " + why);
  auto pg = std::make_unique<TempPostgres>(Key{});
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      return FailedPrecondition(
          "running as root and there is no `postgres` user to run "
          "PostgreSQL as (Debian's postgresql package creates it)");
    }
    pg->run_as_ = std::make_pair(pw->pw_uid, pw->pw_gid);
  }
  const std::string root = TempRoot();
  SweepAbandoned(root);
  std::string templ = root + "/q11-pg-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    return Internal("mkdtemp " + templ + ": " + std::strerror(errno));
  }
  pg->dir_ = templ;
  std::ofstream(templ + "/owner.pid") << getpid() << "\n";
  if (pg->run_as_ && chown(pg->dir_.c_str(), pg->run_as_->first, pg->run_as_->second) != 0) {
    return Internal("chown " + pg->dir_ + " to postgres: " + std::strerror(errno));
  }
  Status s = pg->Launch(*bindir);
  if (!s.ok()) return s;  // the destructor stops what started and removes the folder
  return pg;
}

namespace {

// initdb: trust authentication (the server listens on the loopback address only).
Status InitDb(const std::string& bindir, const std::string& data, const std::string& log,
              const std::optional<std::pair<uid_t, gid_t>>& user) {
  auto init = SpawnLogged({bindir + "/initdb", "-D", data, "-U", "q11", "-A", "trust", "-E", "UTF8",
                           "--locale=C", "--no-sync", "--wal-segsize=1"},
                          log, user, SIGKILL);
  if (!init.ok()) return init.status();
  int wst = 0;
  if (waitpid(*init, &wst, 0) < 0 || !WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
    return Internal("initdb failed (status " + std::to_string(wst) + "): " + Tail(log, 2000));
  }
  return Status::Ok();
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);  // also releases the flock
  }
};

// initdb takes about 2 s, copying its result 0.1 s: the first server of a build runs
// initdb into a template folder (Q11_PG_TEMPLATE_DIR, in the build tree), the others copy
// it. An flock makes concurrent test processes wait for the one that creates it.
Status CopyTemplate(const std::string& bindir, const std::string& data, const std::string& log,
                    const std::optional<std::pair<uid_t, gid_t>>& user) {
  const char* env = std::getenv("Q11_PG_TEMPLATE_DIR");
#ifdef Q11_PG_TEMPLATE_DIR
  if (env == nullptr) env = Q11_PG_TEMPLATE_DIR;
#endif
  if (env == nullptr || *env == '\0') return FailedPrecondition("no template folder");
  const std::string base = env;
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec) return Internal("cannot create " + base + ": " + ec.message());
  if (user && chown(base.c_str(), user->first, user->second) != 0) {
    return Internal("chown " + base + ": " + std::strerror(errno));
  }
  const std::string name = "pg-" + std::to_string(std::hash<std::string>()(bindir) % 1000000);
  const std::string templ = base + "/" + name, ready = base + "/" + name + ".ready";
  Fd lock{open((base + "/" + name + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)};
  if (lock.fd < 0 || flock(lock.fd, LOCK_EX) != 0) {
    return Internal("cannot lock the template: " + std::string(std::strerror(errno)));
  }
  if (!fs::exists(ready)) {
    fs::remove_all(templ, ec);
    Q11_RETURN_IF_ERROR(InitDb(bindir, templ, log, user));
    std::ofstream(ready) << bindir << "\n";
  }
  auto cp = SpawnLogged({"/bin/cp", "-a", templ, data}, log, user, SIGKILL);
  if (!cp.ok()) return cp.status();
  int wst = 0;
  if (waitpid(*cp, &wst, 0) < 0 || !WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
    return Internal("copying the template failed: " + Tail(log, 2000));
  }
  return Status::Ok();
}

}  // namespace

Status TempPostgres::Launch(const std::string& bindir) {
  bindir_ = bindir;
  const std::string data = dir_ + "/data";
  const std::string initlog = dir_ + "/initdb.log";
  if (!CopyTemplate(bindir, data, initlog, run_as_).ok()) {
    std::error_code ec;
    fs::remove_all(data, ec);
    Q11_RETURN_IF_ERROR(InitDb(bindir, data, initlog, run_as_));
  }
  // A port taken between FreeLoopbackPort() and the bind: try another.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    port_ = *port;
    Status started = StartPostmaster();
    if (started.ok()) {
      url_ = UrlFor("q11test");
      return CreateDatabase("q11test");
    }
    if (started.code() != StatusCode::kAlreadyExists) return started;
  }
  return Internal("PostgreSQL found no free port: " + LogTail());
}

Status TempPostgres::StartPostmaster() {
  const std::string data = dir_ + "/data";
  // Tests throw the data away: no fsync. Benchmarks (Q11_PG_DURABLE=1) run it as an
  // operator would, every commit durable, like the SQLite store's synchronous=FULL.
  const bool durable = std::getenv("Q11_PG_DURABLE") != nullptr;
  std::vector<std::string> argv = {bindir_ + "/postgres",       "-D", data, "-p",
                                   std::to_string(port_),       "-k", dir_, "-c",
                                   "listen_addresses=127.0.0.1"};
  static const std::vector<const char*> kDurable = {"fsync=on", "synchronous_commit=on",
                                                    "full_page_writes=on", "max_connections=200",
                                                    "shared_buffers=128MB"};
  static const std::vector<const char*> kThrowaway = {"fsync=off", "synchronous_commit=off",
                                                      "full_page_writes=off", "max_connections=60",
                                                      "shared_buffers=32MB"};
  for (const char* setting : durable ? kDurable : kThrowaway) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  auto pid = SpawnLogged(argv, dir_ + "/server.log", run_as_, SIGQUIT);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  const std::string admin =
      "postgresql://q11@127.0.0.1:" + std::to_string(port_) + "/postgres?connect_timeout=2";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int wst = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(admin.c_str()) == PQPING_OK) return Status::Ok();
    if (waitpid(pid_, &wst, WNOHANG) == pid_) {
      pid_ = -1;
      if (LogTail().find("already in use") != std::string::npos)
        return AlreadyExists("port " + std::to_string(port_) + " is taken");
      return Internal("PostgreSQL exited at start: " + LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Internal("PostgreSQL did not start within 30 s: " + LogTail());
}

Status TempPostgres::Restart() {
  Stop();
  return StartPostmaster();
}

std::string TempPostgres::UrlFor(const std::string& database) const {
  return "postgresql://q11@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

Status TempPostgres::CreateDatabase(const std::string& name) {
  auto admin = pg::Connection::Open(UrlFor("postgres"));
  if (!admin.ok()) return admin.status();
  return admin->Exec("CREATE DATABASE \"" + name + "\"");
}

std::string TempPostgres::LogTail(size_t max_bytes) const {
  return Tail(dir_ + "/server.log", max_bytes);
}

void TempPostgres::Stop() {
  if (pid_ <= 0) return;
  // SIGINT: "fast" shutdown (disconnects clients, no waiting for them). SIGKILL after 10 s.
  kill(pid_, SIGINT);
  int wst = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (waitpid(pid_, &wst, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &wst, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

TempPostgres::~TempPostgres() {
  Stop();
  if (!dir_.empty() && std::getenv("Q11_PG_KEEP") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

Result<std::unique_ptr<TempPostgres>> StartOrSkip() {
  std::string why;
  bool missing = !FindPostgresBinaries(&why).has_value();
  if (!missing && geteuid() == 0 && getpwnam("postgres") == nullptr) {
    missing = true;
    why = "running as root without a `postgres` user";
  }
  if (missing) {
    const char* ci = std::getenv("CI");
    const char* req = std::getenv("Q11_REQUIRE_POSTGRES");
    const bool must = (ci != nullptr && *ci != '\0' && std::string(ci) != "false") ||
                      (req != nullptr && std::string(req) == "1");
    if (must) {
      std::fprintf(stderr, "FAIL: PostgreSQL tests cannot be skipped in CI: %s\n", why.c_str());
      std::fflush(stderr);
      std::exit(1);
    }
    std::printf("SKIP: %s (run scripts/install-deps)\n", why.c_str());
    std::fflush(stdout);
    std::exit(77);
  }
  return TempPostgres::Start();
}

}  // namespace q11::test
