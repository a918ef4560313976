// What the public may see of reports on the server, read online (never stored on the
// device): a ward's reports, for a signed-in user of any role who wants to know what the
// neighbours have reported, and one report by its receipt code, for anyone holding it.
//
// The server answers with its public projection (docs/protocol.md, "Public receipt
// lookup"): status, category, ward, unit, dates and the staff's notes — never who filed
// it, nor the title, description, address or location. A ward's list carries no receipt
// codes. Answers are checked field by field: a malformed one is kDataLoss, not a crash.
//
// Thread safety: as Database (one thread at a time).
#pragma once

#include <string>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "protocol/result.h"

namespace q11::device {

struct PublicStep {
  std::string at, kind, status, note;  // status/note "" when the server sent null
};

// Empty text stands for a null the server sent.
struct PublicCase {
  std::string receipt_code;  // "" in a ward's list
  std::string status, status_vi, status_en;
  std::string category_id, category_vi, category_en;
  std::string ward_id, ward_vi, ward_en;
  std::string unit_id, unit_vi, unit_en;  // the assigned unit
  std::string created_at, received_at, due_at, expected_at, resolved_at, updated_at;
  std::string duplicate_of;
  bool overdue = false;  // open and past its deadline, by the server's clock
  std::vector<PublicStep> history;
};

// GET /v1/public/reports?ward=…: the ward's reports, most recently updated first, `limit`
// (1-200) from `offset`. Errors: kUnauthenticated (not logged in, session ended),
// kInvalidArgument (unknown ward, bad paging), kUnavailable (unreachable after retries, or
// rate limited: the message names the wait), kDataLoss (a malformed answer).
Result<std::vector<PublicCase>> BrowseWardReports(Database& db, Transport& transport,
                                                  const std::string& ward, int limit = 50,
                                                  int offset = 0);

// GET /public/receipts/{code}: needs no account. `code` as typed (case, dashes and
// look-alike letters are forgiven by the server). Errors: kInvalidArgument (not a receipt
// code), kNotFound (no such report), kUnavailable, kDataLoss.
Result<PublicCase> LookupReceipt(Transport& transport, Env& env, const std::string& code);

}  // namespace q11::device
