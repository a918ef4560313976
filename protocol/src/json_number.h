// Doubles to and from text for the JSON parser and writer, independent of the C locale's
// decimal separator and of std::to_chars/from_chars for floating point (which the
// WebAssembly toolchain's C++ library lacks).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace q11::json {

// Appends the shortest text that reads back as `d`: plain decimals when the decimal
// exponent is in [-15, 15), else "1.5e+20" style; "null" when `d` is not finite.
void AppendDouble(double d, std::string& out);

// `text` (JSON number syntax, already checked) as a double; nullopt when out of range.
std::optional<double> ReadDouble(std::string_view text);

}  // namespace q11::json
