#include "photos/vips_handle.h"

#include <mutex>

namespace q11::server {

Status StartVips() {
  static std::once_flag once;
  static bool started = false;
  std::call_once(once, [] {
    started = VIPS_INIT("syncserver") == 0;
    if (!started) return;
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_cache_set_max_files(0);
  });
  if (!started) return VipsError(StatusCode::kInternal, "cannot start libvips");
  return Status::Ok();
}

Status VipsError(StatusCode code, const std::string& what) {
  std::string detail = vips_error_buffer();
  vips_error_clear();
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  for (char& c : detail)
    if (c == '\n') c = ' ';
  return Status(code, detail.empty() ? what : what + ": " + detail);
}

}  // namespace q11::server
