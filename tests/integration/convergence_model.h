// The convergence test's model of the server (convergence_test.cc): what verdict each
// pushed entry must get, worked out from the server's rows just before the push, the
// device's base (its row when it wrote the change) and what it wrote, by the rules of
// docs/workflow.md and docs/conflicts.md written out again here, independently of the
// server's code. Entries of one push are predicted in order, each prediction changing the
// model's rows as the server would. When the model cannot tell (a prediction it is unsure
// of touched the report earlier in the same push), it allows any final verdict and says so.
// Header-only; included by convergence_test.cc only.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/photo_limits.h"
#include "protocol/sync_messages.h"

namespace q11::test::convergence {

using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;  // a reports row, SELECT * order (the synced DDL's)
using wire::Verdict;

// Positions of the reports columns the model reads.
struct ReportCols {
  int id = -1, status = -1, title = -1, description = -1, assigned_unit = -1, due_at = -1,
      updated_at = -1, reporter_ref = -1, received_at = -1, receipt_code = -1, resolved_at = -1;
  std::vector<std::string> names;
  int Of(const std::string& name) const {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return static_cast<int>(i);
    return -1;
  }
  void Index() {
    id = Of("id"), status = Of("status"), title = Of("title"), description = Of("description");
    assigned_unit = Of("assigned_unit"), due_at = Of("due_at"), updated_at = Of("updated_at");
    reporter_ref = Of("reporter_ref"), received_at = Of("received_at");
    receipt_code = Of("receipt_code"), resolved_at = Of("resolved_at");
  }
};

enum class Op {
  kFile,         // citizen files a report
  kComment,      // citizen comments on their report
  kEdit,         // citizen edits title/description of their `new` report
  kWithdraw,     // citizen withdraws their `new` report
  kReopen,       // citizen reopens their resolved/closed report
  kRate,         // citizen rates the result
  kPhoto,        // citizen attaches a photo to their report
  kStatus,       // official sets a status (with a status event)
  kAssign,       // official changes assigned_unit (raw, no event)
  kDue,          // official changes due_at (raw, no event)
  kResultPhoto,  // official attaches a result photo
};

inline const char* OpName(Op op) {
  switch (op) {
    case Op::kFile:
      return "file";
    case Op::kComment:
      return "comment";
    case Op::kEdit:
      return "edit";
    case Op::kWithdraw:
      return "withdraw";
    case Op::kReopen:
      return "reopen";
    case Op::kRate:
      return "rate";
    case Op::kPhoto:
      return "photo";
    case Op::kStatus:
      return "status";
    case Op::kAssign:
      return "assign";
    case Op::kDue:
      return "due";
    case Op::kResultPhoto:
      return "result-photo";
  }
  return "?";
}

// One local write (one outbox entry) and what became of it.
struct Step {
  int step = 0;  // the random step that made it
  Op op = Op::kFile;
  std::string report;  // the report it is about
  Row base, after;     // the device's row before and after the write (empty: none)
  // Rows it inserted: (table, id).
  std::vector<std::pair<std::string, std::string>> inserted;
  // Set when its push is predicted.
  std::set<Verdict> expect;
  std::string why;
  bool predicted = false;
  // Set by the verdict.
  bool answered = false;
  Verdict got = Verdict::kRetry;
  std::string message;
};

// What the model knows of one report on the server.
struct ServerReport {
  Row row;
  bool exists = false, deleted = false;
  bool staff = false;                 // a staff member wrote an event on it
  bool sure = true;                   // false: an earlier prediction in this push was unsure
  std::map<std::string, int> photos;  // by role (report, result)
};

// The staff steps of the workflow table (docs/workflow.md), for officials.
inline bool StaffStep(const std::string& from, const std::string& to) {
  static const std::map<std::string, std::set<std::string>> kSteps = {
      {"new", {"accepted", "rejected", "duplicate", "in_progress"}},
      {"accepted", {"assigned", "in_progress", "rejected", "duplicate"}},
      {"assigned", {"in_progress", "rejected", "duplicate"}},
      {"in_progress", {"resolved", "assigned"}},
      {"resolved", {"closed", "in_progress"}},
      {"reopened", {"assigned", "in_progress", "resolved"}},
  };
  auto it = kSteps.find(from);
  return it != kSteps.end() && it->second.count(to) > 0;
}

// Position on the main path new < accepted < assigned < in_progress < resolved < closed.
inline int PathStep(const std::string& s) {
  static const std::vector<std::string> kPath = {"new",         "accepted", "assigned",
                                                 "in_progress", "resolved", "closed"};
  for (size_t i = 0; i < kPath.size(); ++i)
    if (kPath[i] == s) return static_cast<int>(i);
  return -1;
}

class Model {
 public:
  Model(const ReportCols& c, std::map<std::string, ServerReport> reports)
      : c_(c), reports_(std::move(reports)) {}

  // Predicts `s` and changes the model's rows as the server will.
  void Predict(Step& s) {
    s.predicted = true;
    ServerReport& r = reports_[s.report];
    if (!r.sure) return Any(s, "an unsure prediction touched the report earlier in this push");
    if (s.op == Op::kFile) {
      r.exists = true;
      r.row = s.after;
      // The server stamps these on receipt; the model does not know their values (the
      // pseudonym is the citizen's own: the device's when it had one).
      for (int col : {c_.received_at, c_.due_at, c_.receipt_code}) r.row[col].reset();
      return Expect(s, Verdict::kApplied, "a new report");
    }
    if (!r.exists && !r.deleted) return Any(s, "the model has no server row");
    switch (s.op) {
      case Op::kComment:
        if (r.deleted) return Expect(s, Verdict::kRejected, "the report was withdrawn");
        return Expect(s, Verdict::kApplied, "a comment on an existing report");
      case Op::kPhoto:
      case Op::kResultPhoto: {
        if (r.deleted) return Expect(s, Verdict::kRejected, "the report was withdrawn");
        // The limit counts the server's photos: the citizen's other phone may have sent some.
        int& held = r.photos[s.op == Op::kPhoto ? "report" : "result"];
        if (held >= photos::kMaxPhotosPerReport)
          return Expect(s, Verdict::kRejected, "the report has its photos already");
        ++held;
        return Expect(s, Verdict::kApplied, "a photo of an existing report");
      }
      case Op::kRate:
        if (r.deleted) return Expect(s, Verdict::kRejected, "the report was withdrawn");
        if (Status(r) == "resolved" || Status(r) == "closed")
          return Expect(s, Verdict::kApplied, "a rating of a result");
        return Expect(s, Verdict::kRejected, "rating a report that is " + Status(r));
      case Op::kReopen:
        return Reopen(s, r);
      case Op::kEdit:
        return Edit(s, r);
      case Op::kWithdraw:
        return Withdraw(s, r);
      case Op::kStatus:
        return StatusChange(s, r);
      case Op::kAssign:
        return Column(s, r, c_.assigned_unit);
      case Op::kDue:
        return Column(s, r, c_.due_at);
      case Op::kFile:
        break;
    }
  }

 private:
  const std::string& Status(const ServerReport& r) const { return *r.row[c_.status]; }

  static void Expect(Step& s, Verdict v, const std::string& why) {
    s.expect = {v};
    s.why = why;
  }
  static void Any(Step& s, const std::string& why) {
    s.expect = {Verdict::kApplied, Verdict::kMerged, Verdict::kParked, Verdict::kRejected};
    s.why = "any: " + why;
  }
  // An update's verdict when its only other column is updated_at (later wins: merged when
  // the server's differs from the device's base).
  Verdict WithUpdatedAt(const Step& s, const ServerReport& r, Verdict v) const {
    if (v == Verdict::kApplied && s.base[c_.updated_at] != s.after[c_.updated_at] &&
        r.row[c_.updated_at] != s.base[c_.updated_at] &&
        r.row[c_.updated_at] != s.after[c_.updated_at])
      return Verdict::kMerged;
    return v;
  }
  void TakeUpdatedAt(const Step& s, ServerReport& r) {
    if (r.row[c_.updated_at] < s.after[c_.updated_at])
      r.row[c_.updated_at] = s.after[c_.updated_at];
  }

  // A citizen's change of a report staff have taken up (never `new` when it can be
  // reopened): its updated_at is bookkeeping the server leaves as it is, neither a
  // conflict nor a merge; only the status counts.
  void Reopen(Step& s, ServerReport& r) {
    if (r.deleted) return Expect(s, Verdict::kRejected, "reopening a withdrawn report");
    const std::string server = Status(r), base = *s.base[c_.status];
    if (server == base) {
      Expect(s, Verdict::kApplied, "reopening, the server still " + server);
      r.row[c_.status] = "reopened";
      return;
    }
    if (server == "resolved" || server == "closed") {
      Expect(s, Verdict::kMerged, "the citizen's reopening wins over " + server);
      r.row[c_.status] = "reopened";
      return;
    }
    if (server == "reopened") return Expect(s, Verdict::kMerged, "reopened already");
    Expect(s, Verdict::kMerged, "officials handle it again (" + server + "): the server keeps it");
  }

  void Edit(Step& s, ServerReport& r) {
    if (r.deleted) return Expect(s, Verdict::kParked, "an edit of a withdrawn report");
    if (Status(r) != "new")
      return Expect(s, Verdict::kParked, "an edit of a report staff took up (" + Status(r) + ")");
    Verdict v = Verdict::kApplied;
    for (int col : {c_.title, c_.description}) {
      if (s.base[col] == s.after[col]) continue;
      if (r.row[col] == s.base[col]) continue;
      if (r.row[col] == s.after[col]) {
        if (v == Verdict::kApplied) v = Verdict::kMerged;
        continue;
      }
      v = Verdict::kParked;
    }
    Expect(s, WithUpdatedAt(s, r, v), "a citizen's edit of a new report");
    if (v != Verdict::kParked) {
      r.row[c_.title] = s.after[c_.title];
      r.row[c_.description] = s.after[c_.description];
      TakeUpdatedAt(s, r);
    }
  }

  void Withdraw(Step& s, ServerReport& r) {
    if (r.deleted) return Expect(s, Verdict::kMerged, "withdrawn already");
    if (Status(r) != "new")
      return Expect(s, Verdict::kParked, "withdrawing a report staff took up (" + Status(r) + ")");
    // A device that never saw the server's copy (no received_at) saw none of its stamps.
    const bool unseen = !s.base[c_.received_at];
    for (size_t i = 0; i < s.base.size(); ++i) {
      const int col = static_cast<int>(i);
      // Stamps the device had not seen yet are not compared (docs/conflicts.md).
      if ((col == c_.reporter_ref || col == c_.due_at) && !s.base[i]) continue;
      if (unseen && (col == c_.received_at || col == c_.due_at || col == c_.receipt_code)) continue;
      if (r.row[i] != s.base[i])
        return Expect(s, Verdict::kParked,
                      "withdrawing a report changed since (" + c_.names[i] + ")");
    }
    if (r.staff) return Expect(s, Verdict::kParked, "withdrawing a report staff wrote on");
    Expect(s, Verdict::kApplied, "withdrawing an untouched new report");
    r.exists = false;
    r.deleted = true;
  }

  void StatusChange(Step& s, ServerReport& r) {
    const std::string base = *s.base[c_.status], mine = *s.after[c_.status];
    if (base != mine && !StaffStep(base, mine))
      return Expect(s, Verdict::kRejected, "the step " + base + " → " + mine + " is not allowed");
    if (r.deleted) return Expect(s, Verdict::kRejected, "a status event on a withdrawn report");
    const std::string server = Status(r);
    r.staff = true;
    const std::string statuses = " (server " + server + ", base " + base + ", mine " + mine + ")";
    Step& out = s;
    struct Suffix {
      Step& s;
      std::string text;
      ~Suffix() { s.why += text; }
    } suffix{out, statuses};
    if (base == mine) {
      // The same status again: a status event and updated_at; the status column is not sent.
      Expect(s, WithUpdatedAt(s, r, Verdict::kApplied), "a status event, the status unchanged");
      TakeUpdatedAt(s, r);
      return;
    }
    if (server == base) {
      Expect(s, WithUpdatedAt(s, r, Verdict::kApplied), "the server's status is the base");
      r.row[c_.status] = mine;
      if (mine == "resolved" && server != "resolved") r.row[c_.resolved_at].reset();
      TakeUpdatedAt(s, r);
      return;
    }
    if (server == mine) {
      TakeUpdatedAt(s, r);
      return Expect(s, Verdict::kMerged, "the same status on both sides");
    }
    if (server == "closed") {
      TakeUpdatedAt(s, r);
      return Expect(s, Verdict::kMerged, "closed stays closed for officials");
    }
    const int d = PathStep(mine), sv = PathStep(server);
    if (d < 0 || sv < 0) {
      TakeUpdatedAt(s, r);
      return Expect(s, Verdict::kParked, mine + " against the server's " + server);
    }
    if (d > sv) {
      if (!StaffStep(server, mine))
        return Expect(s, Verdict::kRejected,
                      "further along, but the server's " + server + " → " + mine +
                          " is no step for officials");
      Expect(s, Verdict::kMerged, mine + " is further along than the server's " + server);
      r.row[c_.status] = mine;
      TakeUpdatedAt(s, r);
      return;
    }
    TakeUpdatedAt(s, r);
    Expect(s, Verdict::kMerged, "the server's " + server + " is further along than " + mine);
  }

  void Column(Step& s, ServerReport& r, int col) {
    if (r.deleted) return Expect(s, Verdict::kParked, "an update of a withdrawn report");
    if (r.row[col] == s.base[col]) {
      Expect(s, Verdict::kApplied, c_.names[col] + " unchanged on the server");
      r.row[col] = s.after[col];
      return;
    }
    if (r.row[col] == s.after[col])
      return Expect(s, Verdict::kMerged, "the same " + c_.names[col] + " on both sides");
    Expect(s, Verdict::kParked, c_.names[col] + " changed on both sides");
  }

  const ReportCols& c_;
  std::map<std::string, ServerReport> reports_;
};

}  // namespace q11::test::convergence
