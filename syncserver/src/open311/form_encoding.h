// application/x-www-form-urlencoded, as in a URL's query string and the body of an Open311
// POST: "a=1&b=x+y&c=%C3%A1". Decoding is strict, since the bytes are hostile: a broken
// %-escape, a name given twice, a NUL or text that is not UTF-8 is an error naming it,
// never a guess.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace q11::server {

// Names to values. kInvalidArgument names what is wrong (in English and Vietnamese).
Result<std::map<std::string, std::string>> DecodeForm(std::string_view text);

}  // namespace q11::server
