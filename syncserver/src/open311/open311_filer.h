// Files a service request POSTed to the Open311 API as a citizen's report, through the
// same path as a phone's (docs/open311.md, "How a POST enters the workflow"): the report
// INSERT is captured as a real SQLite changeset and pushed with Store::Push, so it is
// validated by the citizen's write rules, stamped by the server (receipt code, receipt
// time, deadline, reporter pseudonym), written to the change log and pulled by the ward's
// officials like any other report.
//
// Each request is filed by a fresh pseudonymous citizen account (name "o311-…", a random
// reporter_ref, disabled, no usable password) bound to the pseudo-device "open311:<id>":
// officials see a pseudonym per request, and two requests of one person are not linkable.
// Contact details go to the contact vault under that account, sealed exactly like an app
// sign-up's, readable only with `syncserver user contact` (audited).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/result.h"

namespace q11::server {

class Store;
class ContactVault;

struct Open311Submission {
  std::string service_code;  // categories.id
  std::string ward_id;       // a ward of Quận 11
  std::string kind;          // phan_anh | gop_y
  std::string title;         // 1-200 bytes
  std::string description;   // 1-5000 bytes
  std::string address;       // may be empty
  std::optional<double> lat, lon;
  std::string first_name, last_name, email, phone;  // contact, all optional
};

struct FiledRequest {
  std::string report_id;
  std::string account_name;  // the pseudonymous account that filed it
};

// kInvalidArgument (with the rule's message) when the write rules refuse the report;
// other errors are the store's or the vault's.
Result<FiledRequest> FileOpen311Request(Store& store, ContactVault& contacts,
                                        const Open311Submission& submission, int64_t now_ms);

}  // namespace q11::server
