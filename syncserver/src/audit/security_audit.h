// The security side of the audit trail (audit_log, shared with conflict handling):
// logins (succeeded, failed), refresh-token reuse, sign-ups, logouts, refusals (401, 403,
// 429 answers and rejected pushes), contact reads, accounts disabled. Written outside any
// sync transaction, as a write of its own through the server's one writer (db_writer.h),
// so a refusal is recorded even when nothing else is written.
//
// Thread safety: safe from many threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"
#include "store/db_writer.h"

namespace q11::server {

class SecurityAudit {
 public:
  // Writes through `writer` (the server's; it must outlive this). audit_log must exist:
  // the Store makes it. `clock_ms`: Unix milliseconds.
  static std::unique_ptr<SecurityAudit> Open(DbWriter& writer, std::function<int64_t()> clock_ms);
  // The same on a connection of its own to `db_path` (command-line tools, tests).
  static Result<std::unique_ptr<SecurityAudit>> Open(const std::string& db_path,
                                                     std::function<int64_t()> clock_ms);

  // `details_json` must be a JSON object. A failure to write is reported on stderr and
  // returned; callers answer the request anyway.
  Status Record(std::string_view actor, std::string_view action, std::string_view subject,
                std::string_view details_json);

  struct Entry {
    std::string actor, action, subject, details_json;
  };
  // Many rows in one write (one transaction, one commit), at the same time stamp.
  Status RecordAll(const std::vector<Entry>& entries);

 private:
  SecurityAudit(DbWriter& writer, std::function<int64_t()> clock)
      : writer_(writer), clock_ms_(std::move(clock)) {}

  std::unique_ptr<DbWriter> own_writer_;  // Open(db_path): the writer is this object's
  DbWriter& writer_;
  std::function<int64_t()> clock_ms_;
};

// Records through `audit` when there is one (handler tests may run without).
void AuditIfEnabled(SecurityAudit* audit, std::string_view actor, std::string_view action,
                    std::string_view subject, std::string_view details_json);

// {"k":"v",...} of string pairs, escaped.
std::string AuditDetails(std::initializer_list<std::pair<std::string_view, std::string_view>> kv);

}  // namespace q11::server
