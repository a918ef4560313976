// What the library-level integration tests share: a device database and a connection to
// the server, each REQUIREd to open. Header-only; included by integration tests only.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "devicecore/database.h"
#include "devicecore/env.h"

namespace q11::test {

inline std::unique_ptr<device::Database> OpenDevice(const std::string& path) {
  auto db = device::Database::Open(path);
  REQUIRE(db.ok());
  return std::move(db).value();
}

inline std::unique_ptr<device::Transport> Connect(const std::string& url) {
  auto t = device::MakeHttpTransport(url, 10000);
  REQUIRE(t.ok());
  return std::move(t).value();
}

}  // namespace q11::test
