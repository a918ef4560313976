#include "http/open_files_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace q11::server {

Result<uint64_t> RaiseOpenFilesLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return Internal(std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  if (limit.rlim_cur < limit.rlim_max) {
    rlim_t was = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
      return Internal(std::string("setrlimit(RLIMIT_NOFILE): ") + std::strerror(errno) +
                      " (soft limit stays " + std::to_string(was) + ")");
  }
  return static_cast<uint64_t>(limit.rlim_cur);
}

}  // namespace q11::server
