#include "audit/security_audit.h"

#include <Poco/JSON/Object.h>

#include <cstdio>
#include <sstream>

#include "audit/audit_log.h"
#include "log/logger.h"
#include "protocol/ids.h"

namespace q11::server {

std::unique_ptr<SecurityAudit> SecurityAudit::Open(DbWriter& writer,
                                                   std::function<int64_t()> clock_ms) {
  return std::unique_ptr<SecurityAudit>(new SecurityAudit(writer, std::move(clock_ms)));
}

Result<std::unique_ptr<SecurityAudit>> SecurityAudit::Open(const std::string& db_path,
                                                           std::function<int64_t()> clock_ms) {
  Result<std::unique_ptr<DbWriter>> writer = OpenOwnWriter(db_path);
  if (!writer.ok()) return writer.status();
  std::unique_ptr<SecurityAudit> audit = Open(**writer, std::move(clock_ms));
  audit->own_writer_ = std::move(*writer);
  return audit;
}

Status SecurityAudit::Record(std::string_view actor, std::string_view action,
                             std::string_view subject, std::string_view details_json) {
  const std::string at = FormatUtc(clock_ms_());
  Status s = writer_.Write([&](SqlConn& db) -> Status {
    // Prepared per write: the audit is rare next to pushes, and a statement kept on the
    // writer's connection would tie this object's lifetime to the store's.
    Result<std::unique_ptr<AuditLog>> log = AuditLog::Create(db);
    if (!log.ok()) return log.status();
    return (*log)->Record(at, actor, action, subject, details_json);
  });
  if (!s.ok()) log::Error("audit " + std::string(action) + " not recorded: " + s.ToString());
  return s;
}

Status SecurityAudit::RecordAll(const std::vector<Entry>& entries) {
  if (entries.empty()) return Status::Ok();
  const std::string at = FormatUtc(clock_ms_());
  Status s = writer_.Write([&](SqlConn& db) -> Status {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::Create(db);
    if (!log.ok()) return log.status();
    for (const Entry& e : entries)
      Q11_RETURN_IF_ERROR((*log)->Record(at, e.actor, e.action, e.subject, e.details_json));
    return Status::Ok();
  });
  if (!s.ok())
    log::Error(std::to_string(entries.size()) + " audit rows not recorded: " + s.ToString());
  return s;
}

void AuditIfEnabled(SecurityAudit* audit, std::string_view actor, std::string_view action,
                    std::string_view subject, std::string_view details_json) {
  if (audit != nullptr) (void)audit->Record(actor, action, subject, details_json);
}

std::string AuditDetails(std::initializer_list<std::pair<std::string_view, std::string_view>> kv) {
  Poco::JSON::Object o;
  for (const auto& [k, v] : kv) o.set(std::string(k), std::string(v));
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace q11::server
