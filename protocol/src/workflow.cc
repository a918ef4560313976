#include "protocol/workflow.h"

namespace q11::workflow {
namespace {

enum Who { kStaff, kLeaders, kCitizenOrLeaders };

struct Transition {
  std::string_view from, to;
  Who who;
};

// The one place the workflow lives (docs/workflow.md).
constexpr Transition kTransitions[] = {
    {"new", "accepted", kStaff},
    {"new", "rejected", kStaff},
    {"new", "duplicate", kStaff},
    // A field officer who starts at once (the benchmark's scenario C).
    {"new", "in_progress", kStaff},
    {"accepted", "assigned", kStaff},
    {"accepted", "in_progress", kStaff},
    {"accepted", "rejected", kStaff},
    {"accepted", "duplicate", kStaff},
    {"assigned", "in_progress", kStaff},
    {"assigned", "rejected", kStaff},
    {"assigned", "duplicate", kStaff},
    {"in_progress", "resolved", kStaff},
    {"in_progress", "assigned", kStaff},  // handed on to another unit
    {"resolved", "closed", kStaff},
    {"resolved", "in_progress", kStaff},  // the official finds the result incomplete
    {"resolved", "reopened", kCitizenOrLeaders},
    {"closed", "reopened", kCitizenOrLeaders},
    {"closed", "in_progress", kLeaders},
    {"reopened", "assigned", kStaff},
    {"reopened", "in_progress", kStaff},
    {"reopened", "resolved", kStaff},
    {"rejected", "accepted", kLeaders},
    {"duplicate", "accepted", kLeaders},
};

bool Covers(Who who, std::string_view role) {
  if (role == "leader" || role == "admin") return true;
  if (role == "official") return who == kStaff;
  if (role == "citizen") return who == kCitizenOrLeaders;
  return false;
}

}  // namespace

bool IsStatus(std::string_view status) {
  for (std::string_view s : kStatuses)
    if (s == status) return true;
  return false;
}

bool TransitionAllowed(std::string_view role, std::string_view from, std::string_view to) {
  if (from == to) return IsStatus(to);
  for (const Transition& t : kTransitions)
    if (t.from == from && t.to == to) return Covers(t.who, role);
  return false;
}

std::string AllowedNext(std::string_view role, std::string_view from) {
  std::string allowed;
  for (const Transition& t : kTransitions) {
    if (t.from != from || !Covers(t.who, role)) continue;
    allowed += allowed.empty() ? "" : ", ";
    allowed += t.to;
  }
  return allowed.empty() ? "none" : allowed;
}

bool IsOpen(std::string_view s) {
  return s == "new" || s == "accepted" || s == "assigned" || s == "in_progress" || s == "reopened";
}

bool Finishes(std::string_view s) {
  return s == "resolved" || s == "rejected" || s == "duplicate" || s == "closed";
}

std::string_view StatusNameVi(std::string_view s) {
  if (s == "new") return "Mới tiếp nhận";
  if (s == "accepted") return "Đã tiếp nhận";
  if (s == "assigned") return "Đã giao đơn vị xử lý";
  if (s == "in_progress") return "Đang xử lý";
  if (s == "resolved") return "Đã có kết quả";
  if (s == "closed") return "Đã kết thúc";
  if (s == "rejected") return "Không tiếp nhận";
  if (s == "duplicate") return "Trùng phản ánh khác";
  if (s == "reopened") return "Người dân yêu cầu xử lý lại";
  return "Không rõ";
}

std::string_view StatusNameEn(std::string_view s) {
  if (s == "new") return "Received";
  if (s == "accepted") return "Accepted";
  if (s == "assigned") return "Assigned to a unit";
  if (s == "in_progress") return "In progress";
  if (s == "resolved") return "Resolved";
  if (s == "closed") return "Closed";
  if (s == "rejected") return "Rejected";
  if (s == "duplicate") return "Duplicate of another report";
  if (s == "reopened") return "Reopened by the citizen";
  return "Unknown";
}

}  // namespace q11::workflow
