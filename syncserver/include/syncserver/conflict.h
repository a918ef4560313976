// Parked sync conflicts as the admin sees them, and an admin's decision about one.
//
// A conflict is one row of one pushed entry that the three-way merge could not settle
// (docs/conflicts.md): its columns with the base (what the device saw), device and
// server values. It stays "open", the server keeping its value, until an admin resolves
// it; the resolution is a new server change that every device pulls, and it is audited.
// Plain data, no SQLite or Poco types: used by the Store, the HTTP API and the CLI.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace q11::server {

// One SQL value as the admin API shows it (JSON null, number or string).
struct FieldValue {
  enum class Type { kNull, kInteger, kReal, kText };
  Type type = Type::kNull;
  int64_t i = 0;
  double r = 0;
  std::string s;

  static FieldValue Null() { return {}; }
  static FieldValue Text(std::string t) { return {Type::kText, 0, 0, std::move(t)}; }
  static FieldValue Integer(int64_t n) { return {Type::kInteger, n, 0, {}}; }
  static FieldValue Real(double d) { return {Type::kReal, 0, d, {}}; }
  bool operator==(const FieldValue& o) const = default;
};

// What the device did to the row.
//   update          changed columns the server also changed (the usual case)
//   delete          withdrew (deleted) a row the server changed meanwhile; the server kept it
//   update_deleted  changed a row the server had deleted meanwhile; it stays deleted
enum class ConflictOp { kUpdate, kDelete, kUpdateDeleted };
const char* ConflictOpName(ConflictOp op);

struct ConflictColumn {
  std::string column;
  FieldValue base, device, server;  // for a parked delete, device is NULL
};

// Someone behind one side of a conflict, as an admin sees them: staff by account name and
// unit, a citizen only by pseudonym, never by account name (docs/security.md).
struct ConflictPerson {
  std::string role;                       // citizen | official | leader | admin; "" unknown
  std::string name;                       // staff: the account name; citizen: empty
  std::string reporter_ref;               // citizen: the pseudonym (cd-...); staff: empty
  std::string unit_id, unit_vi, unit_en;  // staff's unit, when they have one
};

// A case event a side wrote with its change: what the person said about it.
struct ConflictNote {
  std::string at;  // the server's receipt of it, ISO-8601 UTC
  std::string kind, status, unit_id, note;
  bool overruled = false;  // it announced a change that did not land
};

// One side of a conflict: who made the change and the case events that went with it.
struct ConflictSide {
  std::optional<ConflictPerson> who;  // nullopt: not known (no event announced it)
  std::vector<ConflictNote> notes;
};

// The case a conflict is about (a report, or the report of a conflicting case event).
struct ConflictCase {
  std::string report_id, receipt_code, title, status;
  std::string ward_id, ward_vi, ward_en;
  std::string assigned_unit, assigned_vi, assigned_en;
  bool withdrawn = false;  // deleted: these are its last values
};

// A unit an admin may choose for a column that holds one (names from the units table).
struct UnitChoice {
  std::string id, kind, name_vi, name_en;  // kind: district | ward | department
};

struct ConflictSummary {
  std::string id;
  std::string table, row_id;
  ConflictOp op = ConflictOp::kUpdate;
  std::string unit;                  // the report's ward
  std::string assigned_unit;         // the report's assigned unit when parked, or empty
  std::vector<std::string> columns;  // names of the conflicting columns
  // Who pushed it: `user` is the account name of staff, a citizen's pseudonym (never their
  // account name); `user_role` their role (empty when the account is unknown).
  std::string user, user_id, user_role, device_id;
  std::optional<ConflictCase> report;    // the case; nullopt when its row is unknown
  std::string created_at;                // ISO-8601 UTC
  std::string state;                     // open | resolved
  std::string resolved_at, resolved_by;  // empty while open
};

struct ConflictResolutionRecord {
  std::string by, at;
  std::string decision;                      // server | device | set
  std::map<std::string, FieldValue> values;  // the value each column got
};

struct ConflictDetail {
  ConflictSummary summary;
  std::vector<ConflictColumn> columns;
  uint64_t row_seq = 0;      // the row's change-log sequence when parked
  uint64_t current_seq = 0;  // the row's change-log sequence now
  std::optional<ConflictResolutionRecord> resolution;
  // Who made each value: the server's (the latest case event that announced it before the
  // conflict) and the device's (the pusher and the events of the parked entry).
  ConflictSide server_side, device_side;
  std::vector<UnitChoice> units;  // every unit, when a column holds a unit; else empty
};

struct ConflictFilter {
  std::string state = "open";  // open | resolved | all
  std::string table;           // empty: any
  std::string unit;            // empty: any; matches the ward or the assigned unit
  int64_t min_age_hours = 0;   // only conflicts parked at least this long ago
  int limit = 500;
};

// An admin's decision: take every column from one side, or set listed columns (the
// columns not listed keep the server's value).
struct ConflictDecision {
  enum class Take { kNone, kServer, kDevice };
  Take take = Take::kNone;
  std::map<std::string, FieldValue> set;  // with Take::kNone
};

struct ResolvedConflict {
  std::string id;
  uint64_t server_seq = 0;  // the change-log sequence the resolution was written at
};

}  // namespace q11::server
