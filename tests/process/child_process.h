// Starting the daemons tests need (PostgreSQL, nginx) as child processes: as another user
// when the test runs as root, their output appended to a log file, and killed when the
// test process dies; and a free loopback port for them to listen on.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/result.h"

namespace q11::test {

// Starts args[0] with `args`, stdin from /dev/null, stdout and stderr appended to `log`
// (created with `log_mode`), as `user` (uid, gid) when given. With `death_signal`, the
// child gets it when the thread that started it ends (PR_SET_PDEATHSIG).
Result<pid_t> SpawnLogged(const std::vector<std::string>& args, const std::string& log,
                          const std::optional<std::pair<uid_t, gid_t>>& user, int death_signal,
                          int log_mode = 0600);

// A loopback port nobody listens on right now (the kernel's choice for port 0).
Result<int> FreeLoopbackPort();

}  // namespace q11::test
