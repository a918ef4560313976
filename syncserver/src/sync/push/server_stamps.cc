#include "sync/push/server_stamps.h"

#include <set>
#include <utility>

#include "protocol/ids.h"
#include "protocol/receipt_code.h"

namespace q11::server {
namespace {

// The receipt code a new report keeps: the device's when canonical and free, else a new
// one. `taken_here` holds the codes given to other reports of the same changeset.
Result<std::string> ChooseReceipt(const Value& proposed, std::string_view report_id,
                                  const StampContext& ctx, std::set<std::string>* taken_here) {
  std::string code(proposed.text());
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (receipt::IsCanonical(code) && !taken_here->count(code)) {
      Result<bool> taken = ctx.receipt_taken(code, report_id);
      if (!taken.ok()) return taken.status();
      if (!*taken) {
        taken_here->insert(code);
        return code;
      }
    }
    code = ctx.new_receipt();
  }
  // 20 collisions in a space of 5e11 codes means the random source is broken.
  return Internal("could not find a free receipt code");
}

// Sets an inserted row's column to the server's value, remembering what the device sent
// when that differs (RowChange::sent).
void StampInsert(RowChange& row, int col, Value value) {
  if (!SameValue(row.new_values[col], value))
    row.sent.emplace_back(col, std::exchange(row.new_values[col], std::move(value)));
}

}  // namespace

Status StampServerColumns(DecodedChangeset* cs, const StampContext& ctx) {
  const Account& account = *ctx.account;
  const std::string author_ref = account.role == Role::kCitizen ? account.reporter_ref : account.id;
  const Value role = Value::Text(RoleName(account.role));
  const Value now = Value::Text(FormatUtc(ctx.now_ms));
  std::set<std::string> receipts_here;
  for (TableChanges& t : cs->tables) {
    const TableShape* shape = ctx.shapes->Find(t.table);
    if (shape == nullptr) continue;  // cannot happen after validation
    if (t.table == "reports") {
      const int id = shape->Index("id"), category = shape->Index("category_id"),
                due = shape->Index("due_at"), ref = shape->Index("reporter_ref"),
                received = shape->Index("received_at"), receipt = shape->Index("receipt_code"),
                resolved = shape->Index("resolved_at"), status = shape->Index("status");
      for (RowChange& row : t.rows) {
        if (row.op == SQLITE_UPDATE) {
          // An assignment to a unit retired since the device last synced goes to its
          // successor (docs/units.md); the device pulls the corrected row.
          const int unit = shape->Index("assigned_unit");
          if (row.new_values[unit].is_text() && ctx.refs->IsRetired(row.new_values[unit].text())) {
            row.new_values[unit] = Value::Text(ctx.refs->Successor(row.new_values[unit].text()));
            row.server_stamped = true;
          }
          if (row.new_values[status].text() != "resolved") continue;
          Result<std::optional<ReportFacts>> facts = ctx.find_report(row.old_values[id].text());
          if (!facts.ok()) return facts.status();
          const std::string stored = facts->has_value() ? (*facts)->resolved_at : "";
          row.old_values[resolved] = stored.empty() ? Value::Null() : Value::Text(stored);
          row.new_values[resolved] = now;
          row.server_stamped = true;  // the device's copy lacks resolved_at: not an echo
          continue;
        }
        if (row.op != SQLITE_INSERT) continue;
        int64_t due_ms =
            ctx.refs->DeadlineAt(row.new_values[category].text(), ctx.now_ms).value_or(ctx.now_ms);
        StampInsert(row, due, Value::Text(FormatUtc(due_ms)));
        StampInsert(row, ref, Value::Text(account.reporter_ref));
        StampInsert(row, received, now);
        StampInsert(row, resolved, Value::Null());
        const int ward = shape->Index("ward_id");
        if (ctx.refs->IsRetired(row.new_values[ward].text()))
          StampInsert(row, ward, Value::Text(ctx.refs->Successor(row.new_values[ward].text())));
        Result<std::string> code =
            ChooseReceipt(row.new_values[receipt], row.new_values[id].text(), ctx, &receipts_here);
        if (!code.ok()) return code.status();
        StampInsert(row, receipt, Value::Text(*code));
        row.server_stamped = true;
      }
    } else if (t.table == "case_events" || t.table == "photos") {
      const int ref = shape->Index("author_ref"), role_col = shape->Index("author_role");
      for (RowChange& row : t.rows) {
        if (row.op != SQLITE_INSERT) continue;
        StampInsert(row, ref, Value::Text(author_ref));
        StampInsert(row, role_col, role);
        if (t.table == "case_events") {
          const int unit = shape->Index("unit_id");
          if (row.new_values[unit].is_text() && ctx.refs->IsRetired(row.new_values[unit].text()))
            StampInsert(row, unit, Value::Text(ctx.refs->Successor(row.new_values[unit].text())));
        }
        row.server_stamped = true;
      }
    }
  }
  return Status::Ok();
}

bool IsTimeStamped(std::string_view table, std::string_view column) {
  return table == "reports" &&
         (column == "due_at" || column == "received_at" || column == "receipt_code");
}

}  // namespace q11::server
