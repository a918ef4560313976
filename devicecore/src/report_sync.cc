#include "report_sync.h"

#include "status_macros.h"

namespace q11::device {
namespace {

// Worst first: what the user must act on (a rejection) before what an admin will settle
// (parked), before what only needs a connection (pending).
SyncState Worst(const ReportSync& s) {
  if (!s.rejected.empty()) return SyncState::kRejected;
  if (!s.parked.empty()) return SyncState::kParked;
  if (s.pending > 0) return SyncState::kPending;
  return SyncState::kSynced;
}

}  // namespace

const char* SyncStateName(SyncState state) {
  switch (state) {
    case SyncState::kPending:
      return "pending";
    case SyncState::kParked:
      return "parked";
    case SyncState::kRejected:
      return "rejected";
    case SyncState::kSynced:
      break;
  }
  return "synced";
}

Result<ReportSyncIndex> ReportSyncIndex::Build(Outbox& outbox) {
  ReportSyncIndex index;
  Q11_ASSIGN_OR_RETURN(std::vector<Outbox::EntryReports> entries, outbox.ReportsOfEntries());
  for (const Outbox::EntryReports& e : entries) {
    // Acked entries are settled (applied or merged) and only wait for the pull to carry
    // them; they are not pending, but the report is still known to the index.
    for (const std::string& id : e.report_ids) index.by_report_[id].pending += e.pending ? 1 : 0;
  }
  Q11_ASSIGN_OR_RETURN(std::vector<SettledChange> settled, outbox.ListSettled());
  for (const SettledChange& s : settled) {
    for (const std::string& id : s.report_ids) {
      ReportSync& r = index.by_report_[id];
      if (s.verdict == "merged")
        r.merged_notes.push_back(s);
      else if (s.verdict == "parked")
        r.parked.push_back(s);
      else
        r.rejected.push_back(s);  // rejected, or a verdict this build does not know
    }
  }
  for (auto& [id, r] : index.by_report_) r.state = Worst(r);
  return index;
}

const ReportSync* ReportSyncIndex::Find(const std::string& report_id) const {
  auto it = by_report_.find(report_id);
  return it != by_report_.end() ? &it->second : nullptr;
}

}  // namespace q11::device
