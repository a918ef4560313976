#include "http/route_label.h"

#include <array>

namespace q11::server {
namespace {

// Exact paths first, then patterns whose variable part is one path segment ({x}) or the
// rest of the path ({file}).
constexpr std::array<std::string_view, 44> kLabels = {
    "/",
    "/home.css",
    "/healthz",
    "/readyz",
    "/metrics",
    "/v1/login",
    "/v1/register",
    "/v1/refresh",
    "/v1/logout",
    "/v1/sync",
    "/v1/changes/wait",
    "/v1/public/reports",
    "/v1/admin/conflicts",
    "/v1/admin/conflicts/{id}",
    "/v1/admin/conflicts/{id}/resolve",
    "/v1/admin/users/{name}/contact",
    "/v1/photos/{sha256}",
    "/v1/photos/{sha256}/status",
    "/v1/monitor/units",
    "/v1/monitor/units.csv",
    "/v1/monitor/cases.csv",
    "/v1/monitor/units/{id}/overdue",
    "/v1/monitor/cases/{id}",
    "/tra-cuu",
    "/receipt",
    "/tra-cuu.css",
    "/public/receipts/{code}",
    "/app",
    "/app/{file}",
    "/admin",
    "/admin/{file}",
    "/monitor",
    "/monitor/{file}",
    "/open311",
    "/open311/v2/discovery.{format}",
    "/open311/v2/services.{format}",
    "/open311/v2/services/{code}.{format}",
    "/open311/v2/requests.{format}",
    "/open311/v2/requests/{id}.{format}",
    "/open311/v2/tokens/{token}.{format}",
    "/open311/v2/servicerequestupdates.{format}",
    "/open311/v2/{other}",
    "/v1/monitor/{other}",
    "other",
};

constexpr size_t Find(std::string_view label) {
  for (size_t i = 0; i < kLabels.size(); ++i)
    if (kLabels[i] == label) return i;
  return kLabels.size();  // not reached: every caller names a label of the list
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
// One non-empty path segment.
bool Segment(std::string_view s) { return !s.empty() && s.find('/') == std::string_view::npos; }

size_t Open311(std::string_view rest) {
  // rest: after "/open311/v2/"; "NAME.FORMAT" or "NAME/ARG.FORMAT".
  const size_t dot = rest.rfind('.');
  if (dot == std::string_view::npos) return Find("/open311/v2/{other}");
  std::string_view stem = rest.substr(0, dot);
  const size_t slash = stem.find('/');
  std::string_view head = stem.substr(0, slash);
  const bool arg = slash != std::string_view::npos;
  if (arg && !Segment(stem.substr(slash + 1))) return Find("/open311/v2/{other}");
  if (!arg && head == "discovery") return Find("/open311/v2/discovery.{format}");
  if (!arg && head == "services") return Find("/open311/v2/services.{format}");
  if (arg && head == "services") return Find("/open311/v2/services/{code}.{format}");
  if (!arg && head == "requests") return Find("/open311/v2/requests.{format}");
  if (arg && head == "requests") return Find("/open311/v2/requests/{id}.{format}");
  if (arg && head == "tokens") return Find("/open311/v2/tokens/{token}.{format}");
  if (!arg && head == "servicerequestupdates")
    return Find("/open311/v2/servicerequestupdates.{format}");
  return Find("/open311/v2/{other}");
}

}  // namespace

std::string_view RouteLabelAt(size_t index) {
  return index < kLabels.size() ? kLabels[index] : kLabels.back();
}
size_t RouteLabelCount() { return kLabels.size(); }

size_t RouteIndex(std::string_view path) {
  // The fixed paths: the first 13 labels and the few others without a variable part.
  for (size_t i = 0; i < kLabels.size(); ++i)
    if (kLabels[i] == path && kLabels[i].find('{') == std::string_view::npos &&
        kLabels[i] != "other")
      return i;
  constexpr std::string_view kConflicts = "/v1/admin/conflicts/";
  if (StartsWith(path, kConflicts)) {
    std::string_view rest = path.substr(kConflicts.size());
    if (Segment(rest)) return Find("/v1/admin/conflicts/{id}");
    if (EndsWith(rest, "/resolve") && Segment(rest.substr(0, rest.size() - 8)))
      return Find("/v1/admin/conflicts/{id}/resolve");
    return Find("other");
  }
  constexpr std::string_view kUsers = "/v1/admin/users/";
  if (StartsWith(path, kUsers) && EndsWith(path, "/contact") &&
      Segment(path.substr(kUsers.size(), path.size() - kUsers.size() - 8)))
    return Find("/v1/admin/users/{name}/contact");
  constexpr std::string_view kPhotos = "/v1/photos/";
  if (StartsWith(path, kPhotos)) {
    std::string_view rest = path.substr(kPhotos.size());
    if (Segment(rest)) return Find("/v1/photos/{sha256}");
    if (EndsWith(rest, "/status") && Segment(rest.substr(0, rest.size() - 7)))
      return Find("/v1/photos/{sha256}/status");
    return Find("other");
  }
  constexpr std::string_view kMonitor = "/v1/monitor/";
  if (StartsWith(path, kMonitor)) {
    std::string_view rest = path.substr(kMonitor.size());
    if (StartsWith(rest, "units/") && EndsWith(rest, "/overdue") &&
        Segment(rest.substr(6, rest.size() - 6 - 8)))
      return Find("/v1/monitor/units/{id}/overdue");
    if (StartsWith(rest, "cases/") && Segment(rest.substr(6)))
      return Find("/v1/monitor/cases/{id}");
    return Find("/v1/monitor/{other}");
  }
  if (StartsWith(path, "/public/receipts/") && Segment(path.substr(17)))
    return Find("/public/receipts/{code}");
  if (StartsWith(path, "/app/")) return Find("/app/{file}");
  if (StartsWith(path, "/admin/")) return Find("/admin/{file}");
  if (StartsWith(path, "/monitor/")) return Find("/monitor/{file}");
  if (StartsWith(path, "/open311/v2/")) return Open311(path.substr(12));
  return Find("other");
}

}  // namespace q11::server
