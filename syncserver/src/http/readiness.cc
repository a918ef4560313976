#include "http/readiness.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "store/sql/sql_conn.h"

namespace q11::server {

Result<int64_t> FreeBytesOn(const std::string& dir) {
  struct statvfs st {};
  if (statvfs(dir.c_str(), &st) != 0)
    return Unavailable("cannot read the free space of " + dir + ": " + std::strerror(errno));
  return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
}

Readiness::Readiness(DbWriter& writer, std::string data_dir, int64_t min_free_bytes,
                     FreeSpace free_space)
    : writer_(writer),
      data_dir_(std::move(data_dir)),
      min_free_bytes_(min_free_bytes),
      free_space_(free_space ? std::move(free_space) : FreeSpace(FreeBytesOn)) {}

ReadyReport Readiness::Check() {
  ReadyReport r;
  Status wrote = writer_.Write([](SqlConn& db) {
    return db.Exec("UPDATE meta SET value = value WHERE key = 'schema_version'");
  });
  r.database_ok = wrote.ok();
  if (!wrote.ok())
    r.reasons.push_back("the database takes no write: " + wrote.message() +
                        " / cơ sở dữ liệu không ghi được");
  Result<int64_t> free = free_space_(data_dir_);
  if (!free.ok()) {
    r.reasons.push_back(free.status().message() + " / không đọc được dung lượng trống");
  } else {
    r.free_bytes = *free;
    if (*free < min_free_bytes_)
      r.reasons.push_back("the data folder's disk has " + std::to_string(*free >> 20) +
                          " MiB free, below the floor of " + std::to_string(min_free_bytes_ >> 20) +
                          " MiB (--min-free-mib) / ổ đĩa sắp đầy");
  }
  r.ready = r.reasons.empty();
  return r;
}

}  // namespace q11::server
