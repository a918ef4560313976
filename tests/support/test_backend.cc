#include "test_backend.h"

#include <sqlite3.h>

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#ifdef Q11_TEST_HAVE_POSTGRES
#include "store/postgres/connection.h"
#include "temp_postgres.h"
#endif

namespace q11::test {

bool PostgresBackend() {
  const char* backend = std::getenv("Q11_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgres";
}

#ifdef Q11_TEST_HAVE_POSTGRES
namespace {

std::mutex mu;
std::unique_ptr<TempPostgres> server;     // guarded by mu
std::map<std::string, std::string> urls;  // guarded by mu

// The server dies with the thread that started it (PR_SET_PDEATHSIG, temp_postgres.cc),
// and a test's or benchmark's own threads end early: it is started from a thread of its
// own that lives as long as the process. REQUIRES: mu held.
void StartServer() {
  std::promise<Result<std::unique_ptr<TempPostgres>>> result;
  std::thread([&result] {
    result.set_value(StartOrSkip());
    for (;;) pause();
  }).detach();
  auto started = result.get_future().get();
  if (!started.ok()) {
    std::fprintf(stderr, "cannot start PostgreSQL: %s\n", started.status().ToString().c_str());
    std::exit(1);
  }
  server = std::move(started).value();
}

}  // namespace
#endif

std::string DatabaseUrlFor(const std::string& data_dir) {
  if (!PostgresBackend()) return "";
#ifdef Q11_TEST_HAVE_POSTGRES
  std::lock_guard<std::mutex> lock(mu);
  auto known = urls.find(data_dir);
  if (known != urls.end()) return known->second;
  if (!server) StartServer();
  const std::string name = "t" + std::to_string(urls.size() + 1);
  Status made = server->CreateDatabase(name);
  if (!made.ok()) {
    std::fprintf(stderr, "cannot create database %s: %s\n", name.c_str(), made.ToString().c_str());
    std::exit(1);
  }
  return urls[data_dir] = server->UrlFor(name);
#else
  std::fprintf(stderr, "Q11_TEST_BACKEND=postgres, but this build has no PostgreSQL (libpq)\n");
  std::exit(1);
#endif
}

std::vector<std::string> WithDatabase(std::vector<std::string> argv) {
  if (!PostgresBackend()) return argv;
  std::string data;
  for (const std::string& a : argv) {
    if (a.rfind("--database=", 0) == 0) return argv;
    if (a.rfind("--data=", 0) == 0) data = a.substr(7);
  }
  if (!data.empty()) argv.push_back("--database=" + DatabaseUrlFor(data));
  return argv;
}

namespace {

// Fields 14-17 of /proc/PID/stat (utime, stime, cutime, cstime) in clock ticks, and the
// parent pid (field 4). False when the process is gone.
bool ReadStat(const std::string& pid, long* ppid, double ticks[4]) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  std::vector<std::string> f;
  while (rest >> field) f.push_back(field);
  if (f.size() < 15) return false;  // f[0] is field 3 (state)
  *ppid = std::atol(f[1].c_str());
  for (int i = 0; i < 4; ++i) ticks[i] = std::atof(f[11 + i].c_str());
  return true;
}

}  // namespace

bool RestartDatabaseServer(std::string* error) {
#ifdef Q11_TEST_HAVE_POSTGRES
  std::lock_guard<std::mutex> lock(mu);
  if (!server) {
    *error = "no PostgreSQL server was started";
    return false;
  }
  Status s = server->Restart();
  if (!s.ok()) *error = s.ToString();
  return s.ok();
#else
  *error = "this build has no PostgreSQL";
  return false;
#endif
}

double DatabaseCpuSeconds() {
#ifdef Q11_TEST_HAVE_POSTGRES
  long root = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!server) return 0;
    root = server->pid();
  }
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  double ticks = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    long ppid = 0;
    double t[4];
    if (!ReadStat(name, &ppid, t)) continue;
    if (std::atol(name.c_str()) == root)
      ticks += t[0] + t[1] + t[2] + t[3];  // the postmaster and its reaped backends
    else if (ppid == root)
      ticks += t[0] + t[1];  // a live backend
  }
  return ticks / hz;
#else
  return 0;
#endif
}

std::optional<std::vector<TextRow>> ServerRows(const std::string& data_dir, const std::string& sql,
                                               std::string* error) {
  std::vector<TextRow> out;
  if (PostgresBackend()) {
#ifdef Q11_TEST_HAVE_POSTGRES
    auto conn = pg::Connection::Open(DatabaseUrlFor(data_dir));
    if (!conn.ok()) {
      *error = conn.status().ToString();
      return std::nullopt;
    }
    auto rows = conn->Query(sql);
    if (!rows.ok()) {
      *error = rows.status().ToString();
      return std::nullopt;
    }
    for (int r = 0; r < rows->size(); ++r) {
      TextRow row;
      for (int c = 0; c < rows->columns(); ++c) {
        if (rows->IsNull(r, c))
          row.emplace_back();
        else
          row.emplace_back(std::string(rows->Text(r, c)));
      }
      out.push_back(std::move(row));
    }
    return out;
#endif
  }
  sqlite3* db = nullptr;
  const std::string path = data_dir + "/syncserver.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    *error = "cannot open " + path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return std::nullopt;
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    *error = sqlite3_errmsg(db);
    sqlite3_close(db);
    return std::nullopt;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    TextRow row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const unsigned char* t = sqlite3_column_text(st, c);
      if (t == nullptr)
        row.emplace_back();
      else
        row.emplace_back(std::string(reinterpret_cast<const char*>(t),
                                     static_cast<size_t>(sqlite3_column_bytes(st, c))));
    }
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) *error = sqlite3_errmsg(db);
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (rc != SQLITE_DONE) return std::nullopt;
  return out;
}

bool ServerExec(const std::string& data_dir, const std::string& sql, std::string* error) {
  if (PostgresBackend()) {
#ifdef Q11_TEST_HAVE_POSTGRES
    auto conn = pg::Connection::Open(DatabaseUrlFor(data_dir));
    if (!conn.ok()) {
      *error = conn.status().ToString();
      return false;
    }
    Status s = conn->Exec(sql);
    if (!s.ok()) *error = s.ToString();
    return s.ok();
#endif
  }
  sqlite3* db = nullptr;
  const std::string path = data_dir + "/syncserver.db";
  bool ok = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK;
  if (ok) {
    sqlite3_busy_timeout(db, 10000);
    ok = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  if (!ok) *error = "cannot change " + path + ": " + sqlite3_errmsg(db);
  sqlite3_close(db);
  return ok;
}

}  // namespace q11::test
