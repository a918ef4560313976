#include "metrics/server_metrics.h"

#include <chrono>

namespace q11::server::metrics {

ServerMetrics::ServerMetrics(size_t routes)
    : requests(routes),
      // 1 ms to 30 s: a no-op sync takes about a millisecond on a laptop, a push of a
      // hundred reports tens of milliseconds, a first pull of a district a few seconds.
      sync_micros({1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
                   5000000, 10000000, 30000000},
                  1e6),
      group_commit_writes({1, 2, 4, 8, 16, 32, 64}, 1),
      start_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count()) {}

}  // namespace q11::server::metrics
