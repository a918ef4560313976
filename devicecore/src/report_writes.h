// The SQL of the user's writes to reports and case events, with their validation. Every
// method must run inside a LocalWriter transaction (that is what captures and queues it);
// a validation error makes the whole transaction roll back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "statement_cache.h"

namespace q11::device {

// Who is writing, from the stored account (all empty before login).
struct Author {
  std::optional<std::string> ref;           // author_ref of events
  std::optional<std::string> role;          // author_role of events
  std::optional<std::string> reporter_ref;  // reporter_ref of new reports
};
// Empty when nobody is logged in (kNotFound). Any other failure to read the account (a
// failing disk) is an error: a write must never go out unsigned, past the checks of who may
// do what, because a read failed.
Result<Author> AuthorFrom(const Result<Account>& account);

class ReportWrites {
 public:
  // Pointers must outlive this object.
  ReportWrites(StatementCache* cache, Env* env) : cache_(cache), env_(env) {}

  // REQUIRES: inside a LocalWriter transaction.
  Result<std::string> FileReport(const NewReport& report, const Author& author);
  Status SetStatus(const std::vector<std::string>& report_ids, const std::string& status,
                   const std::string& note, const Author& author);
  Result<std::string> AddComment(const std::string& report_id, const std::string& note,
                                 const Author& author);
  Status AssignUnit(const std::string& report_id, const std::string& unit_id,
                    const std::string& note, const Author& author);
  Status SetDeadline(const std::string& report_id, const std::string& due_iso,
                     const std::string& note, const Author& author);
  Status Withdraw(const std::string& report_id, const Author& author);
  // The case life (case_life_writes.cc, docs/workflow.md).
  Status PostProgress(const std::string& report_id, const std::string& note,
                      const std::string& expected_iso, const Author& author);
  Status MarkDuplicate(const std::string& report_id, const std::string& original_id,
                       const std::string& note, const Author& author);
  Status Rate(const std::string& report_id, int stars, const std::string& comment,
              const Author& author);
  Status Reopen(const std::string& report_id, const std::string& reason, const Author& author);
  Status Edit(const std::string& report_id, const std::optional<std::string>& title,
              const std::optional<std::string>& description, const Author& author);

 private:
  Status RequireReport(const std::string& id);
  // Officials' case work: refused early for a logged-in citizen (the server would anyway).
  static Status RequireStaff(const Author& author, const char* what_en, const char* what_vi);
  // A citizen's own report that nobody has started handling (status new).
  Status RequireOwnNewReport(const std::string& id, const Author& author, const char* what_en,
                             const char* what_vi);
  // Runs `sql` (UPDATE ... SET <column> = ?, updated_at = ? WHERE id = ?).
  Status UpdateReport(const char* sql, const std::string& value, const std::string& now,
                      const std::string& id);
  CaseEvent NewEvent(const std::string& report_id, const char* kind, const Author& author,
                     const std::string& now);
  Result<bool> Exists(const char* sql, const std::string& id);
  Status InsertEvent(const CaseEvent& e);
  // The citizen's own report and its status (for rating and reopening).
  Result<std::string> OwnReportStatus(const std::string& id, const Author& author,
                                      const char* what_en, const char* what_vi);
  // A fresh receipt code from the device's randomness (protocol/receipt_code.h).
  std::string NewReceiptCode();

  StatementCache* cache_;
  Env* env_;
};

}  // namespace q11::device
