// A scope's rows on this device, as the per-scope checksums see them (docs/protocol.md,
// "Verified convergence"; protocol/scope_digest.h).
//
// An account reads two audiences: "ref" (the reference tables every device pulls) and its
// own ("all", "u:<unit>" or "r:<reporter_ref>": every other synced table). The device holds
// only rows of the audiences it reads, so a scope's rows on the device are simply every row
// of the scope's tables. Its sum is one scan: each row digested over its values in schema
// column order (SELECT *), by the storage class SQLite holds them in, as the server does.
// The same scan keyed by primary key says which rows differ from another copy (a scratch
// database filled from the server), and MakeScopeEqual copies the differences over.
// Pure SQLite, no network.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "protocol/scope_digest.h"
#include "q11sqlite/sqlite.h"

namespace q11::device {

// Whether the "ref" scope is verified and repaired (default true): a switch to leave it out
// should a server count under "ref" other rows than devices hold. The server counts every
// reference row: those its change log sent and the built-in ones (samples/q11-2018) every
// device starts with, which a server publishing that same set never logs. Its scope-only
// pull of "ref" sends only logged rows, so a repair of a built-in row does not converge
// there: the device changes nothing and backs off (docs/reliability.md).
bool& VerifyReferenceScope();

// Whether a sync or Verify compares `audience` (every one but "ref", unless the above).
bool ScopeVerified(const std::string& audience);

// The tables of audience `audience`: the reference tables for "ref", every other synced
// table for any other audience.
const std::vector<std::string>& ScopeTables(const std::string& audience);

// The count and digest sum of every row of `tables` in `db` ("main"), by one scan.
Result<wire::ScopeSum> ScopeSumOf(sql::Db& db, const std::vector<std::string>& tables);

// Each row's digest, by table then primary key (the synced tables' keys are one TEXT column).
struct ScopeRows {
  std::map<std::string, std::map<std::string, wire::Digest128>> tables;
  wire::ScopeSum sum;
};
Result<ScopeRows> ReadScopeRows(sql::Db& db, const std::vector<std::string>& tables);

// One row that differs between the device's copy and the server's.
struct RowDiff {
  enum Kind { kMissing, kExtra, kChanged };  // missing on the device, extra on it, changed
  std::string table, id;
  Kind kind = kChanged;
};
const char* RowDiffKindName(RowDiff::Kind kind);  // "missing", "extra", "changed"

// What differs from `device` to `server`, by table then id.
std::vector<RowDiff> DiffScopeRows(const ScopeRows& device, const ScopeRows& server);

// Makes the rows of `diffs` in `db` what they are in `source` (another connection holding
// the same tables): inserts the missing rows, replaces the changed ones, deletes the extra
// ones. Runs in the caller's transaction on `db`.
Status MakeRowsEqual(sql::Db& db, sql::Db& source, const std::vector<RowDiff>& diffs);

}  // namespace q11::device
