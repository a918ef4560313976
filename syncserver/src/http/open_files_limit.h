// The process's limit on open files. Every connection the server holds is a descriptor,
// and the watcher reactor holds one per waiting device (thousands), so the server raises
// its soft limit (often 1024) to the hard limit the administrator allows at start.
#pragma once

#include <cstdint>

#include "protocol/result.h"

namespace q11::server {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit now in
// force. Errors: kInternal when the limit cannot be read or set.
Result<uint64_t> RaiseOpenFilesLimit();

}  // namespace q11::server
