// `syncserver serve --data=DIR [--port=N] [--bind=ADDR] [--threads=N]
//  [--max-body-bytes=N] [--quiet]`: a Poco Util ServerApplication that starts the Server,
// prints "syncserver listening on http://ADDR:PORT" on stderr, and stops cleanly on
// SIGINT/SIGTERM. Returns the process exit code (2 for usage errors).
#pragma once

#include <string>

namespace q11::server {

int RunServe(int argc, char** argv);  // argv[1] == "serve"
// The text of `syncserver serve --help` (also printed with a usage error).
const std::string& ServeHelp();

}  // namespace q11::server
