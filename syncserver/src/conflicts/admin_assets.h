// The admin console's static files (syncserver/web/admin/), compiled into the binary by
// CMake (admin_assets.cc.in), so the server needs no files at run time and serves exactly
// the console it was built with.
#pragma once

#include <string_view>

namespace q11::server {

struct AdminAsset {
  std::string_view path;          // "/admin/admin.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// The asset served at `path` (/admin and /admin/ are the page), or nullptr.
const AdminAsset* FindAdminAsset(std::string_view path);

}  // namespace q11::server
