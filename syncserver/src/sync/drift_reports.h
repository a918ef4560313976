// What the server does with the drift a device reports (docs/protocol.md, section 7): a
// device found its copy of a scope different from the checksum a pull carried, repaired it
// or not, and says so. The server counts it (/metrics, q11_sync_drift_total and
// q11_sync_drift_rows_total, by the scope's kind: ref, all, unit, reporter) and logs a line
// per scope. Nothing else: a device's word is never evidence about the server's data.
// Reports of audiences the account does not read are ignored (a lying client inflates
// nothing but its own scopes' counts).
#pragma once

#include <vector>

#include "metrics/server_metrics.h"
#include "protocol/sync_messages.h"
#include "syncserver/account.h"

namespace q11::server {

// `metrics` may be nullptr (not counted, still logged).
void NoteDriftReports(const Account& account, const std::vector<wire::DriftReport>& reports,
                      metrics::ServerMetrics* metrics);

}  // namespace q11::server
