#include "test_backend.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

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

void StartServer() {
  auto started = StartOrSkip();
  if (!started.ok()) {
    std::fprintf(stderr, "cannot start PostgreSQL: %s\n", started.status().ToString().c_str());
    std::exit(1);
  }
  server = std::move(started).value();
}

// Started before main(), on the main thread: the server dies with the thread that started
// it (PR_SET_PDEATHSIG, temp_postgres.cc), and a test's own thread may end early.
const bool started_early = [] {
  if (PostgresBackend()) StartServer();
  return true;
}();

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

}  // namespace q11::test
