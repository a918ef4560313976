// `syncserver photos prune --data=DIR [--partial-days=N]`: frees the disk space of photos
// no row names any more (their reports were withdrawn) and of uploads abandoned half way.
#pragma once

namespace q11::server {

// Exit codes: 0 done, 1 failed, 2 usage.
int RunPhotosCommand(int argc, char** argv);

}  // namespace q11::server
