// The Database implementation: composes the schema, the captured write path, the outbox,
// the queries and device_meta over one SQLite connection. The sync code reaches the parts
// it needs through the accessors; nothing else outside devicecore sees this class.
#pragma once

#include <memory>
#include <string>

#include "device_meta.h"
#include "devicecore/database.h"
#include "local_writer.h"
#include "outbox.h"
#include "q11sqlite/sqlite.h"
#include "report_queries.h"
#include "report_writes.h"
#include "statement_cache.h"

namespace q11::device {

class DatabaseImpl final : public Database {
 public:
  DatabaseImpl(sql::Db db, Env* env, FileSync* file_sync, std::string device_id);

  // The implementation behind a Database made by Database::Open, or nullptr.
  static DatabaseImpl* From(Database& db) { return dynamic_cast<DatabaseImpl*>(&db); }

  std::string DeviceId() const override { return device_id_; }
  Result<std::string> FileReport(const NewReport& report) override;
  Status SetStatus(const std::string& report_id, const std::string& status,
                   const std::string& note) override;
  Status SetStatusMany(const std::vector<std::string>& report_ids, const std::string& status,
                       const std::string& note) override;
  Result<std::string> AddComment(const std::string& report_id, const std::string& note) override;
  Status AssignUnit(const std::string& report_id, const std::string& unit_id,
                    const std::string& note) override;
  Status SetDeadline(const std::string& report_id, const std::string& due_iso,
                     const std::string& note) override;
  Status WithdrawReport(const std::string& report_id) override;
  Status PostProgress(const std::string& report_id, const std::string& note,
                      const std::string& expected_iso) override;
  Status MarkDuplicate(const std::string& report_id, const std::string& original_id,
                       const std::string& note) override;
  Status RateResult(const std::string& report_id, int stars, const std::string& comment) override;
  Status ReopenReport(const std::string& report_id, const std::string& reason) override;
  Status EditReport(const std::string& report_id, const std::optional<std::string>& title,
                    const std::optional<std::string>& description) override;
  Status ExecCaptured(const std::string& sql) override;

  Result<std::vector<Report>> ListReports() override;
  Result<Report> GetReport(const std::string& id) override;
  Result<std::vector<Report>> FindReports(const ReportFilter& filter) override;
  Result<std::string> ResolveReportId(const std::string& id_or_code) override;
  Result<ReportSync> GetReportSync(const std::string& id) override;
  Result<std::vector<Unit>> ListUnits() override { return queries_.Units(); }
  Result<std::vector<Category>> ListCategories() override { return queries_.Categories(); }
  Result<std::vector<ResponseTemplate>> ListTemplates(const std::string& status) override {
    return queries_.Templates(status);
  }
  Result<std::vector<OutboxEntry>> Outbox() override { return outbox_.List(); }
  Result<int64_t> PendingCount() override { return outbox_.CountPending(); }
  Result<int64_t> OutboxCount() override { return outbox_.CountAll(); }
  Result<std::vector<SettledChange>> SettledChanges() override { return outbox_.ListSettled(); }
  Status DiscardSettled(int64_t seq) override { return outbox_.DiscardSettled(seq); }

  Result<Account> GetAccount() override { return meta_.GetAccount(); }
  Status SaveAccount(const Account& account) override;
  Result<uint64_t> Cursor() override { return meta_.Cursor(); }
  Status Logout() override;

  // Another user logs in on this device: forget the previous user's replica (rows, cursor,
  // settled changes) and take a new device id, which the server binds to the new account.
  // kFailedPrecondition when the previous user still has changes in the outbox.
  Status ResetForNewUser();

  sql::Db& db() { return db_; }
  Env& env() { return *env_; }
  FileSync& file_sync() { return *file_sync_; }
  class Outbox& outbox() {
    return outbox_;
  }
  DeviceMeta& meta() { return meta_; }
  StatementCache& cache() { return cache_; }
  // Runs `write` as one captured local transaction (local_writer.h); the new outbox seq.
  Result<int64_t> Captured(const std::function<Status()>& write) { return writer_.Run(write); }

 private:
  Env* env_;
  FileSync* file_sync_;
  sql::Db db_;
  StatementCache cache_{&db_};  // declared after db_: statements finalize before close
  DeviceMeta meta_{&cache_};
  class Outbox outbox_ {
    &cache_
  };
  LocalWriter writer_{&db_, &outbox_, env_, [this](const std::string& event_id) {
                        return queries_.ReportOfEvent(event_id);
                      }};
  ReportWrites writes_{&cache_, env_};
  ReportQueries queries_{&cache_};
  std::string device_id_;
};

}  // namespace q11::device
