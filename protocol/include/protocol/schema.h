// The shared data contract of devices and server: the DDL of the synced tables, the Quận 11
// reference data, and the vocabulary (statuses, kinds) both sides validate against.
//
// Changesets name tables and carry whole rows by column position, so both sides must create
// these tables from the same text; it is compiled in from protocol/schema/synced_tables.sql
// and samples/q11-2018/reference.sql.
#pragma once

#include <array>
#include <string_view>

namespace q11::schema {

// CREATE TABLE IF NOT EXISTS statements for the synced tables (kSyncedTables).
std::string_view SyncedTablesSql();
// INSERT OR IGNORE statements for Quận 11's units and categories.
std::string_view ReferenceDataSql();

// The reference tables (units, categories, holidays, response_templates) travel from the
// server only; devices may never push them. holidays and response_templates travel since
// synced schema version 3 (schema_versions.h).
inline constexpr std::array<std::string_view, 7> kSyncedTables = {
    "units", "categories", "reports", "case_events", "photos", "holidays", "response_templates"};
// The tables of a reference set (docs/units.md), in the order they are published (units
// before the categories that name them). Devices may never push them.
inline constexpr std::array<std::string_view, 4> kReferenceTables = {
    "units", "categories", "holidays", "response_templates"};
// Those of them every device pulls: the server files their rows under the "ref" audience,
// so they are exactly the "ref" scope's tables (protocol/scope_digest.h). The one list
// both sides use; a table added here must also be in kSyncedTables. All four since synced
// schema version 3 (an app on version 2 gets no scope checksums).
inline constexpr std::array<std::string_view, 4> kPublishedReferenceTables = {
    "units", "categories", "holidays", "response_templates"};
// The workflow between them: protocol/workflow.h.
inline constexpr std::array<std::string_view, 9> kStatuses = {
    "new",    "accepted", "assigned",  "in_progress", "resolved",
    "closed", "rejected", "duplicate", "reopened"};
inline constexpr std::array<std::string_view, 2> kReportKinds = {"phan_anh", "gop_y"};
// progress: an official's progress note with a new expected completion date; rating: the
// citizen's stars (1-5) and comment on the result.
inline constexpr std::array<std::string_view, 6> kEventKinds = {"status", "comment",  "assignment",
                                                                "result", "progress", "rating"};
inline constexpr std::array<std::string_view, 4> kRoles = {"citizen", "official", "leader",
                                                           "admin"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& set, std::string_view v) {
  for (std::string_view s : set)
    if (s == v) return true;
  return false;
}

}  // namespace q11::schema
