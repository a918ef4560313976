#include "sync/drift_reports.h"

#include <algorithm>
#include <string>

#include "log/logger.h"
#include "sync/access_scope.h"
#include "sync/changelog/scope_sums.h"

namespace q11::server {

void NoteDriftReports(const Account& account, const std::vector<wire::DriftReport>& reports,
                      metrics::ServerMetrics* metrics) {
  if (reports.empty()) return;
  const std::vector<std::string> readable = ReadAudiences(account);
  for (const wire::DriftReport& r : reports) {
    if (std::find(readable.begin(), readable.end(), r.audience) == readable.end()) continue;
    const std::string_view kind = ScopeKind(r.audience);
    if (metrics != nullptr) {
      for (size_t i = 0; i < metrics->kDriftScopes.size(); ++i) {
        if (kind != metrics->kDriftScopes[i]) continue;
        metrics->drift[i][r.repaired ? 1 : 0].Add();
        metrics->drift_rows[i].Add(r.rows_differing);
      }
    }
    log::Warn("a device found its copy of scope " + r.audience +
                  " different from the server's: " + std::to_string(r.rows_differing) + " rows, " +
                  (r.repaired ? "repaired" : "not repaired") + " (account " + account.id + ")",
              {{"event", "sync.drift"},
               {"account_id", account.id},
               {"audience", r.audience},
               {"rows", static_cast<int64_t>(r.rows_differing)},
               {"repaired", r.repaired ? "true" : "false"}});
  }
}

}  // namespace q11::server
