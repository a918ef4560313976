#include "http/metrics_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/IPAddress.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "http/client_address.h"
#include "http/http_errors.h"
#include "http/route_label.h"
#include "metrics/exposition.h"
#include "metrics/server_metrics.h"
#include "photos/photo_store.h"
#include "protocol/sync_messages.h"
#include "store/store_figures.h"
#include "sync/change_notifier.h"

namespace q11::server {
namespace {

bool IsLoopback(const std::string& address) {
  Poco::Net::IPAddress ip;
  if (!Poco::Net::IPAddress::tryParse(address, ip)) return false;
  return ip.isLoopback();  // 127.0.0.0/8, ::1 (client_address.h unmaps ::ffff:127.x)
}

// Compares in time that does not depend on where the texts differ.
bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long long pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return resident * ::sysconf(_SC_PAGESIZE);
}

void Render(const HandlerContext& ctx, metrics::Exposition& out) {
  const metrics::ServerMetrics& m = *ctx.metrics;
  out.Family("q11_http_requests_total", "counter",
             "HTTP requests answered, by route pattern and status code.");
  for (const metrics::RequestCounts::Row& row : m.requests.Read())
    out.Sample("q11_http_requests_total",
               {{"route", RouteLabelAt(row.route)}, {"status", std::to_string(row.status)}},
               row.count);

  out.Family("q11_sync_duration_seconds", "histogram",
             "Time to answer a successful POST /v1/sync (push, commit and pull), seconds.");
  out.HistogramSamples("q11_sync_duration_seconds", {}, m.sync_micros);

  out.Family("q11_push_entries_total", "counter",
             "Pushed outbox entries, by the server's verdict.");
  for (wire::Verdict v : {wire::Verdict::kApplied, wire::Verdict::kMerged, wire::Verdict::kParked,
                          wire::Verdict::kRejected, wire::Verdict::kRetry})
    out.Sample("q11_push_entries_total", {{"verdict", wire::VerdictName(v)}},
               m.push_entries[static_cast<size_t>(v)].value());

  out.Family("q11_pull_rows_total", "counter", "Rows sent to devices in pull changesets.");
  out.Sample("q11_pull_rows_total", {}, m.pull_rows.value());
  out.Family("q11_pull_bytes_total", "counter",
             "Bytes of pull changesets sent to devices (before compression).");
  out.Sample("q11_pull_bytes_total", {}, m.pull_bytes.value());

  out.Family("q11_sync_drift_total", "counter",
             "Scopes whose checksum a device found different from its copy, by the scope's kind "
             "and whether its repair converged (reported by devices, counted only).");
  for (size_t i = 0; i < m.kDriftScopes.size(); ++i)
    for (int repaired : {1, 0})
      out.Sample("q11_sync_drift_total",
                 {{"scope", m.kDriftScopes[i]}, {"outcome", repaired ? "repaired" : "unrepaired"}},
                 m.drift[i][repaired].value());
  out.Family("q11_sync_drift_rows_total", "counter",
             "Rows devices found missing, extra or changed in their copy of a scope (reported).");
  for (size_t i = 0; i < m.kDriftScopes.size(); ++i)
    out.Sample("q11_sync_drift_rows_total", {{"scope", m.kDriftScopes[i]}},
               m.drift_rows[i].value());

  out.Family("q11_group_commit_writes", "histogram",
             "Writes (pushes, device bindings, logins' tokens...) made durable by one commit.");
  out.HistogramSamples("q11_group_commit_writes", {}, m.group_commit_writes);

  const int64_t now_ms = ctx.clock_ms();
  Result<StoreFigures> figures = ctx.figures != nullptr
                                     ? ctx.figures->ReadStoreFigures(now_ms)
                                     : Result<StoreFigures>(Unavailable("no store figures"));
  out.Family("q11_store_up", "gauge",
             "1 when the store's figures below could be read at this scrape, else 0.");
  out.Sample("q11_store_up", {}, static_cast<int64_t>(figures.ok() ? 1 : 0));
  if (figures.ok()) {
    out.Family("q11_database_bytes", "gauge",
               "Size of the database: SQLite's pages, or PostgreSQL's pg_database_size.");
    out.Sample("q11_database_bytes", {}, figures->database_bytes);
    if (figures->wal_bytes >= 0) {
      out.Family("q11_wal_bytes", "gauge", "Size of SQLite's write-ahead log file (DB-wal).");
      out.Sample("q11_wal_bytes", {}, figures->wal_bytes);
    }
    out.Family("q11_open_conflicts", "gauge", "Parked conflicts waiting for an administrator.");
    out.Sample("q11_open_conflicts", {}, figures->open_conflicts);
    out.Family("q11_overdue_cases", "gauge", "Open cases past their current deadline.");
    out.Sample("q11_overdue_cases", {}, figures->overdue_cases);
  }

  out.Family("q11_waiting_watchers", "gauge",
             "Devices waiting for changes (POST /v1/changes/wait) that sleep until a commit.");
  out.Sample("q11_waiting_watchers", {},
             static_cast<int64_t>(ctx.changes != nullptr ? ctx.changes->sleeping() : 0));

  if (ctx.photos != nullptr) {
    const int64_t wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
    out.Family("q11_photo_bytes", "gauge",
               "Bytes of photo files on disk (cleaned photos, thumbnails, uploads in progress); "
               "read at most once a minute.");
    out.Sample("q11_photo_bytes", {},
               ctx.metrics->photo_bytes.Get(wall_ms, [&] { return ctx.photos->BytesOnDisk(); }));
  }

  out.Family("q11_process_resident_memory_bytes", "gauge",
             "Resident memory of the server process.");
  out.Sample("q11_process_resident_memory_bytes", {}, ResidentBytes());
  out.Family("q11_process_start_time_seconds", "gauge",
             "When the server started, seconds since the Unix epoch.");
  out.Sample("q11_process_start_time_seconds", {}, static_cast<double>(m.start_unix_ms) / 1000.0);
  out.Family("q11_build_info", "gauge", "Always 1; the server's version as a label.");
  out.Sample("q11_build_info", {{"version", Q11_SERVER_VERSION}}, static_cast<int64_t>(1));
}

}  // namespace

void MetricsHandler::Handle(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  const std::string authorization = request.get("Authorization", "");
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.empty()) {
    // A token that is sent is checked, from loopback too: a scraper set up wrongly hears so.
    const bool ok =
        !ctx.metrics_token.empty() && authorization.compare(0, kBearer.size(), kBearer) == 0 &&
        SameSecret(std::string_view(authorization).substr(kBearer.size()), ctx.metrics_token);
    if (!ok) {
      response.set("WWW-Authenticate", "Bearer");
      return SendJsonError(response, 401, "unauthenticated",
                           ctx.metrics_token.empty()
                               ? "/metrics takes no token here (serve has no --metrics-token): "
                                 "read it from the server's own machine"
                               : "wrong metrics token",
                           "mã truy cập /metrics không đúng");
    }
  } else if (!IsLoopback(ClientAddress(ctx, request))) {
    return SendJsonError(response, 403, "permission_denied",
                         "/metrics is served to loopback clients only, or with "
                         "Authorization: Bearer and the token of serve --metrics-token",
                         "/metrics chỉ dành cho máy chủ này hoặc người có mã truy cập");
  }
  if (ctx.metrics == nullptr)
    return SendJsonError(response, 503, "unavailable", "metrics are not kept here",
                         "không có số liệu");
  metrics::Exposition out;
  Render(ctx, out);
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType(std::string(metrics::kContentType));
  response.set("Cache-Control", "no-store");
  response.sendBuffer(out.text().data(), out.text().size());
}

}  // namespace q11::server
