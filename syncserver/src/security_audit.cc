#include "security_audit.h"

#include <Poco/JSON/Object.h>

#include <cstdio>
#include <sstream>

#include "protocol/ids.h"

namespace q11::server {

Result<std::unique_ptr<SecurityAudit>> SecurityAudit::Open(const std::string& db_path,
                                                           std::function<int64_t()> clock_ms) {
  Result<sql::Db> db = sql::Db::Open(db_path, /*create=*/false);
  if (!db.ok()) return db.status();
  std::unique_ptr<SecurityAudit> audit(new SecurityAudit(std::move(*db), std::move(clock_ms)));
  Result<std::unique_ptr<AuditLog>> log = AuditLog::Create(audit->db_);
  if (!log.ok()) return log.status();
  audit->log_ = std::move(*log);
  return audit;
}

Status SecurityAudit::Record(std::string_view actor, std::string_view action,
                             std::string_view subject, std::string_view details_json) {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = log_->Record(FormatUtc(clock_ms_()), actor, action, subject, details_json);
  if (!s.ok())
    std::fprintf(stderr, "syncserver: audit %.*s not recorded: %s\n",
                 static_cast<int>(action.size()), action.data(), s.ToString().c_str());
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
