#include "http/refusal_tally.h"

#include "audit/security_audit.h"
#include "protocol/ids.h"

namespace q11::server {

RefusalTally::RefusalTally(SecurityAudit& audit, std::function<int64_t()> clock_ms,
                           std::chrono::milliseconds interval)
    : audit_(audit), clock_ms_(std::move(clock_ms)), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

void RefusalTally::Count(std::string_view address, std::string_view reason,
                         std::string_view sample) {
  const int64_t now = clock_ms_();
  std::lock_guard<std::mutex> lock(mu_);
  std::pair<std::string, std::string> key{std::string(address), std::string(reason)};
  auto it = window_.find(key);
  if (it == window_.end()) {
    if (window_.size() >= kMaxKeys) key.first = "*";  // many addresses: one row for the rest
    it = window_.try_emplace(std::move(key)).first;
  }
  Counter& c = it->second;
  if (c.count++ == 0) {
    c.first_ms = now;
    c.sample = std::string(sample.substr(0, 200));
  }
  c.last_ms = now;
}

Status RefusalTally::Flush() {
  std::map<std::pair<std::string, std::string>, Counter> window;
  {
    std::lock_guard<std::mutex> lock(mu_);
    window.swap(window_);
  }
  if (window.empty()) return Status::Ok();
  std::vector<SecurityAudit::Entry> rows;
  rows.reserve(window.size());
  for (const auto& [key, c] : window)
    rows.push_back({"-", "http.refused", "address/" + key.first,
                    AuditDetails({{"reason", key.second},
                                  {"count", std::to_string(c.count)},
                                  {"from", FormatUtc(c.first_ms)},
                                  {"to", FormatUtc(c.last_ms)},
                                  {"sample", c.sample}})});
  return audit_.RecordAll(rows);
}

void RefusalTally::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)Flush();
}

void RefusalTally::Run() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    (void)Flush();
    lock.lock();
  }
}

}  // namespace q11::server
