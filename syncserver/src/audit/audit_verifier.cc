#include "audit/audit_verifier.h"

#include <vector>

#include "audit/audit_chain.h"

namespace q11::server {

Result<AuditVerdict> VerifyAuditTrail(DbWriter& writer,
                                      const std::optional<AuditHead>& earlier_head,
                                      int64_t page_size) {
  audit_chain::Checker checker;
  AuditVerdict out;
  int64_t after = 0;
  for (;;) {
    std::vector<audit_chain::Record> page;
    Status s = writer.Write([&](SqlConn& db) -> Status {
      page.clear();  // a job may run twice (db_writer.h)
      Result<SqlStmt> st = db.Prepare(
          "SELECT id, at, actor, action, subject, details, content_hash, chain_hash, pruned "
          "FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2");
      if (!st.ok()) return st.status();
      st->Bind(1, after).Bind(2, page_size);
      for (;;) {
        Result<bool> row = st->Step();
        if (!row.ok()) return row.status();
        if (!*row) return Status::Ok();
        audit_chain::Record r;
        r.id = st->Int(0);
        r.at = st->Text(1);
        r.actor = st->Text(2);
        r.action = st->Text(3);
        r.subject = st->Text(4);
        r.details = st->Text(5);
        r.content_hash = st->Text(6);
        r.chain_hash = st->Text(7);
        r.pruned = st->Int(8) != 0;
        page.push_back(std::move(r));
      }
    });
    if (!s.ok()) return s;
    for (const audit_chain::Record& r : page) {
      if (std::optional<std::string> broken = checker.Next(r)) {
        out.broken = std::move(broken);
        break;
      }
      if (earlier_head && r.id == earlier_head->id && r.chain_hash != earlier_head->hash) {
        out.broken = "record " + std::to_string(r.id) +
                     ": its hash is not the one recorded earlier (the trail was rewritten)";
        break;
      }
    }
    if (out.broken || static_cast<int64_t>(page.size()) < page_size) break;
    after = page.back().id;
  }
  if (!out.broken && earlier_head && checker.head_id() < earlier_head->id)
    out.broken = "record " + std::to_string(earlier_head->id) +
                 " is missing: the trail ends at record " + std::to_string(checker.head_id()) +
                 " (records were cut off its end)";
  out.checked = checker.checked();
  out.before_chain = checker.before_chain();
  out.pruned = checker.pruned();
  out.head_id = checker.head_id();
  out.head_hash = checker.checked() > 0 ? checker.head_hash() : "";
  return out;
}

}  // namespace q11::server
