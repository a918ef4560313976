// entry_retries: how often the server failed to apply a pushed entry for a reason that is
// not a refusal (an internal error, a row too big for SQLite), keyed like the verdict
// ledger by (device_id, local_seq). Such an entry gets the `retry` verdict and the rest of
// its push goes on; the device sends it again later. After kMaxEntryAttempts failures it is
// rejected with the last error, recorded in the ledger for good, so one bad entry never
// blocks a device's queue (push_applier.h, docs/protocol.md "Verdicts").
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

inline constexpr int kMaxEntryAttempts = 5;

class EntryRetries {
 public:
  static Result<std::unique_ptr<EntryRetries>> Create(SqlConn& db);
  // Failed attempts recorded so far (0 when none).
  Result<int> Attempts(std::string_view device_id, uint64_t local_seq);
  // Records the `attempts`-th failure, with its error and ISO-8601 UTC time.
  Status Record(std::string_view device_id, uint64_t local_seq, int attempts,
                std::string_view error, std::string_view at);

 private:
  EntryRetries() = default;
  SqlStmt find_, upsert_;
};

}  // namespace q11::server
