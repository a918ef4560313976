// Which database the real syncserver of a test runs on. By default its embedded SQLite
// file in the data folder. With Q11_TEST_BACKEND=postgres (the "integration (postgres)"
// run of ctest), each data folder a test uses gets a database of its own on one throwaway
// PostgreSQL server per test process (tests/postgres/temp_postgres.h), and every
// `syncserver` the test starts or runs on that folder is given `--database=` for it. So the
// same tests check both backends through the product's own command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace q11::test {

// True when Q11_TEST_BACKEND=postgres.
bool PostgresBackend();

// The PostgreSQL URL for `data_dir` (created on first use; the server starts with the
// first call), or "" on the SQLite backend. Exits 77 (skipped) when PostgreSQL is not
// installed, unless CI requires it (temp_postgres.h).
std::string DatabaseUrlFor(const std::string& data_dir);

// `argv` of a syncserver command with `--database=` added for its --data folder on the
// PostgreSQL backend (unchanged otherwise, or when it names a database already).
std::vector<std::string> WithDatabase(std::vector<std::string> argv);

// Restarts the test process's PostgreSQL server (same port, same data); false with
// `*error` set when it does not come back, or on the SQLite backend.
bool RestartDatabaseServer(std::string* error);

// CPU seconds (user + system) the PostgreSQL server has used so far, its finished
// backends included; 0 on the SQLite backend (its work is inside the syncserver process).
double DatabaseCpuSeconds();

// Reads the server database of `data_dir` directly, whichever backend (SQLite: the file,
// read-only, beside the running server; PostgreSQL: a connection of its own). Each row
// as text, one entry per column, nullopt for NULL. The SQL must mean the same on both.
// nullopt with `*error` set when the query fails.
using TextRow = std::vector<std::optional<std::string>>;
std::optional<std::vector<TextRow>> ServerRows(const std::string& data_dir, const std::string& sql,
                                               std::string* error);

// Changes the server database of `data_dir` behind the server's back (a tampering test's
// edit), whichever backend. False with `*error` set when it fails.
bool ServerExec(const std::string& data_dir, const std::string& sql, std::string* error);

}  // namespace q11::test
