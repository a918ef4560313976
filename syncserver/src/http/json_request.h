// Small JSON request bodies of string fields ({"name","password"}, {"refresh_token"}, ...):
// parsed strictly, so a handler sees only what it asked for, as strings.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace q11::server {

// The fields of a JSON object body. kInvalidArgument (both languages) when the body is not
// a JSON object, a `required` field is missing, or a present field of `required` or
// `optional` is not a string. Fields not listed are ignored.
Result<std::map<std::string, std::string>> ParseStringFields(
    const std::string& body, std::initializer_list<std::string_view> required,
    std::initializer_list<std::string_view> optional = {});

}  // namespace q11::server
