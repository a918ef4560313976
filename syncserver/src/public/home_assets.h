// The landing page at / and its style sheet (syncserver/web/home/), compiled into the
// binary by CMake (home_assets.cc.in) like the admin console's files.
#pragma once

#include <string_view>

#include "conflicts/admin_assets.h"

namespace q11::server {

// The asset served at `path` ("/" or "/home.css"), or nullptr.
const AdminAsset* FindHomeAsset(std::string_view path);

}  // namespace q11::server
