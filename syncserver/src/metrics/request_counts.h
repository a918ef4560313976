// Requests answered, by route and HTTP status (q11_http_requests_total).
//
// The route is an index into a fixed list of route patterns the caller owns
// (http/route_label.h: "/v1/photos/{sha256}", never a raw path), and the status is
// 100-599, so the series are bounded by construction: a client that requests a million
// different paths adds none. The table is allocated once (routes x 500 counters) so a
// request costs one relaxed atomic add, without a lock or a map.
//
// Thread safety: Count() and Read() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace q11::server::metrics {

class RequestCounts {
 public:
  explicit RequestCounts(size_t routes);

  // A status outside 100-599 is counted as 500 (it cannot be sent anyway).
  // REQUIRES: route < routes.
  void Count(size_t route, int status);

  struct Row {
    size_t route;
    int status;
    uint64_t count;
  };
  // Every (route, status) counted at least once, by route then status.
  std::vector<Row> Read() const;

 private:
  static constexpr int kFirst = 100, kStatuses = 500;
  const size_t routes_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
};

}  // namespace q11::server::metrics
