// The route pattern a request path belongs to, as /metrics counts requests and the JSON
// log names them: "/v1/photos/{sha256}/status", "/public/receipts/{code}", never the raw
// path with its ids (which would make one series per photo, and put receipt codes and
// account names in logs). The patterns are a fixed list of string literals, so the label
// set is bounded whatever clients send; a path no route serves is "other".
//
// Kept beside the router (request_router.cc and the feature folders' Route* functions):
// a new endpoint adds its pattern here (route_label_test checks the known ones).
#pragma once

#include <cstddef>
#include <string_view>

namespace q11::server {

// Every label RouteIndex can return, "other" last.
std::string_view RouteLabelAt(size_t index);
size_t RouteLabelCount();

// The index of `path`'s pattern (the query string already cut off).
size_t RouteIndex(std::string_view path);
inline std::string_view RouteLabel(std::string_view path) { return RouteLabelAt(RouteIndex(path)); }

}  // namespace q11::server
