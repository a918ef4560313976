// The Prometheus text exposition format, version 0.0.4 (what `GET /metrics` answers and
// `promtool check metrics` checks): per metric family a `# HELP` and a `# TYPE` line, then
// its samples `name{label="value",...} number`. Label values and help text are escaped
// here (backslash, double quote, newline), so no value can start a line of its own.
//
// Thread safety: one writer per scrape; not shared.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "metrics/histogram.h"

namespace q11::server::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Exposition {
 public:
  // Starts a family. `type`: "counter", "gauge" or "histogram". REQUIRES: `name` is a
  // valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), each family started once.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, Labels labels, double value);
  void Sample(std::string_view name, Labels labels, uint64_t value);
  void Sample(std::string_view name, Labels labels, int64_t value);
  // A histogram's `_bucket` (le=...), `_sum` and `_count` samples.
  void HistogramSamples(std::string_view name, Labels labels, const Histogram& histogram);

  const std::string& text() const { return out_; }

 private:
  void Head(std::string_view name, Labels labels, std::string_view le = {});
  std::string out_;
};

// A number as the format writes it: integers without a fraction, +Inf/-Inf/NaN by name.
std::string FormatNumber(double value);

}  // namespace q11::server::metrics
