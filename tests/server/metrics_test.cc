// The metrics registry's parts (syncserver/src/metrics/) and the route patterns requests
// are counted by (http/route_label.h); the real server's /metrics is
// tests/integration/metrics_test.cc.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/route_label.h"
#include "metrics/cached_gauge.h"
#include "metrics/exposition.h"
#include "metrics/histogram.h"
#include "metrics/request_counts.h"

using namespace q11::server;
using namespace q11::server::metrics;

TEST_CASE("Histogram: cumulative buckets, +Inf equals the count, sum in the rendered unit") {
  Histogram h({1000, 10000, 100000}, 1e6);  // microseconds rendered as seconds
  for (int64_t v : {500, 1000, 1001, 50000, 2000000}) h.Observe(v);
  Histogram::Snapshot s = h.Read();
  CHECK(s.cumulative == std::vector<uint64_t>{2, 3, 4});
  CHECK(s.count == 5);
  CHECK(s.sum == 500 + 1000 + 1001 + 50000 + 2000000);
  Exposition out;
  out.Family("q11_x_seconds", "histogram", "A test.");
  out.HistogramSamples("q11_x_seconds", {}, h);
  CHECK(out.text() ==
        "# HELP q11_x_seconds A test.\n"
        "# TYPE q11_x_seconds histogram\n"
        "q11_x_seconds_bucket{le=\"0.001\"} 2\n"
        "q11_x_seconds_bucket{le=\"0.01\"} 3\n"
        "q11_x_seconds_bucket{le=\"0.1\"} 4\n"
        "q11_x_seconds_bucket{le=\"+Inf\"} 5\n"
        "q11_x_seconds_sum 2.052501\n"
        "q11_x_seconds_count 5\n");
}

TEST_CASE("Histogram and counts: observations from many threads are all counted") {
  Histogram h({1, 2, 4}, 1);
  RequestCounts counts(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        h.Observe(i % 6);
        counts.Count(static_cast<size_t>(i % 3), 200 + (i % 2));
      }
    });
  for (auto& t : threads) t.join();
  CHECK(h.Read().count == 40000);
  uint64_t total = 0;
  for (const RequestCounts::Row& r : counts.Read()) total += r.count;
  CHECK(total == 40000);
  CHECK(counts.Read().size() == 6);
}

TEST_CASE("Request counts: statuses outside 100-599 count as 500") {
  RequestCounts counts(1);
  counts.Count(0, 42);
  counts.Count(0, 600);
  counts.Count(0, 404);
  auto rows = counts.Read();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].status == 404);
  CHECK(rows[1].status == 500);
  CHECK(rows[1].count == 2);
}

TEST_CASE("Exposition: label values and help are escaped so nothing starts a line") {
  Exposition out;
  out.Family("q11_y", "gauge", "Two\nlines \\ here.");
  out.Sample("q11_y", {{"route", "a\"b\\c\nd"}}, static_cast<int64_t>(-3));
  out.Sample("q11_y", {{"a", "1"}, {"b", "2"}}, 0.25);
  CHECK(out.text() ==
        "# HELP q11_y Two\\nlines \\\\ here.\n"
        "# TYPE q11_y gauge\n"
        "q11_y{route=\"a\\\"b\\\\c\\nd\"} -3\n"
        "q11_y{a=\"1\",b=\"2\"} 0.25\n");
  CHECK(FormatNumber(1.0 / 0.0) == "+Inf");
  CHECK(FormatNumber(0.1) == "0.1");
  CHECK(FormatNumber(1712345678.123) == "1712345678.123");
}

TEST_CASE("Cached gauge: read at most once per age, again when invalidated") {
  CachedGauge g(60000);
  int reads = 0;
  auto read = [&] { return static_cast<int64_t>(++reads * 10); };
  CHECK(g.Get(1000, read) == 10);
  CHECK(g.Get(30000, read) == 10);
  CHECK(g.Get(61000, read) == 20);
  g.Invalidate();
  CHECK(g.Get(61001, read) == 30);
  CHECK(reads == 3);
}

TEST_CASE("Route labels: patterns, never ids, and 'other' for anything unknown") {
  struct Case {
    const char* path;
    const char* label;
  } cases[] = {
      {"/", "/"},
      {"/healthz", "/healthz"},
      {"/metrics", "/metrics"},
      {"/v1/sync", "/v1/sync"},
      {"/v1/changes/wait", "/v1/changes/wait"},
      {"/v1/photos/0123abcd", "/v1/photos/{sha256}"},
      {"/v1/photos/0123abcd/status", "/v1/photos/{sha256}/status"},
      {"/v1/photos/a/b/status", "other"},
      {"/v1/admin/conflicts", "/v1/admin/conflicts"},
      {"/v1/admin/conflicts/0190-aa", "/v1/admin/conflicts/{id}"},
      {"/v1/admin/conflicts/0190-aa/resolve", "/v1/admin/conflicts/{id}/resolve"},
      {"/v1/admin/users/dan/contact", "/v1/admin/users/{name}/contact"},
      {"/v1/monitor/units", "/v1/monitor/units"},
      {"/v1/monitor/units/p04/overdue", "/v1/monitor/units/{id}/overdue"},
      {"/v1/monitor/cases/0190", "/v1/monitor/cases/{id}"},
      {"/v1/monitor/whatever", "/v1/monitor/{other}"},
      {"/public/receipts/Q11-ABCD-EFGH", "/public/receipts/{code}"},
      {"/app/index.html", "/app/{file}"},
      {"/admin/admin.js", "/admin/{file}"},
      {"/monitor/", "/monitor/{file}"},
      {"/open311/v2/requests.json", "/open311/v2/requests.{format}"},
      {"/open311/v2/requests/0190.xml", "/open311/v2/requests/{id}.{format}"},
      {"/open311/v2/services/rac-thai.json", "/open311/v2/services/{code}.{format}"},
      {"/open311/v2/nothing.json", "/open311/v2/{other}"},
      {"/etc/passwd", "other"},
      {"", "other"},
      {"other", "other"},
  };
  for (const Case& c : cases) {
    INFO(c.path);
    CHECK(RouteLabel(c.path) == c.label);
  }
  // Distinct labels, "other" last.
  std::set<std::string_view> labels;
  for (size_t i = 0; i < RouteLabelCount(); ++i) labels.insert(RouteLabelAt(i));
  CHECK(labels.size() == RouteLabelCount());
  CHECK(RouteLabelAt(RouteLabelCount() - 1) == "other");
}
