#include "metrics/exposition.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace q11::server::metrics {
namespace {

// Help text escapes backslash and newline; label values also the double quote.
void Escape(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

}  // namespace

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", value);
  else if (std::snprintf(buf, sizeof buf, "%.15g", value); std::strtod(buf, nullptr) != value)
    std::snprintf(buf, sizeof buf, "%.17g", value);  // the shortest text that reads back
  return buf;
}

void Exposition::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  Escape(out_, help, /*quote=*/false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void Exposition::Head(std::string_view name, Labels labels, std::string_view le) {
  out_ += name;
  if (labels.size() == 0 && le.empty()) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out_ += ',';
    first = false;
    out_ += key;
    out_ += "=\"";
    Escape(out_, value, /*quote=*/true);
    out_ += '"';
  }
  if (!le.empty()) {
    if (!first) out_ += ',';
    out_ += "le=\"";
    out_ += le;
    out_ += '"';
  }
  out_ += "} ";
}

void Exposition::Sample(std::string_view name, Labels labels, double value) {
  Head(name, labels);
  out_ += FormatNumber(value);
  out_ += '\n';
}

void Exposition::Sample(std::string_view name, Labels labels, uint64_t value) {
  Head(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void Exposition::Sample(std::string_view name, Labels labels, int64_t value) {
  Head(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void Exposition::HistogramSamples(std::string_view name, Labels labels,
                                  const Histogram& histogram) {
  const Histogram::Snapshot s = histogram.Read();
  const std::string bucket = std::string(name) + "_bucket";
  for (size_t i = 0; i < s.cumulative.size(); ++i) {
    Head(bucket, labels,
         FormatNumber(static_cast<double>(histogram.bounds()[i]) / histogram.scale()));
    out_ += std::to_string(s.cumulative[i]);
    out_ += '\n';
  }
  Head(bucket, labels, "+Inf");
  out_ += std::to_string(s.count);
  out_ += '\n';
  Sample(std::string(name) + "_sum", labels, static_cast<double>(s.sum) / histogram.scale());
  Sample(std::string(name) + "_count", labels, s.count);
}

}  // namespace q11::server::metrics
