// The monitoring dashboard's static files (syncserver/web/monitor/, with Chart.js and its
// licence, installed from npm pinned and checked: syncserver/CMakeLists.txt), compiled into the
// binary by CMake (monitor_assets.cc.in) like the admin console's, so the server needs no files and
// no network at run time.
#pragma once

#include <string_view>

#include "conflicts/admin_assets.h"

namespace q11::server {

// The asset served at `path` (/monitor and /monitor/ are the page), or nullptr.
const AdminAsset* FindMonitorAsset(std::string_view path);

}  // namespace q11::server
