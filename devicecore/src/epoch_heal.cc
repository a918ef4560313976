#include "epoch_heal.h"

#include "status_macros.h"

namespace q11::device {
namespace {

struct OwnTable {
  const char* table;
  const char* author_column;
};
// Who authored a row: a report's reporter_ref, an event's or photo's author_ref (stamped by
// the server with the citizen's pseudonym or the official's user id).
constexpr OwnTable kOwnTables[] = {
    {"reports", "reporter_ref"}, {"case_events", "author_ref"}, {"photos", "author_ref"}};

}  // namespace

Status KeepOwnRowsAside(DatabaseImpl& db, const Account& account) {
  for (const OwnTable& t : kOwnTables) {
    const std::string table = t.table;
    Q11_RETURN_IF_ERROR(db.db().Exec("CREATE TABLE IF NOT EXISTS heal_" + table +
                                     " AS SELECT * FROM " + table + " WHERE 0"));
    Q11_ASSIGN_OR_RETURN(
        sql::Statement st,
        db.db().Prepare("INSERT INTO heal_" + table + " SELECT * FROM " + table + " t WHERE " +
                        t.author_column + " IN (?1, ?2) AND " + t.author_column +
                        " <> '' AND NOT EXISTS (SELECT 1 FROM heal_" + table +
                        " h WHERE h.id = t.id)"));
    st.Bind(1, account.reporter_ref).Bind(2, account.user_id);
    Q11_RETURN_IF_ERROR(st.Run());
  }
  return Status::Ok();
}

Result<bool> HealPending(DatabaseImpl& db) {
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, db.meta().Get(kHealPendingKey));
  return v.has_value() && *v == "1";
}

Result<std::optional<int64_t>> PendingHealEntry(DatabaseImpl& db) {
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, db.meta().Get(kHealEntryKey));
  if (!v || v->empty()) return std::optional<int64_t>();
  Q11_ASSIGN_OR_RETURN(
      std::optional<std::string> pending,
      db.db().QueryText("SELECT count(*) FROM outbox WHERE state = 'pending' AND seq = " +
                        std::to_string(std::stoll(*v))));
  if (pending.value_or("0") == "0") return std::optional<int64_t>();
  return std::optional<int64_t>(std::stoll(*v));
}

Result<bool> HealLeftovers(DatabaseImpl& db) {
  Q11_ASSIGN_OR_RETURN(
      std::optional<std::string> n,
      db.db().QueryText("SELECT count(*) FROM sqlite_schema WHERE name = 'heal_case_events'"));
  return n.value_or("0") != "0";
}

Result<int> FinishHeal(DatabaseImpl& db) {
  int queued = 0;
  Q11_ASSIGN_OR_RETURN(bool pending, HealPending(db));
  if (!pending) {
    // Leftovers only: events and photos whose report had not come back yet.
    Result<int64_t> seq = db.Captured([&db, &queued]() -> Status {
      queued = 0;  // the writer may run it again after a busy database
      sql::Db& d = db.db();
      for (const char* table : {"case_events", "photos"}) {
        const std::string t = table;
        Q11_RETURN_IF_ERROR(d.Exec("INSERT INTO " + t + " SELECT * FROM heal_" + t +
                                   " h WHERE NOT EXISTS (SELECT 1 FROM " + t +
                                   " x WHERE x.id = h.id) AND EXISTS (SELECT 1 FROM reports r "
                                   "WHERE r.id = h.report_id)"));
        queued += static_cast<int>(d.Changes());
        Q11_RETURN_IF_ERROR(
            d.Exec("DELETE FROM heal_" + t + " WHERE id IN (SELECT id FROM " + t + ")"));
      }
      return Status::Ok();
    });
    if (!seq.ok()) return seq.status();
    return queued;
  }
  Result<int64_t> seq = db.Captured([&db, &queued]() -> Status {
    queued = 0;  // the writer may run it again after a busy database
    sql::Db& d = db.db();
    // Reports first (events and photos name them), as the citizen's first filing: the
    // server stamps and the officials' steps are the server's to give again.
    Q11_RETURN_IF_ERROR(
        d.Exec("CREATE TEMP TABLE heal_missing AS SELECT id FROM heal_reports h "
               "WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = h.id);"
               "INSERT INTO reports SELECT * FROM heal_reports WHERE id IN (SELECT id FROM "
               "heal_missing)"));
    queued += static_cast<int>(d.Changes());
    Q11_RETURN_IF_ERROR(
        d.Exec("UPDATE reports SET status = 'new', assigned_unit = NULL, due_at = NULL, "
               "received_at = NULL, expected_at = NULL, resolved_at = NULL, duplicate_of = NULL "
               "WHERE id IN (SELECT id FROM heal_missing); DROP TABLE heal_missing"));
    // Events and photos of reports the device holds. One whose report has not come (an
    // official's note on a report its citizen has not pushed again yet) stays aside and is
    // tried again after later syncs (HealLeftovers).
    for (const char* table : {"case_events", "photos"}) {
      const std::string t = table;
      Q11_RETURN_IF_ERROR(d.Exec("INSERT INTO " + t + " SELECT * FROM heal_" + t +
                                 " h WHERE NOT EXISTS (SELECT 1 FROM " + t +
                                 " x WHERE x.id = h.id) AND EXISTS (SELECT 1 FROM reports r "
                                 "WHERE r.id = h.report_id)"));
      queued += static_cast<int>(d.Changes());
      Q11_RETURN_IF_ERROR(
          d.Exec("DELETE FROM heal_" + t + " WHERE id IN (SELECT id FROM " + t + ")"));
    }
    Q11_RETURN_IF_ERROR(d.Exec("DROP TABLE heal_reports"));
    Q11_ASSIGN_OR_RETURN(std::optional<std::string> left,
                         d.QueryText("SELECT (SELECT count(*) FROM heal_case_events) + "
                                     "(SELECT count(*) FROM heal_photos)"));
    if (left.value_or("0") == "0")
      Q11_RETURN_IF_ERROR(d.Exec("DROP TABLE heal_case_events; DROP TABLE heal_photos"));
    return db.meta().Erase(kHealPendingKey);
  });
  if (!seq.ok()) return seq.status();
  // It goes up first, alone (sync_request.cc). Were this write lost, the entry would only
  // go in its turn.
  if (*seq > 0) Q11_RETURN_IF_ERROR(db.meta().Set(kHealEntryKey, std::to_string(*seq)));
  return queued;
}

}  // namespace q11::device
