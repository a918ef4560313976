// Helpers of the PostgreSQL tests: a throwaway server per test case (temp_postgres.h) and
// connections that must open.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>

#include "store/postgres/connection.h"
#include "temp_postgres.h"

namespace q11::test {

// The test case's server; exits 77 when PostgreSQL is not installed (StartOrSkip).
inline std::unique_ptr<TempPostgres> Server() {
  auto r = StartOrSkip();
  if (!r.ok()) FAIL("cannot start PostgreSQL: " << r.status().ToString());
  return std::move(r).value();
}

inline pg::Connection Connect(const std::string& url) {
  auto c = pg::Connection::Open(url);
  if (!c.ok()) FAIL("cannot connect: " << c.status().ToString());
  return std::move(c).value();
}

}  // namespace q11::test

// REQUIRE that a Status / Result is ok, printing its error otherwise.
#define REQUIRE_OK(expr)                   \
  do {                                     \
    const auto& q11_s_ = (expr);           \
    INFO(::q11::test::StatusText(q11_s_)); \
    REQUIRE(q11_s_.ok());                  \
  } while (0)

namespace q11::test {
inline std::string StatusText(const Status& s) { return s.ToString(); }
template <typename T>
std::string StatusText(const Result<T>& r) {
  return r.status().ToString();
}
}  // namespace q11::test
