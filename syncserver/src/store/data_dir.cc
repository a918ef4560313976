#include "store/data_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace q11::server {

DataPaths PathsFor(const std::string& dir) {
  DataPaths p;
  p.dir = dir;
  p.database = dir + "/syncserver.db";
  p.signing_key = dir + "/jwt.key";
  p.contact_key = dir + "/contact.key";
  p.port_file = dir + "/syncserver.port";
  p.photos = dir + "/photos";
  return p;
}

Status EnsureDataDir(const std::string& dir) {
  if (dir.empty()) return InvalidArgument("no data folder given (--data=DIR)");
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::Ok();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create data folder " + dir + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return Status::Ok();
}

Status RequireDataDir(const std::string& dir, const std::string& database_url) {
  if (dir.empty()) return InvalidArgument("no data folder given (--data=DIR)");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return NotFound("no data folder " + dir +
                    ": check --data (serve, seed-demo and user add make one) / không có thư "
                    "mục dữ liệu " +
                    dir + ", hãy kiểm tra --data");
  const std::string db = PathsFor(dir).database;
  if (database_url.empty() && !std::filesystem::is_regular_file(db, ec))
    return NotFound("the folder " + dir + " holds no server database (" + db +
                    "): check --data / thư mục " + dir +
                    " không có cơ sở dữ liệu máy chủ, hãy kiểm tra --data");
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) return Unavailable("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Unavailable("cannot rename " + tmp + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace q11::server
