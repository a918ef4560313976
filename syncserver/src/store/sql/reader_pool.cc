#include "store/sql/reader_pool.h"

namespace q11::server {

ReaderPool::~ReaderPool() = default;

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Reader> r = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(r));
    }
  }
  Result<std::unique_ptr<Reader>> r = OpenReader();
  if (!r.ok()) return r.status();
  return Lease(this, std::move(*r));
}

void ReaderPool::Return(std::unique_ptr<Reader> r) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(r));
}

Result<std::unique_ptr<Reader>> ReaderPool::OpenReader() {
  auto r = std::make_unique<Reader>();
  Result<std::unique_ptr<SqlConn>> db = open_();
  if (!db.ok()) return db.status();
  r->db = std::move(*db);
  static constexpr const char* kAccountColumns =
      "SELECT id, name, role, coalesce(unit_id, ''), reporter_ref, created_at, disabled, pw_hash, "
      "salt, iterations "
      "FROM users ";
  struct {
    SqlStmt* target;
    std::string sql;
  } statements[] = {
      {&r->account_by_id, std::string(kAccountColumns) + "WHERE id = ?1"},
      {&r->account_by_name, std::string(kAccountColumns) + "WHERE name = ?1"},
      {&r->list_accounts, std::string(kAccountColumns) + "ORDER BY name"},
      {&r->device_owner, "SELECT user_id FROM devices WHERE device_id = ?1"},
      {&r->photo_holders,
       "SELECT p.id, p.report_id, p.role, p.mime, p.bytes, r.ward_id, "
       "coalesce(r.assigned_unit, ''), coalesce(r.reporter_ref, '') "
       "FROM photos p JOIN reports r ON r.id = p.report_id WHERE p.sha256 = ?1 LIMIT 64"},
  };
  for (auto& s : statements) {
    Result<SqlStmt> st = r->db->Prepare(s.sql);
    if (!st.ok()) return st.status();
    *s.target = std::move(*st);
  }
  Result<std::unique_ptr<PullBuilder>> pull = PullBuilder::Create(*r->db, shapes_);
  if (!pull.ok()) return pull.status();
  r->pull = std::move(*pull);
  return r;
}

}  // namespace q11::server
