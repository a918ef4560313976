// The narrow storage interface of the server: accounts, device binding, push and pull.
//
// Everything the HTTP layer and the command line need from the database goes through
// Store, so the storage engine can change without touching them. The embedded default is
// SQLite in WAL mode (OpenSqliteStore); a PostgreSQL backend would implement the same
// interface. Expected failures are Status values; nothing here throws.
//
// Thread safety: a Store is safe to use from many threads at once. Pushes are serialised
// (a single writer); pulls and account lookups run concurrently on pooled read connections.
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

namespace q11::server {

// One page of a device's pull.
struct PullPage {
  std::string changeset;  // a real SQLite changeset; empty when no rows
  uint32_t rows = 0;      // rows in changeset
  uint64_t cursor = 0;    // the cursor the device sends next time
  bool has_more = false;  // more rows wait after `cursor`
};

// A photo row with the facts of its report that decide who may see it (photos by hash).
struct PhotoHolder {
  std::string photo_id, report_id, role, mime;
  int64_t bytes = 0;
  std::string ward_id, assigned_unit, reporter_ref;  // of the report; "" when NULL
};

class Store {
 public:
  virtual ~Store() = default;

  // kAlreadyExists when the name or reporter_ref is taken.
  virtual Status AddAccount(const StoredAccount& account) = 0;
  // nullopt when no such account (disabled accounts are returned; callers refuse them).
  virtual Result<std::optional<StoredAccount>> FindAccountByName(std::string_view name) = 0;
  virtual Result<std::optional<Account>> FindAccountById(std::string_view id) = 0;
  virtual Result<std::vector<Account>> ListAccounts() = 0;
  // True when `unit` is a units.id.
  virtual Result<bool> UnitExists(std::string_view unit) = 0;

  // Binds `device_id` to the account the first time it is seen. kPermissionDenied when the
  // device is already bound to another account.
  virtual Status BindDevice(std::string_view device_id, const Account& account) = 0;

  // Validates and applies the entries in one durable transaction; one verdict per entry,
  // in order. An entry already recorded for (device_id, local_seq) gets its recorded
  // verdict and is not applied again. Errors (kUnavailable, kInternal) mean nothing was
  // applied. REQUIRES: BindDevice(device_id, account) succeeded.
  virtual Result<std::vector<wire::EntryVerdict>> Push(
      const Account& account, std::string_view device_id,
      const std::vector<wire::PushEntry>& entries) = 0;

  // The rows changed after `cursor` that the account may see, oldest first, at most
  // `max_rows` (0: the default page size; capped).
  virtual Result<PullPage> Pull(const Account& account, uint64_t cursor, uint32_t max_rows) = 0;

  // The photo rows (of live reports) whose content address is `sha256`, at most 64.
  virtual Result<std::vector<PhotoHolder>> FindPhotoHolders(std::string_view sha256) = 0;

  // Parked conflicts (syncserver/conflict.h, docs/conflicts.md), newest first.
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

struct StoreOptions {
  // Unix milliseconds; tests substitute a fixed clock.
  std::function<int64_t()> clock;
  uint32_t default_pull_rows = 5000;
  uint32_t max_pull_rows = 20000;
};

// Opens (creating when missing) the SQLite database at `path`: WAL, synchronous=FULL, the
// synced tables, Quận 11's reference data and the server's own tables.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, StoreOptions options = {});

}  // namespace q11::server
