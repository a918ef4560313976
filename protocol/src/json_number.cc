#include "json_number.h"

#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace q11::json {

std::optional<double> ReadDouble(std::string_view text) {
  // strtod reads the locale's decimal separator: put that one in place of '.'.
  const lconv* lc = std::localeconv();
  std::string_view point = lc != nullptr && lc->decimal_point != nullptr && *lc->decimal_point
                               ? std::string_view(lc->decimal_point)
                               : std::string_view(".");
  std::string s;
  s.reserve(text.size() + 4);
  for (char c : text) {
    if (c == '.')
      s += point;
    else
      s += c;
  }
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

void AppendDouble(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  if (d == 0) {
    out += '0';
    return;
  }
  // The fewest significant digits that read back as the same double (at most 17).
  char buf[40];
  std::string digits;
  int exponent = 0;
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, std::fabs(d));
    // buf: "d[<point>ddd]e[+-]xx"; the point may be any locale's separator.
    digits.clear();
    const char* p = buf;
    for (; *p != 'e' && *p != '\0'; ++p)
      if (*p >= '0' && *p <= '9') digits += *p;
    exponent = std::atoi(p + 1);
    std::string candidate = digits.substr(0, 1);
    if (digits.size() > 1) candidate += "." + digits.substr(1);
    candidate += "e" + std::to_string(exponent);
    std::optional<double> back = ReadDouble(candidate);
    if (back && *back == std::fabs(d)) break;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (d < 0) out += '-';
  const int n = static_cast<int>(digits.size());
  if (exponent >= -15 && exponent < 15) {
    int point = exponent + 1;  // digits before the decimal point
    if (point <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-point), '0');
      out += digits;
    } else if (point >= n) {
      out += digits;
      out.append(static_cast<size_t>(point - n), '0');
    } else {
      out += digits.substr(0, static_cast<size_t>(point));
      out += '.';
      out += digits.substr(static_cast<size_t>(point));
    }
    return;
  }
  out += digits[0];
  if (n > 1) {
    out += '.';
    out += digits.substr(1);
  }
  out += exponent < 0 ? "e-" : "e+";
  out += std::to_string(std::abs(exponent));
}

}  // namespace q11::json
