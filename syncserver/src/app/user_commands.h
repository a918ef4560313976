// The account subcommands of the syncserver command line:
//   syncserver user add --data=DIR --name=NAME --password=PW --role=ROLE [--unit=UNIT]
//   syncserver user list --data=DIR [--json]
//   syncserver seed-demo --data=DIR
// They open the database directly (WAL lets them run beside a running server).
// Each returns the process exit code: 0 ok, 1 failed, 2 usage error.
#pragma once

namespace q11::server {

int RunUserCommand(int argc, char** argv);  // argv[1] == "user"
int RunSeedDemo(int argc, char** argv);     // argv[1] == "seed-demo"

}  // namespace q11::server
