// applied_batches: the verdict given to every pushed entry, keyed by (device_id,
// local_seq). Written in the transaction that applies the entry, so a retried request
// whose response was lost gets the same answer and is never applied twice.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "protocol/result.h"
#include "protocol/sync_messages.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

class VerdictLedger {
 public:
  static Result<std::unique_ptr<VerdictLedger>> Create(SqlConn& db);
  // The recorded verdict, or nullopt for an entry not seen before.
  Result<std::optional<wire::EntryVerdict>> Find(std::string_view device_id, uint64_t local_seq);
  // `recorded_at`: ISO-8601 UTC (formatted once per request).
  Status Record(std::string_view device_id, const wire::EntryVerdict& verdict,
                std::string_view user_id, std::string_view recorded_at);

 private:
  VerdictLedger() = default;
  SqlStmt find_, insert_;
};

}  // namespace q11::server
