// What an admin needs around a parked conflict to decide it (docs/conflicts.md, "Admin
// console"): the case it is about (receipt code, title, ward and assigned unit by name),
// who made each side's value and what they wrote with it, and the units one may choose for
// a column that holds a unit. Storage code over SqlConn, read-only; it runs after
// ConflictQueries on the same read connection, inside the caller's read transaction.
//
// People are named as an admin may see them: staff by account name and unit, a citizen
// only by pseudonym (reporter_ref), never by account name (docs/security.md). The device's
// side is the pusher and the case events of the parked entry (received in the same push);
// the server's side is the author of the latest case event, received before the conflict
// and not overruled, that announced one of the server's values (a status event for the
// status, an assignment for the unit, a progress note for the expected date).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "syncserver/conflict.h"

namespace q11::server {

class ConflictContext {
 public:
  // REQUIRES: db outlives the object; one thread at a time.
  static Result<std::unique_ptr<ConflictContext>> Create(SqlConn& db);

  // Fills each summary's `report` and `user_role`, and replaces a citizen pusher's account
  // name in `user` by their pseudonym.
  Status Describe(std::vector<ConflictSummary>* conflicts);
  // As above for the summary, plus both sides and, when a column holds a unit, the units.
  Status Describe(ConflictDetail* conflict);

 private:
  ConflictContext() = default;
  struct Event;
  struct Units;

  Result<Units> LoadUnits();
  Status DescribeSummary(const Units& units, ConflictSummary* s);
  Result<std::optional<ConflictPerson>> PersonById(const Units& units, const std::string& id);
  Result<std::optional<ConflictPerson>> PersonByName(const Units& units, const std::string& name);
  Result<std::vector<Event>> EventsOf(const std::string& report_id);

  SqlStmt units_, report_of_child_, report_, archived_, user_by_id_, user_by_name_, events_;
};

}  // namespace q11::server
