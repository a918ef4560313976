// Walks the whole audit trail and checks its hash chain (audit_chain.h): what
// `syncserver audit verify` runs. Reads a page of records per job through the writer, so a
// long trail never holds the write lock for long; the chain is append-only, so pages read
// at different moments still join up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/result.h"
#include "store/db_writer.h"

namespace q11::server {

struct AuditVerdict {
  std::optional<std::string> broken;  // the first broken record and why; empty: intact
  int64_t checked = 0;                // chained records checked
  int64_t before_chain = 0;           // older records, written before the chain existed
  int64_t pruned = 0;                 // chained records whose content retention erased
  int64_t head_id = 0;                // the last record checked and its hash
  std::string head_hash;
};

// A head printed by an earlier verify and kept elsewhere: record `id` had hash `hash`.
// Without one, records cut off the end of the trail cannot be told from never written.
struct AuditHead {
  int64_t id = 0;
  std::string hash;
};

Result<AuditVerdict> VerifyAuditTrail(DbWriter& writer,
                                      const std::optional<AuditHead>& earlier_head = std::nullopt,
                                      int64_t page_size = 5000);

}  // namespace q11::server
