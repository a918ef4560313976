// The reference sets compiled into the server (samples/<name>/*.sql, read at build time), so
// `serve --reference=hcmc-2025` works wherever the binary is installed. An operator's own
// set is a folder (reference_set.h).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace q11::server {

// The default of `serve --reference`: the structure in force (docs/units.md).
inline constexpr std::string_view kDefaultReferenceSet = "hcmc-2025";

// The SQL of built-in set `name` (its files in name order, joined); nullopt when unknown.
std::optional<std::string_view> BuiltinReferenceSql(std::string_view name);
// The built-in sets' names.
std::vector<std::string_view> BuiltinReferenceSets();

}  // namespace q11::server
