// The conflict subcommands of the syncserver command line (docs/conflicts.md, "CLI"):
//   syncserver conflicts list    --data=DIR [--state=open|resolved|all] [--table=T]
//                                [--unit=U] [--min-age-hours=N] [--json]
//   syncserver conflicts show    --data=DIR ID [--json]
//   syncserver conflicts resolve --data=DIR ID (--take=server|device |
//                                --set=COL=VALUE ... [--set-null=COL ...]) [--by=NAME] [--json]
// They open the database directly (WAL and SQLite's locking let them run beside a running
// server) and use the same Store calls as the HTTP admin API. Exit codes: 0 ok, 1 failed
// or refused (the message says why), 2 usage error.
#pragma once

namespace q11::server {

int RunConflictsCommand(int argc, char** argv);  // argv[1] == "conflicts"

}  // namespace q11::server
