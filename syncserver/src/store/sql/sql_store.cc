// The Store over SqlConn, for both engines: one write connection behind a mutex (a
// database has one writer at a time anyway: SQLite's lock, PostgreSQL's write lock,
// pg_conn.h; queuing in-process is cheaper than waiting there), pushes committed in
// groups (group_commit.h), and a pool of read connections for pulls and account lookups.
#include <chrono>
#include <filesystem>
#include <mutex>

#include "conflicts/conflict_resolver.h"
#include "log/logger.h"
#include "protocol/ids.h"
#include "store/sql/api_key_rows.h"
#include "store/sql/contact_rows.h"
#include "store/sql/group_commit.h"
#include "store/sql/open311_queries.h"
#include "store/sql/reader_pool.h"
#include "store/sql/sql_store.h"
#include "sync/access_scope.h"
#include "sync/changelog/scope_sums.h"
#include "sync/push/push_applier.h"
#include "sync/reference_data.h"
#include "sync/table_shapes.h"
#include "syncserver/store.h"
#include "units/reference_set.h"
#include "units/unit_changes.h"

namespace q11::server {
namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Columns as selected by ReaderPool's account statements.
StoredAccount AccountFromRow(const SqlStmt& st) {
  StoredAccount s;
  s.account.id = st.Text(0);
  s.account.name = st.Text(1);
  s.account.role = ParseRole(st.Text(2)).value_or(Role::kCitizen);
  s.account.unit = st.Text(3);
  s.account.reporter_ref = st.Text(4);
  s.account.created_at = st.Text(5);
  s.account.disabled = st.Int(6) != 0;
  s.pw_hash = st.Blob(7);
  s.salt = st.Blob(8);
  s.iterations = static_cast<int>(st.Int(9));
  return s;
}

Result<std::optional<StoredAccount>> QueryOneAccount(SqlStmt& st, std::string_view key) {
  st.Bind(1, key);
  Result<bool> row = st.Step();
  if (!row.ok()) return row.status();
  std::optional<StoredAccount> out;
  if (*row) out = AccountFromRow(st);
  st.Reset();
  return out;
}

class SqlStore final : public ServerStore {
 public:
  SqlStore(SqlStoreParts parts, StoreOptions options)
      : options_(std::move(options)),
        shapes_(std::move(parts.shapes)),
        readers_(std::move(parts.open_reader), shapes_),
        writer_(std::move(parts.writer)),
        upkeep_(std::move(parts.upkeep)),
        wal_file_(std::move(parts.wal_file)) {}

  Status Open() {
    if (!options_.clock) options_.clock = SystemNowMs;
    SqlConn& writer = *writer_;
    // Before anything writes: a database older than scope checksums gets them computed
    // from its rows once (schema version 10), which later writes then keep up to date.
    Q11_RETURN_IF_ERROR(EnsureScopeSums(writer, shapes_, [](int64_t done, int64_t total) {
      if (total < 10000) return;  // over in a moment
      log::Info("computing scope checksums: " + std::to_string(done) + " of " +
                    std::to_string(total) + " rows / đang tính tổng kiểm tra",
                {{"done", done}, {"total", total}});
    }));
    if (!options_.reference.empty()) Q11_RETURN_IF_ERROR(PublishReference(writer));
    Result<ReferenceData> refs = ReferenceData::Load(writer);
    if (!refs.ok()) return refs.status();
    refs_ = std::move(*refs);
    Result<std::unique_ptr<PushApplier>> push = PushApplier::Create(writer, shapes_, refs_);
    if (!push.ok()) return push.status();
    push_ = std::move(*push);
    Result<std::unique_ptr<GroupCommit>> group =
        GroupCommit::Create(writer, write_mu_, 64, options_.on_group_commit);
    if (!group.ok()) return group.status();
    group_ = std::move(*group);
    Result<std::unique_ptr<ConflictResolver>> resolver =
        ConflictResolver::Create(writer, shapes_, refs_);
    if (!resolver.ok()) return resolver.status();
    resolver_ = std::move(*resolver);
    struct {
      SqlStmt* target;
      const char* sql;
    } statements[] = {
        {&insert_account_,
         "INSERT INTO users (id, name, pw_hash, salt, iterations, role, unit_id, reporter_ref, "
         "created_at, disabled) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
        {&bind_device_,
         "INSERT INTO devices (device_id, user_id, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3) "
         "ON CONFLICT (device_id) DO NOTHING"},
        {&device_owner_, "SELECT user_id FROM devices WHERE device_id = ?1"},
    };
    for (auto& s : statements) {
      Result<SqlStmt> st = writer.Prepare(s.sql);
      if (!st.ok()) return st.status();
      *s.target = std::move(*st);
    }
    return Status::Ok();
  }

  // Makes the reference set of options_.reference the server's (unit_changes.h).
  Status PublishReference(SqlConn& writer) {
    Result<ReferenceSet> set = LoadReferenceSet(options_.reference);
    if (!set.ok()) return set.status();
    Result<SqlTransaction> txn = SqlTransaction::Write(writer);
    if (!txn.ok()) return txn.status();
    Result<std::unique_ptr<UnitChanges>> units = UnitChanges::Create(writer, shapes_);
    if (!units.ok()) return units.status();
    PublishOutcome out;
    Q11_RETURN_IF_ERROR((*units)->Publish(*set, options_.clock(), &out));
    return txn->Commit();
  }

  Status AddAccount(const StoredAccount& s) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    const Account& a = s.account;
    insert_account_.Bind(1, a.id).Bind(2, a.name);
    insert_account_.BindBlob(3, s.pw_hash).BindBlob(4, s.salt).Bind(5, s.iterations);
    insert_account_.Bind(6, RoleName(a.role));
    if (a.unit.empty())
      insert_account_.BindNull(7);
    else
      insert_account_.Bind(7, a.unit);
    insert_account_.Bind(8, a.reporter_ref).Bind(9, a.created_at).Bind(10, a.disabled ? 1 : 0);
    Status st = insert_account_.Run();
    if (st.code() == StatusCode::kAlreadyExists)
      return AlreadyExists("an account named '" + a.name +
                           "' already exists / tên đăng nhập đã tồn tại");
    return st;
  }

  Result<std::optional<StoredAccount>> FindAccountByName(std::string_view name) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return QueryOneAccount((*r)->account_by_name, name);
  }

  Result<std::optional<Account>> FindAccountById(std::string_view id) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    Result<std::optional<StoredAccount>> s = QueryOneAccount((*r)->account_by_id, id);
    if (!s.ok()) return s.status();
    if (!s->has_value()) return std::optional<Account>();
    return std::optional<Account>(std::move((*s)->account));
  }

  Result<std::vector<PhotoHolder>> FindPhotoHolders(std::string_view sha256) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    SqlStmt& st = (*r)->photo_holders;
    st.Bind(1, sha256);
    std::vector<PhotoHolder> out;
    for (;;) {
      Result<bool> row = st.Step();
      if (!row.ok()) {
        st.Reset();
        return row.status();
      }
      if (!*row) break;
      PhotoHolder h;
      h.photo_id = st.Text(0);
      h.report_id = st.Text(1);
      h.role = st.Text(2);
      h.mime = st.Text(3);
      h.bytes = st.Int(4);
      h.ward_id = st.Text(5);
      h.assigned_unit = st.Text(6);
      h.reporter_ref = st.Text(7);
      out.push_back(std::move(h));
    }
    st.Reset();
    return out;
  }

  Result<std::vector<Account>> ListAccounts() override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    SqlStmt& st = (*r)->list_accounts;
    std::vector<Account> out;
    for (;;) {
      Result<bool> row = st.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(AccountFromRow(st).account);
    }
    st.Reset();
    return out;
  }

  Result<bool> UnitExists(std::string_view unit) override { return refs_.UnitExists(unit); }
  Result<std::optional<std::string>> RetiredInto(std::string_view unit) override {
    if (!refs_.IsRetired(unit)) return std::optional<std::string>();
    return std::optional<std::string>(std::string(refs_.Successor(unit)));
  }

  Status BindDevice(std::string_view device_id, const Account& account) override {
    // Almost every sync comes from a device already bound: answer from a read connection
    // and take the write lock only the first time a device is seen.
    {
      Result<ReaderPool::Lease> r = readers_.Acquire();
      if (!r.ok()) return r.status();
      Result<std::optional<std::string>> owner = DeviceOwner((*r)->device_owner, device_id);
      if (!owner.ok()) return owner.status();
      if (owner->has_value()) return CheckOwner(**owner, account);
    }
    // Durable on return; committed together with whatever else is being written.
    return group_->Run([&]() -> Status {
      bind_device_.Bind(1, device_id).Bind(2, account.id).Bind(3, FormatUtc(options_.clock()));
      Q11_RETURN_IF_ERROR(bind_device_.Run());
      Result<std::optional<std::string>> owner = DeviceOwner(device_owner_, device_id);
      if (!owner.ok()) return owner.status();
      if (!owner->has_value()) return Internal("device binding was not stored");
      return CheckOwner(**owner, account);
    });
  }

  Result<std::optional<std::string>> FindDeviceOwner(std::string_view device_id) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return DeviceOwner((*r)->device_owner, device_id);
  }

  Result<std::vector<wire::EntryVerdict>> Push(const Account& account, std::string_view device_id,
                                               const std::vector<wire::PushEntry>& entries,
                                               std::optional<uint64_t> device_cursor) override {
    if (entries.empty()) return std::vector<wire::EntryVerdict>();
    Result<std::vector<wire::EntryVerdict>> verdicts = std::vector<wire::EntryVerdict>();
    PushApplier::LateRefusals late;
    for (;;) {
      const size_t known = late.size();
      Status applied = group_->Run([&]() -> Status {
        verdicts = push_->Apply(account, device_id, entries, options_.clock(), late, device_cursor);
        return verdicts.status();
      });
      if (!applied.ok()) verdicts = applied;
      // A late refusal: the group took this push back; it goes again without that entry.
      if (applied.ok() || late.size() == known) break;
    }
    if (!verdicts.ok() && IsStorageFull(verdicts.status()))
      return Unavailable(
          "the server's storage is full: nothing was applied; the changes stay on the device "
          "and go at a later sync / Máy chủ hết dung lượng lưu trữ: chưa áp dụng thay đổi nào, "
          "dữ liệu vẫn giữ trên máy và sẽ gửi ở lần đồng bộ sau");
    if (verdicts.ok() && options_.on_commit &&
        std::any_of(verdicts->begin(), verdicts->end(),
                    [](const wire::EntryVerdict& v) { return v.server_seq > 0; }))
      options_.on_commit();
    return verdicts;
  }

  Result<StoreFigures> ReadStoreFigures(int64_t now_ms) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    SqlConn& db = *(*r)->db;
    const bool pg = db.dialect() == SqlDialect::kPostgres;
    // Open statuses as protocol/workflow.h's IsOpen; the current deadline as the
    // dashboard's (monitor/unit_report.cc). Times are ISO-8601 UTC text: compared as text.
    const std::string sql = std::string("SELECT ") +
                            (pg ? "pg_database_size(current_database())"
                                : "(SELECT page_count FROM pragma_page_count()) * "
                                  "(SELECT page_size FROM pragma_page_size())") +
                            ", (SELECT count(*) FROM conflicts WHERE state = 'open'), "
                            "(SELECT count(*) FROM reports WHERE status IN "
                            "('new', 'accepted', 'assigned', 'in_progress', 'reopened') "
                            "AND coalesce(expected_at, due_at) < CAST(?1 AS TEXT))";
    Result<SqlStmt> st = db.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(1, FormatUtc(now_ms));
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Internal("no row from the store's figures");
    StoreFigures f;
    f.database_bytes = st->Int(0);
    f.open_conflicts = st->Int(1);
    f.overdue_cases = st->Int(2);
    st->Reset();
    if (!wal_file_.empty()) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(wal_file_, ec);
      f.wal_bytes = ec ? 0 : static_cast<int64_t>(size);  // none yet: 0 bytes
    }
    return f;
  }

  Status InsertApiKey(std::string_view name, std::string_view key_hash,
                      std::string_view created_at) override {
    return Write([&](SqlConn& db) { return InsertApiKeyRow(db, name, key_hash, created_at); });
  }

  Result<std::vector<ApiKeyInfo>> ListApiKeys() override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return ReadApiKeys(*(*r)->db);
  }

  Result<ApiKeyRevocation> RevokeApiKey(std::string_view name,
                                        std::string_view revoked_at) override {
    ApiKeyRevocation out;
    Status s = Write([&](SqlConn& db) -> Status {
      Result<ApiKeyRevocation> r = RevokeApiKeyRow(db, name, revoked_at);
      if (!r.ok()) return r.status();
      out = std::move(*r);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::optional<std::string>> FindLiveApiKey(std::string_view key_hash) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return FindLiveApiKeyRow(*(*r)->db, key_hash);
  }

  Result<std::vector<Open311Service>> Open311Services() override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return Open311Queries(*(*r)->db).Services();
  }

  Result<std::vector<Open311Ward>> Open311Wards() override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return Open311Queries(*(*r)->db).Wards();
  }

  Result<std::vector<Open311Request>> Open311Requests(const Open311RequestFilter& filter) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return Open311Queries(*(*r)->db).Requests(filter);
  }

  Result<std::vector<Open311Update>> Open311Updates(const Open311UpdateFilter& filter) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return Open311Queries(*(*r)->db).Updates(filter);
  }

  Result<std::optional<std::string>> Open311ReportIdByReceipt(std::string_view code) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return Open311Queries(*(*r)->db).ReportIdByReceipt(code);
  }

  Result<std::optional<std::pair<std::string, std::string>>> Open311Stamps(
      std::string_view id) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return Open311Queries(*(*r)->db).Stamps(id);
  }

  Status PutSealedContact(std::string_view user_id, std::string_view sealed,
                          std::string_view updated_at) override {
    return Write([&](SqlConn& db) { return PutContactRow(db, user_id, sealed, updated_at); });
  }

  Result<std::optional<std::string>> FindSealedContact(std::string_view user_id) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return FindContactRow(*(*r)->db, user_id);
  }

  Status DeleteContact(std::string_view user_id) override {
    return Write([&](SqlConn& db) { return DeleteContactRow(db, user_id); });
  }

  Status Write(const DbJob& job) override {
    Status s = group_->Run([&] { return job(*writer_); });
    if (IsStorageFull(s))
      return Unavailable(
          "the server's storage is full: nothing was saved; try again later / Máy chủ hết dung "
          "lượng lưu trữ: chưa lưu được gì, vui lòng thử lại sau");
    return s;
  }

  Result<int64_t> CompactChangeLog(int64_t limit) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    return push_->CompactLog(limit);
  }

  Result<std::string> Epoch() override {
    // Read once: it changes only by `syncserver restore`, which no running server sees.
    std::lock_guard<std::mutex> lock(epoch_mu_);
    if (!epoch_.empty()) return epoch_;
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    Result<std::optional<std::string>> epoch =
        (*r)->db->QueryText("SELECT epoch FROM server_epoch WHERE id = 1");
    if (!epoch.ok()) return epoch.status();
    if (!epoch->has_value() || (*epoch)->empty())
      return Internal("the database has no epoch (server_epoch)");
    epoch_ = **epoch;
    return epoch_;
  }

  Result<bool> HasChanges(const Account& account, uint64_t cursor,
                          std::string_view device_id) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    return (*r)->pull->HasChanges(ReadAudiences(account), cursor, device_id);
  }

  Result<PullPage> Pull(const Account& account, uint64_t cursor, uint32_t max_rows,
                        std::string_view device_id, std::string_view scope_only) override {
    uint32_t limit =
        max_rows == 0 ? options_.default_pull_rows : std::min(max_rows, options_.max_pull_rows);
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    std::vector<std::string> audiences = ReadAudiences(account);
    if (!scope_only.empty()) {
      if (std::find(audiences.begin(), audiences.end(), scope_only) == audiences.end())
        return PermissionDenied(NotYourScope(scope_only));
      audiences.assign(1, std::string(scope_only));
    }
    return (*r)->pull->Build(audiences, cursor, limit, device_id,
                             /*with_builtin_reference=*/scope_only == kReferenceAudience);
  }

  Result<std::optional<PublicCase>> FindByReceipt(std::string_view code) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    Result<ReceiptQueries*> q = Receipts(**r);
    if (!q.ok()) return q.status();
    return (*q)->Find(code);
  }

  Result<std::vector<PublicCase>> ListPublicCases(std::string_view ward, int limit,
                                                  int offset) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    Result<ReceiptQueries*> q = Receipts(**r);
    if (!q.ok()) return q.status();
    return (*q)->ListWard(ward, limit, offset);
  }

  Result<MonitorFacts> ReadMonitorFacts(std::string_view from_utc,
                                        std::string_view to_utc) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    Result<MonitorQueries*> q = Monitor(**r);
    if (!q.ok()) return q.status();
    return (*q)->Read(from_utc, to_utc);
  }

  Result<std::optional<CaseHistory>> ReadCaseHistory(std::string_view report_id) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    Result<MonitorQueries*> q = Monitor(**r);
    if (!q.ok()) return q.status();
    return (*q)->History(report_id);
  }

  // The conflicts with what an admin needs around them (conflict_context.h), read in one
  // transaction so the case and the people match the conflicts.
  Result<std::vector<ConflictSummary>> ListConflicts(const ConflictFilter& filter) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    Result<ConflictQueries*> q = Queries(**r);
    if (!q.ok()) return q.status();
    Result<ConflictContext*> context = Context(**r);
    if (!context.ok()) return context.status();
    Result<SqlTransaction> tx = SqlTransaction::Read(*(*r)->db);
    if (!tx.ok()) return tx.status();
    Result<std::vector<ConflictSummary>> list = (*q)->List(filter, options_.clock());
    if (!list.ok()) return list.status();
    Q11_RETURN_IF_ERROR((*context)->Describe(&*list));
    Q11_RETURN_IF_ERROR(tx->Commit());
    return list;
  }

  Result<ConflictDetail> GetConflict(std::string_view id) override {
    Result<ReaderPool::Lease> r = readers_.Acquire();
    if (!r.ok()) return r.status();
    Result<ConflictQueries*> q = Queries(**r);
    if (!q.ok()) return q.status();
    Result<ConflictContext*> context = Context(**r);
    if (!context.ok()) return context.status();
    Result<SqlTransaction> tx = SqlTransaction::Read(*(*r)->db);
    if (!tx.ok()) return tx.status();
    Result<ConflictDetail> detail = (*q)->Get(id);
    if (!detail.ok()) return detail.status();
    Q11_RETURN_IF_ERROR((*context)->Describe(&*detail));
    Q11_RETURN_IF_ERROR(tx->Commit());
    return detail;
  }

  Result<ResolvedConflict> ResolveConflict(std::string_view id, const ConflictDecision& decision,
                                           std::string_view actor) override {
    Result<ResolvedConflict> resolved = [&] {
      std::lock_guard<std::mutex> lock(write_mu_);
      return resolver_->Resolve(id, decision, actor, options_.clock());
    }();
    if (resolved.ok() && options_.on_commit) options_.on_commit();
    return resolved;
  }

 private:
  static Result<ReceiptQueries*> Receipts(Reader& reader) {
    if (!reader.receipts) {
      Result<std::unique_ptr<ReceiptQueries>> q = ReceiptQueries::Create(*reader.db);
      if (!q.ok()) return q.status();
      reader.receipts = std::move(*q);
    }
    return reader.receipts.get();
  }

  static Result<MonitorQueries*> Monitor(Reader& reader) {
    if (!reader.monitor) {
      Result<std::unique_ptr<MonitorQueries>> q = MonitorQueries::Create(*reader.db);
      if (!q.ok()) return q.status();
      reader.monitor = std::move(*q);
    }
    return reader.monitor.get();
  }

  static Result<ConflictQueries*> Queries(Reader& reader) {
    if (!reader.conflicts) {
      Result<std::unique_ptr<ConflictQueries>> q = ConflictQueries::Create(*reader.db);
      if (!q.ok()) return q.status();
      reader.conflicts = std::move(*q);
    }
    return reader.conflicts.get();
  }

  static Result<ConflictContext*> Context(Reader& reader) {
    if (!reader.conflict_context) {
      Result<std::unique_ptr<ConflictContext>> c = ConflictContext::Create(*reader.db);
      if (!c.ok()) return c.status();
      reader.conflict_context = std::move(*c);
    }
    return reader.conflict_context.get();
  }

  static Result<std::optional<std::string>> DeviceOwner(SqlStmt& st, std::string_view device_id) {
    st.Bind(1, device_id);
    Result<bool> row = st.Step();
    if (!row.ok()) return row.status();
    std::optional<std::string> out;
    if (*row) out = st.Text(0);
    st.Reset();
    return out;
  }

  static Status CheckOwner(const std::string& owner, const Account& account) {
    if (owner == account.id) return Status::Ok();
    return PermissionDenied(
        "this device id is bound to another account / thiết bị này đã gắn với tài khoản khác");
  }

  StoreOptions options_;
  TableShapes shapes_;
  ReferenceData refs_;
  ReaderPool readers_;
  std::mutex write_mu_;
  std::mutex epoch_mu_;
  std::string epoch_;  // guarded by epoch_mu_; empty until first read
  std::unique_ptr<SqlConn> writer_;
  std::shared_ptr<void> upkeep_;  // declared after writer_: stops first
  std::unique_ptr<PushApplier> push_;
  std::unique_ptr<GroupCommit> group_;  // pushes and device bindings, committed together
  std::unique_ptr<ConflictResolver> resolver_;
  SqlStmt insert_account_, bind_device_, device_owner_;
  const std::string wal_file_;  // SqlStoreParts::wal_file
};

}  // namespace

Result<std::unique_ptr<ServerStore>> OpenSqlStore(SqlStoreParts parts, StoreOptions options) {
  auto store = std::make_unique<SqlStore>(std::move(parts), std::move(options));
  Q11_RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<ServerStore>(std::move(store));
}

}  // namespace q11::server
