// The server's storage interfaces: accounts, device binding, push and pull, public and
// monitoring reads, photos' owners, conflicts — one interface per concern, and `Store`,
// all of them.
//
// Everything the HTTP layer and the command line need from the database goes through
// these (and the narrow ones of src/store/), so the storage engine can change without
// touching them. The embedded default is SQLite in WAL mode (OpenSqliteStore); with
// `--database=postgresql://...` the same store runs on PostgreSQL (docs/postgres.md).
// Expected failures are Status values; nothing here throws.
//
// Thread safety: a Store is safe to use from many threads at once. Pushes are serialised
// (a single writer; concurrent ones commit together); pulls and account lookups run concurrently on
// pooled read connections.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "protocol/sync_messages.h"
#include "syncserver/account.h"
#include "syncserver/conflict.h"
#include "syncserver/monitor_facts.h"

namespace q11::server {

// One page of a device's pull.
struct PullPage {
  std::string changeset;  // a real SQLite changeset; empty when no rows
  uint32_t rows = 0;      // rows in changeset
  uint64_t cursor = 0;    // the cursor the device sends next time
  bool has_more = false;  // more rows wait after `cursor`
  // When the page is complete (!has_more): per audience the pull read, its rows' count and
  // checksum in the page's snapshot (docs/protocol.md, section 21).
  std::vector<wire::SyncResponse::ScopeCheck> scope_sums;
};

// What anyone holding a report's receipt code may see (docs/protocol.md, "Public receipt
// lookup"): where the case stands, never who filed it — no reporter reference, contact,
// title, description, address or location, and only the staff's notes. Names are the
// reference data's (Vietnamese, English); empty text stands for NULL.
struct PublicCase {
  std::string receipt_code, status;
  std::string category_id, category_vi, category_en;
  std::string ward_id, ward_vi, ward_en;
  std::string unit_id, unit_vi, unit_en;  // the assigned unit
  std::string created_at, received_at, due_at, expected_at, resolved_at, updated_at;
  std::string duplicate_of;  // the receipt code of the report this one duplicates
  struct Step {
    std::string at, kind, status, note;
  };
  std::vector<Step> history;  // staff's status, assignment, progress and result events
};

// A photo row with the facts of its report that decide who may see it (photos by hash).
struct PhotoHolder {
  std::string photo_id, report_id, role, mime;
  int64_t bytes = 0;
  std::string ward_id, assigned_unit, reporter_ref;  // of the report; "" when NULL
};

// The store, cut by concern: each consumer takes the interface it uses (accounts for
// login and sign-up, sync for the exchange and the long poll, monitoring reads for the
// dashboard...). `Store` is all of them; an engine implements it once
// (store/sql/sql_store.cc, over SQLite or PostgreSQL).

// Accounts (auth/, the command line).
class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // kAlreadyExists when the name or reporter_ref is taken.
  virtual Status AddAccount(const StoredAccount& account) = 0;
  // nullopt when no such account (disabled accounts are returned; callers refuse them).
  virtual Result<std::optional<StoredAccount>> FindAccountByName(std::string_view name) = 0;
  virtual Result<std::optional<Account>> FindAccountById(std::string_view id) = 0;
  virtual Result<std::vector<Account>> ListAccounts() = 0;
  // True when `unit` is a units.id.
  virtual Result<bool> UnitExists(std::string_view unit) = 0;
  // When `unit` was retired (docs/units.md): the unit that took it over, or "" when none
  // did. nullopt while it is in service.
  virtual Result<std::optional<std::string>> RetiredInto(std::string_view unit) = 0;
};

// Devices, push, pull and the change log (sync/).
class SyncStore {
 public:
  virtual ~SyncStore() = default;
  // Binds `device_id` to the account the first time it is seen. kPermissionDenied when the
  // device is already bound to another account.
  virtual Status BindDevice(std::string_view device_id, const Account& account) = 0;
  // The id of the account `device_id` is bound to, or nullopt for a device never seen.
  virtual Result<std::optional<std::string>> FindDeviceOwner(std::string_view device_id) = 0;

  // Validates and applies the entries in one durable transaction (which concurrent pushes
  // may share: each is all or nothing on its own); one verdict per entry,
  // in order. An entry already recorded for (device_id, local_seq) gets its recorded
  // verdict and is not applied again. Errors (kUnavailable, kInternal) mean nothing was
  // applied. `device_cursor`: the pull cursor the device sent with this push, when it
  // pulls in the same exchange; rows it updated on top of a version it had seen are then
  // not sent back to it (echo suppression, docs/architecture.md).
  // REQUIRES: BindDevice(device_id, account) succeeded.
  virtual Result<std::vector<wire::EntryVerdict>> Push(
      const Account& account, std::string_view device_id,
      const std::vector<wire::PushEntry>& entries,
      std::optional<uint64_t> device_cursor = std::nullopt) = 0;

  // The rows changed after `cursor` that the account may see, oldest first, at most
  // `max_rows` (0: the default page size; capped). With `device_id`, rows whose latest
  // version is that device's own echo-suppressed write are left out.
  // With `scope_only` (one of ReadAudiences(account), which the caller checked), the pull
  // reads that audience alone (a scope repair).
  virtual Result<PullPage> Pull(const Account& account, uint64_t cursor, uint32_t max_rows,
                                std::string_view device_id = {},
                                std::string_view scope_only = {}) = 0;

  // True when Pull(account, cursor, _, device_id) would return anything.
  virtual Result<bool> HasChanges(const Account& account, uint64_t cursor,
                                  std::string_view device_id) = 0;

  // Drops up to `limit` change-log entries that later changes of their rows superseded
  // (pulls already skip them); returns how many. Runs under the single writer.
  virtual Result<int64_t> CompactChangeLog(int64_t limit) = 0;

  // The server's epoch (docs/backup.md): made with the database, replaced when it is
  // restored from a backup; every sync answer carries it.
  virtual Result<std::string> Epoch() = 0;
};

// What anyone may see of a case (public/).
class PublicReads {
 public:
  virtual ~PublicReads() = default;
  // A ward's reports as the public sees them (PublicCase, receipt codes left empty), most
  // recently updated first.
  virtual Result<std::vector<PublicCase>> ListPublicCases(std::string_view ward, int limit,
                                                          int offset) = 0;
  // The public view of the report holding canonical receipt code `code`; nullopt when none.
  virtual Result<std::optional<PublicCase>> FindByReceipt(std::string_view code) = 0;
};

// Which photo rows a content address belongs to (photos/).
class PhotoIndex {
 public:
  virtual ~PhotoIndex() = default;
  // The photo rows (of live reports) whose content address is `sha256`, at most 64.
  virtual Result<std::vector<PhotoHolder>> FindPhotoHolders(std::string_view sha256) = 0;
};

// The leaders' figures (monitor/).
class MonitorReads {
 public:
  virtual ~MonitorReads() = default;
  // Monitoring (docs/monitoring.md): the facts of every report received in
  // [from_utc, to_utc) or resolved in it (ISO-8601 UTC bounds), and of every report open
  // now, with the units, categories and holidays. Read on one connection, so consistent.
  virtual Result<MonitorFacts> ReadMonitorFacts(std::string_view from_utc,
                                                std::string_view to_utc) = 0;
  // One report's facts and every event; nullopt for an unknown id.
  virtual Result<std::optional<CaseHistory>> ReadCaseHistory(std::string_view report_id) = 0;
};

// Parked conflicts (conflicts/, syncserver/conflict.h, docs/conflicts.md).
class ConflictStore {
 public:
  virtual ~ConflictStore() = default;
  // Newest first.
  virtual Result<std::vector<ConflictSummary>> ListConflicts(const ConflictFilter& filter) = 0;
  // kNotFound for an unknown id.
  virtual Result<ConflictDetail> GetConflict(std::string_view id) = 0;
  // Applies an admin's decision as a new server change (every device pulls it), marks the
  // conflict resolved and audits it, in one transaction under the single writer. `actor`
  // names who decided. Errors: kNotFound (no such conflict), kAlreadyExists (resolved
  // before), kAborted (the row changed since the conflict was parked), kInvalidArgument
  // (a column not in the conflict, a value the column may not hold).
  virtual Result<ResolvedConflict> ResolveConflict(std::string_view id,
                                                   const ConflictDecision& decision,
                                                   std::string_view actor) = 0;
};

class Store : public AccountStore,
              public SyncStore,
              public PublicReads,
              public PhotoIndex,
              public MonitorReads,
              public ConflictStore {};

struct StoreOptions {
  // Unix milliseconds; tests substitute a fixed clock.
  std::function<int64_t()> clock;
  // Called after every commit that changed synced rows (a push, a conflict resolution),
  // outside the store's locks: wakes devices waiting for changes. May be empty.
  std::function<void()> on_commit;
  // Called after each group commit (store/sql/group_commit.h) with the number of writes
  // it made durable, on the writer thread: must be cheap (/metrics). May be empty.
  std::function<void(size_t writes)> on_group_commit;
  uint32_t default_pull_rows = 5000;
  uint32_t max_pull_rows = 20000;
  // 0: no cap. Otherwise the database may not grow past this many bytes: a write that
  // would is refused as if the disk were full (kUnavailable, nothing applied), which keeps
  // room on a disk the server shares. A database already larger stays as it is.
  int64_t max_db_bytes = 0;
  // A reference set (a folder or a built-in name, docs/units.md) made the server's units,
  // categories, holidays and templates when the store opens, and published to devices
  // through the change log. Empty: the database keeps what it has (commands, tests).
  std::string reference;
};

// Opens (creating when missing) the SQLite database at `path`: WAL, synchronous=FULL, the
// synced tables, Quận 11's reference data and the server's own tables.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, StoreOptions options = {});

}  // namespace q11::server
