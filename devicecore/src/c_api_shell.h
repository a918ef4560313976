// The C API's shell, shared by its source files (c_api.cc, c_api_app.cc): the handle
// behind q11_db, and the helpers every entry point uses to keep devicecore.h's error rule
// (codes, q11_errmsg, OUT parameters) and to stop C++ exceptions at the C boundary.
#pragma once

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "devicecore/database.h"
#include "devicecore/devicecore.h"
#include "devicecore/env.h"

struct q11_db {
  std::unique_ptr<q11::device::Database> db;
  std::string errmsg;
};

namespace q11::capi {

using q11::Status;

inline int Fail(q11_db* h, const Status& s) {
  h->errmsg = s.message().empty() ? q11::StatusCodeName(s.code()) : s.message();
  return static_cast<int>(s.code());
}

inline int Ok(q11_db* h) {
  h->errmsg.clear();
  return Q11_OK;
}

// A malloc'ed copy, so q11_free (free) releases it and callers in C need no C++ runtime.
inline char* Dup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

// The transport to a server, trusting `ca_pem` (the system's CA store when empty);
// `timeout_ms` 0: TransportOptions' default.
inline q11::Result<std::unique_ptr<q11::device::Transport>> Connect(const std::string& url,
                                                                    const std::string& ca_pem,
                                                                    int timeout_ms = 0) {
  q11::device::TransportOptions options;
  options.ca_pem = ca_pem;
  if (timeout_ms > 0) options.timeout_ms = timeout_ms;
  return q11::device::MakeHttpTransport(url, options);
}

inline bool Usable(q11_db* h) { return h != nullptr && h->db != nullptr; }

inline int Misuse(q11_db* h, const char* what) {
  if (h != nullptr) h->errmsg = what;
  return Q11_MISUSE;
}

// Runs `body` with exceptions turned into Q11_INTERNAL (or Q11_RESOURCE_EXHAUSTED).
template <typename F>
int Guard(q11_db* h, F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    h->errmsg = "out of memory";
    return Q11_RESOURCE_EXHAUSTED;
  } catch (const std::exception& e) {
    h->errmsg = e.what();
    return Q11_INTERNAL;
  } catch (...) {
    h->errmsg = "unknown internal error";
    return Q11_INTERNAL;
  }
}

inline std::string Str(const char* s) { return s != nullptr ? std::string(s) : std::string(); }

}  // namespace q11::capi
