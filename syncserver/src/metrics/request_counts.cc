#include "metrics/request_counts.h"

#include <cassert>

namespace q11::server::metrics {

RequestCounts::RequestCounts(size_t routes)
    : routes_(routes), counts_(new std::atomic<uint64_t>[routes * kStatuses]) {
  for (size_t i = 0; i < routes * kStatuses; ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void RequestCounts::Count(size_t route, int status) {
  assert(route < routes_);
  if (status < kFirst || status >= kFirst + kStatuses) status = 500;
  counts_[route * kStatuses + static_cast<size_t>(status - kFirst)].fetch_add(
      1, std::memory_order_relaxed);
}

std::vector<RequestCounts::Row> RequestCounts::Read() const {
  std::vector<Row> rows;
  for (size_t r = 0; r < routes_; ++r)
    for (int s = 0; s < kStatuses; ++s)
      if (uint64_t n =
              counts_[r * kStatuses + static_cast<size_t>(s)].load(std::memory_order_relaxed))
        rows.push_back({r, kFirst + s, n});
  return rows;
}

}  // namespace q11::server::metrics
