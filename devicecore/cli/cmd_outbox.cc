// q11 outbox [settled|discard SEQ]: what waits for the server, and what it refused,
// parked or merged with a message.
#include <iostream>

#include "cli.h"
#include "devicecore/json.h"

namespace q11::cli {

int RunOutbox(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto entries = db->Outbox();
  if (!entries.ok()) return ctx.Fail(entries.status());
  if (ctx.args().Has("json")) {
    std::cout << device::OutboxToJson(*entries) << "\n";
    return kExitOk;
  }
  auto settled = db->SettledChanges();
  if (!settled.ok()) return ctx.Fail(settled.status());
  std::cout << entries->size() << " thay đổi trong hàng đợi / changes in the outbox\n";
  for (const device::OutboxEntry& e : *entries) {
    std::cout << "  #" << e.seq << "  " << e.state << "  " << ctx.Time(e.created_at) << "  "
              << e.bytes << " bytes ";
    for (size_t i = 0; i < e.tables.size(); ++i) std::cout << (i ? "," : "") << e.tables[i];
    std::cout << "\n";
  }
  if (!settled->empty()) {
    std::cout << settled->size()
              << " thay đổi bị từ chối, chờ xử lý hoặc đã gộp / changes rejected, parked or merged "
                 "by the server:\n";
    for (const device::SettledChange& s : *settled)
      std::cout << "  #" << s.seq << "  " << s.verdict << "  " << ctx.Time(s.settled_at) << "  "
                << OneLine(s.message, 300) << "\n";
  }
  return kExitOk;
}

int RunOutboxSettled(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto settled = db->SettledChanges();
  if (!settled.ok()) return ctx.Fail(settled.status());
  if (ctx.args().Has("json")) {
    std::cout << device::SettledToJson(*settled) << "\n";
    return kExitOk;
  }
  if (settled->empty()) std::cout << "Không có / none\n";
  for (const device::SettledChange& s : *settled) {
    std::cout << "#" << s.seq << "  " << s.verdict << "  " << ctx.Time(s.settled_at) << "  "
              << s.message;
    if (!s.report_ids.empty()) {
      std::cout << "  (";
      for (size_t i = 0; i < s.report_ids.size(); ++i)
        std::cout << (i ? ", " : "") << s.report_ids[i];
      std::cout << ")";
    }
    std::cout << "\n";
  }
  return kExitOk;
}

int RunOutboxDiscard(Context& ctx) {
  const std::string& arg = ctx.args().positionals()[0];
  std::optional<int64_t> seq = WholeNumber(arg, INT64_MIN, INT64_MAX);
  if (!seq) return ctx.Usage("SEQ must be a number");
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  Status s = db->DiscardSettled(*seq);
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã bỏ / discarded #" << *seq << "\n";
  return kExitOk;
}

}  // namespace q11::cli
