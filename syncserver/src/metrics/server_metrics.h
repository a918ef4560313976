// What the server records as it works, for `GET /metrics` (docs/monitoring.md, "Watching
// the server"). One instance per running server, owned by it and reached through the
// HandlerContext; the store reports group commits to it through StoreOptions. Gauges that
// are a state rather than an event (database size, open conflicts, waiting devices) are
// not here: the metrics handler reads them at scrape time.
//
// Thread safety: every member is updated with relaxed atomics from any thread.
#pragma once

#include <array>
#include <cstdint>

#include "metrics/cached_gauge.h"
#include "metrics/counter.h"
#include "metrics/histogram.h"
#include "metrics/request_counts.h"

namespace q11::server::metrics {

struct ServerMetrics {
  // `routes`: how many route patterns requests are counted by (http/route_label.h).
  explicit ServerMetrics(size_t routes);

  RequestCounts requests;
  // POST /v1/sync answered 200, from the request's arrival to the answer's last byte
  // handed to the socket: microseconds.
  Histogram sync_micros;
  // Pushed entries by verdict, indexed by wire::Verdict's value (1 applied .. 5 retry).
  std::array<Counter, 6> push_entries;
  Counter pull_rows;   // rows carried in pull changesets
  Counter pull_bytes;  // bytes of those changesets (before the envelope's compression)
  // Scope drift devices reported (sync/drift_reports.h), by the scope's kind (index in
  // kDriftScopes) and whether their repair converged; and the rows they found differing.
  static constexpr std::array<const char*, 4> kDriftScopes = {"ref", "all", "unit", "reporter"};
  std::array<std::array<Counter, 2>, 4> drift;  // [scope][repaired]
  std::array<Counter, 4> drift_rows;
  // Writes made durable by one group commit (store/sql/group_commit.h).
  Histogram group_commit_writes;
  const int64_t start_unix_ms;  // when this server started
  // The photo folder's size, walked at most once a minute (photos/photo_store.h).
  CachedGauge photo_bytes{60000};
};

}  // namespace q11::server::metrics
