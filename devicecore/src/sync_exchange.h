// The round trips of a sync, shared by Sync() and Verify() (verify.h): Verify catches up
// with the server by the same exchange, but pushes nothing, repairs nothing by itself and
// sends no photos, and wants the last complete pull's scope checks.
#pragma once

#include <vector>

#include "database_impl.h"
#include "devicecore/sync.h"
#include "pull_applier.h"

namespace q11::device {

struct ExchangeMode {
  bool push = true;    // false: a pull only; a restore (new epoch) is refused, not healed
  bool repair = true;  // repair a scope that does not add up (scope_repair.h)
  bool photos = true;  // then upload photos and fetch thumbnails as SyncOptions say
};

struct ExchangeOutcome {
  SyncResult result;
  // The scope checks of the last complete pull (empty: the server sent no checksums).
  std::vector<ApplyOutcome::ScopeCheck> last_checks;
};

Result<ExchangeOutcome> Exchange(DatabaseImpl* db, Transport& transport, const SyncOptions& options,
                                 const ExchangeMode& mode);

}  // namespace q11::device
