// Columns the server fills in itself on rows a device inserts, whatever the device sent:
//   reports.reporter_ref       the citizen's own pseudonym (a report filed before login
//                              carries none)
//   reports.due_at             server receipt time + the category's deadline_hours
//   case_events.author_ref     the citizen's pseudonym, or the official's user id
//   case_events.author_role    the author's role
//   photos.author_ref, photos.author_role   the same as for case_events
// Runs after validation, before the rows are applied.
#pragma once

#include <cstdint>
#include <string_view>

#include "changeset_reader.h"
#include "reference_data.h"
#include "syncserver/account.h"
#include "table_shapes.h"

namespace q11::server {

// REQUIRES: `changeset` passed ValidateChangeset for `account`.
void StampServerColumns(DecodedChangeset* changeset, const TableShapes& shapes,
                        const Account& account, const ReferenceData& refs, int64_t now_ms);

// True for a stamped column whose value depends on when the server received the row
// (reports.due_at): ignored when a re-sent INSERT is compared with the stored row.
bool IsTimeStamped(std::string_view table, std::string_view column);

}  // namespace q11::server
