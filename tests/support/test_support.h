// What integration tests and the benchmark share: a temporary folder, running a program
// and capturing its output, and the real syncserver started as a child process on a
// loopback port (so tests can also SIGKILL it mid-push and restart it on the same data).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace q11::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string out, err;
};

// Runs argv[0] with the arguments (no shell), waits, captures stdout and stderr.
CommandResult Run(const std::vector<std::string>& argv);

// Path of the built syncserver and q11 binaries (set by CMake).
std::string SyncserverBin();
std::string Q11Bin();

class ServerProcess {
 public:
  // The server's stdout and stderr go to `log_file`, by default DATA_DIR.server.log (give
  // each its own when several servers share one data folder, as on PostgreSQL).
  explicit ServerProcess(std::string data_dir, std::string log_file = "")
      : data_dir_(std::move(data_dir)),
        log_file_(log_file.empty() ? data_dir_ + ".server.log" : std::move(log_file)) {}
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `syncserver serve --data=DIR --port=PORT [extra...]` and waits (≤ 20 s) until it
  // has written DIR/syncserver.port and answers /healthz. PORT 0 picks a free port the
  // first time and reuses the previous one on a restart, so devices keep their server URL.
  // Rate limits are off (0) unless `extra_args` sets them (--login-per-minute=N, ...).
  // With --tls-cert/--tls-key in `extra_args` it serves HTTPS: "up" is then the port
  // accepting connections (no handshake is made: the test decides what it trusts), and
  // url() is https://.
  // Returns false with a message in error() when it does not come up.
  bool Start(const std::vector<std::string>& extra_args = {});
  void Stop();  // SIGTERM, wait
  void Kill();  // SIGKILL, wait
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string url() const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
  }
  const std::string& error() const { return error_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_file() const { return log_file_; }

  // Devices whose wait for changes sleeps on the server now ("waiting" of /healthz), or
  // -1 when the server does not answer.
  int Waiting() const;
  // Polls Waiting() until it reaches `n`; false when `timeout` passes first.
  bool AwaitWaiting(int n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  // Moves the server's clock forward by `by` at once (tokens expire, deadlines pass).
  // Works only when Start() was given "--clock-file=PATH" (test-only option of `serve`):
  // writes the total offset there. False when not started so, or the file cannot be
  // written. The offset is kept across restarts of the same ServerProcess.
  bool AdvanceClock(std::chrono::milliseconds by);

  // `syncserver user add` on this data folder; returns true on exit code 0.
  bool AddUser(const std::string& name, const std::string& password, const std::string& role,
               const std::string& unit = "");

  // CPU seconds (user + system) and peak RSS in KiB of the running server, from /proc.
  double CpuSeconds() const;
  long PeakRssKiB() const;
  // Bytes the server has sent towards the disk (write_bytes of /proc/PID/io: WAL,
  // checkpoints and every other file, counted when the page is dirtied).
  int64_t DiskBytesWritten() const;

 private:
  std::string data_dir_;
  std::string log_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
  std::string clock_file_;  // from --clock-file= of the last Start()
  int64_t clock_offset_ms_ = 0;
  std::string error_;
};

}  // namespace q11::test
