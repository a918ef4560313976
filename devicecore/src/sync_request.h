// Builds the sync request of one round trip from the outbox and device_meta.
#pragma once

#include <cstddef>
#include <vector>

#include "database_impl.h"
#include "protocol/sync_messages.h"

namespace q11::device {

inline constexpr char kClientName[] = "q11/0.1.0";
inline constexpr char kSyncContentType[] = "application/x-q11-sync";
// Changesets per request: at least one entry is always sent; past this size the rest wait
// for the next round trip, so one request never needs a huge buffer on a phone.
inline constexpr size_t kMaxPushBytesPerRequest = 8u << 20;

struct BuiltRequest {
  wire::SyncRequest request;
  std::vector<int64_t> sent;  // outbox seqs pushed, in order
  bool more_unsent = false;   // pending entries left for the next round trip
  bool heal_entry = false;    // it pushes only the rows a heal queued (epoch_heal.h)
};

// The request carries the drift reports waiting to go up (scope_repair.h). `push` false:
// a pull only, every entry left waiting (Verify catches up so).
Result<BuiltRequest> BuildSyncRequest(DatabaseImpl& db, uint32_t max_pull_rows,
                                      size_t max_push_bytes = kMaxPushBytesPerRequest,
                                      bool push = true);

}  // namespace q11::device
