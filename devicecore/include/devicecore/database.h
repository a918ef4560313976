// devicecore: the embedded database of a Quận 11 phone (or the q11 command line).
//
// It owns the local SQLite file: the synced tables (same DDL as the server), the Quận 11
// reference data (so a new device can file a report before it ever synced), and the outbox.
// Every local write runs in one transaction that also appends that transaction's changeset,
// captured with the SQLite session extension, to the outbox: a crash leaves both or
// neither. Sync (sync.h) pushes the outbox and applies what the server sends.
//
// Thread safety: a Database is used by one thread at a time. Several processes may open
// the same file; SQLite's locking serialises their writes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devicecore/env.h"
#include "protocol/result.h"

namespace q11 {
class FileSync;  // filesync/file_sync.h
}

namespace q11::device {

struct Options {
  Env* env = nullptr;  // nullptr: DefaultEnv(). Must outlive the Database.
  // Makes photo files durable before a row names them (photo_folder.h). nullptr: the real
  // fsync. Tests pass one that simulates a power cut; it must outlive the Database.
  FileSync* file_sync = nullptr;
};

struct Unit {
  std::string id, parent_id, kind, name_vi, name_en;
};

struct Category {
  std::string id, name_vi, name_en, default_unit;
  int deadline_hours = 0;  // legacy calendar hours
  // The handling deadline in working time (docs/workflow.md).
  std::string level;  // urgent | normal | complex
  int deadline_amount = 0;
  std::string deadline_unit;  // working_hours | working_days
};

// A canned reply officials pick for a status (docs/workflow.md, "Response templates").
struct ResponseTemplate {
  std::string id, status, title_vi, body_vi;
};

struct NewReport {
  std::string kind = "phan_anh";  // phan_anh | gop_y
  std::string category_id;
  std::string ward_id;
  std::string title;
  std::string description;
  std::optional<double> lat, lon;
  std::optional<std::string> address;
  // Imports and benchmarks only: use this id (a UUID) and creation time (ISO-8601 UTC)
  // instead of making them. Leave empty in apps.
  std::optional<std::string> id;
  std::optional<std::string> created_at;
};

struct CaseEvent {
  std::string id, report_id, kind, status, note, unit_id, author_ref, author_role, created_at;
  int stars = 0;  // 1-5 for kind rating, else 0
};

// A change the server did not simply apply: refused (rejected), kept for an admin
// (parked), or applied with a column settled by the server's declared rules (merged, with
// the server's message). Kept, with the reason, until the user discards it. Never silently
// dropped.
struct SettledChange {
  int64_t seq = 0;
  std::string verdict;  // rejected | parked | merged
  std::string message;
  std::string settled_at;
  std::vector<std::string> report_ids;  // the reports the change touched
};

// Where a report stands with the server, worst first: a change of it was rejected, a
// change is parked for an admin, changes wait to be sent, or nothing is outstanding.
// The numbers are those of the C API's Q11_SYNC_STATE_* constants.
enum class SyncState { kSynced = 0, kPending = 1, kParked = 2, kRejected = 3 };
const char* SyncStateName(SyncState state);  // "synced" | "pending" | "parked" | "rejected"

// The outstanding local changes of one report.
struct ReportSync {
  int pending = 0;  // outbox entries touching it that the server has not answered yet
  std::vector<SettledChange> parked, rejected;
  std::vector<SettledChange> merged_notes;  // merged with a message: informational
  SyncState state = SyncState::kSynced;
};

struct Report {
  std::string id, kind, category_id, ward_id, title, description;
  std::optional<double> lat, lon;
  std::optional<std::string> address;
  std::string status;
  std::optional<std::string> assigned_unit, due_at, reporter_ref;
  std::string created_at, updated_at;
  // The case life (docs/workflow.md). created_at is when the citizen saw the problem (the
  // device clock); received_at when the server received it (the deadline clock starts).
  std::optional<std::string> receipt_code, received_at, expected_at, resolved_at, duplicate_of;
  // Open and past its current deadline (expected_at, else due_at) by this device's clock.
  bool overdue = false;
  std::vector<CaseEvent> events;  // filled by GetReport, oldest first
  // Local changes touching this report that the server has not yet settled (= sync.pending).
  int pending_changes = 0;
  SyncState sync_state = SyncState::kSynced;  // filled by ListReports and GetReport
  ReportSync sync;                            // filled by GetReport only
};

// Which reports FindReports returns: every condition given must hold (empty = any).
struct ReportFilter {
  std::string status;       // exactly this status (new, accepted, ...)
  std::string ward_id;      // filed in this ward
  std::string category_id;  // of this category (lĩnh vực)
  bool overdue = false;     // only overdue ones (Report::overdue)
  // Text in the title, description or receipt code, ignoring case (ASCII letters only:
  // "ngập" finds "Ngập" but not "NGẬP") and, for codes, dashes and spaces too.
  std::string search;
  // By current deadline (expected_at when announced, else due_at), soonest first, those
  // without one last (newest first); or newest first, as ListReports.
  enum class Order { kByDeadline, kNewestFirst } order = Order::kByDeadline;
};

struct OutboxEntry {
  int64_t seq = 0;
  std::string state;  // pending | acked (applied on the server, waiting for the pull)
  std::string created_at;
  int64_t bytes = 0;
  std::vector<std::string> tables;  // tables the changeset touches
};

// Who is logged in on this device (after q11 login or q11 register). Never the password.
struct Account {
  std::string server_url, token, user_id, name, role, unit, reporter_ref;
  // The PEM of the private certificate authority the server's certificate was checked
  // against at login (TransportOptions::ca_pem), kept for every later connection; empty:
  // the system's CA store.
  std::string server_ca_pem;
  // The rotating refresh token and when the tokens expire (device clock, Unix ms; 0 when
  // the server did not say). Sync refreshes the access token before it runs out.
  std::string refresh_token;
  int64_t token_expires_at_ms = 0, refresh_expires_at_ms = 0;
  // The user's own contact details as given at registration: shown to this user only, never
  // synced (the server keeps its copy encrypted). Empty when not given.
  std::string contact_phone, contact_email;
};

class Database {
 public:
  // Opens or creates the database at `path`, migrates its schema and loads the reference
  // data on first creation. Errors: kUnavailable (cannot open/lock), kDataLoss (not a
  // Quận 11 device database), kFailedPrecondition (made by a newer version).
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const Options& options = {});
  virtual ~Database() = default;

  virtual std::string DeviceId() const = 0;

  // Local writes: each is one captured transaction (one outbox entry).
  // Files a report; works offline and before any login. Returns the new UUIDv7 id.
  virtual Result<std::string> FileReport(const NewReport& report) = 0;
  // Sets a report's status and appends a status event with the note (officials).
  // kInvalidArgument: an unknown status, or rejected/resolved/reopened without a note (the
  // reason or the result text, docs/workflow.md).
  virtual Status SetStatus(const std::string& report_id, const std::string& status,
                           const std::string& note) = 0;
  // SetStatus on several reports as ONE captured transaction (one outbox entry): all or none.
  virtual Status SetStatusMany(const std::vector<std::string>& report_ids,
                               const std::string& status, const std::string& note) = 0;
  // Appends a comment event. Returns the event id.
  virtual Result<std::string> AddComment(const std::string& report_id, const std::string& note) = 0;
  // Assigns a report to a unit and appends an assignment event with the note (officials).
  // kInvalidArgument: no such unit in the reference data; kPermissionDenied: a citizen.
  virtual Status AssignUnit(const std::string& report_id, const std::string& unit_id,
                            const std::string& note) = 0;
  // Sets a report's deadline and appends a comment event "Hạn xử lý mới: <due>" (+ the
  // note), officials. `due` is what a person typed (protocol/vietnam_time.h: ISO-8601 with
  // any offset, or a date = 17:00 that day in Vietnam); it is stored in UTC as FormatUtc
  // makes it. kInvalidArgument: malformed, or not after this device's clock. There is no
  // event kind for deadlines and the server accepts only status|comment|assignment|result.
  virtual Status SetDeadline(const std::string& report_id, const std::string& due_iso,
                             const std::string& note) = 0;
  // An official's progress note with a new expected completion date (typed as for
  // SetDeadline; in the future by this device's clock): sets the report's expected_at and
  // appends a progress event. This is what an overdue case needs before its status may
  // change again (docs/workflow.md).
  virtual Status PostProgress(const std::string& report_id, const std::string& note,
                              const std::string& expected_iso) = 0;
  // Marks a report as a duplicate of `original_id` (status duplicate, with the note).
  virtual Status MarkDuplicate(const std::string& report_id, const std::string& original_id,
                               const std::string& note) = 0;
  // The citizen rates the result of their own resolved (or closed) report: 1-5 stars and
  // an optional comment. kFailedPrecondition before a result; kInvalidArgument for stars.
  virtual Status RateResult(const std::string& report_id, int stars,
                            const std::string& comment) = 0;
  // The citizen, unsatisfied with the result, reopens their own resolved (or closed) report
  // within the reopen period (workflow::kReopenPeriodDays after resolved_at), with a reason.
  virtual Status ReopenReport(const std::string& report_id, const std::string& reason) = 0;
  // A citizen withdraws (deletes) their own report while it is still `new`.
  // kFailedPrecondition: already being handled; kPermissionDenied: not theirs / not a citizen.
  virtual Status WithdrawReport(const std::string& report_id) = 0;
  // A citizen edits the title and/or description of their own report while it is `new`.
  // The server has the final word (it may reject it; the rejection is kept and shown).
  virtual Status EditReport(const std::string& report_id, const std::optional<std::string>& title,
                            const std::optional<std::string>& description) = 0;
  // Runs raw SQL through the captured write path (a test tool that plays a modified client).
  virtual Status ExecCaptured(const std::string& sql) = 0;

  // Reads.
  virtual Result<std::vector<Report>> ListReports() = 0;        // newest first, no events
  virtual Result<Report> GetReport(const std::string& id) = 0;  // with events and sync
  // The reports matching `filter` (no events), in the filter's order.
  virtual Result<std::vector<Report>> FindReports(const ReportFilter& filter) = 0;
  // The id of the report a person named: its id (returned as given, even when this device
  // does not hold it: later calls say so), or its receipt code in any spelling
  // receipt::Normalize forgives ("q11-7kxm-42pa", "7KXM42PA"), or the start of a code of 4
  // or more characters when only one report's code starts so ("7KXM"). kNotFound: no
  // report on this device has that code; kFailedPrecondition: several do (they are named).
  virtual Result<std::string> ResolveReportId(const std::string& id_or_code) = 0;
  // The outstanding local changes of one report. Works also for a report the device no
  // longer holds (e.g. its filing was rejected) while changes of it are kept; kNotFound
  // when neither the report nor any change of it is on the device.
  virtual Result<ReportSync> GetReportSync(const std::string& id) = 0;
  virtual Result<std::vector<Unit>> ListUnits() = 0;
  virtual Result<std::vector<Category>> ListCategories() = 0;
  // Response templates, for one status or (empty) all, by status then id.
  virtual Result<std::vector<ResponseTemplate>> ListTemplates(const std::string& status) = 0;
  virtual Result<std::vector<OutboxEntry>> Outbox() = 0;
  virtual Result<int64_t> PendingCount() = 0;  // outbox entries not yet sent and acknowledged
  virtual Result<int64_t> OutboxCount() = 0;   // all outbox entries (pending and acked)
  virtual Result<std::vector<SettledChange>> SettledChanges() = 0;
  virtual Status DiscardSettled(int64_t seq) = 0;

  virtual Result<Account> GetAccount() = 0;  // kNotFound when nobody logged in
  virtual Status SaveAccount(const Account& account) = 0;
  virtual Result<uint64_t> Cursor() = 0;
  // Forgets the account's tokens (access and refresh); local data and the outbox stay.
  // Telling the server first is device::Logout (account.h).
  virtual Status Logout() = 0;
};

}  // namespace q11::device
