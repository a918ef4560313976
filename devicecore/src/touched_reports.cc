#include "touched_reports.h"

#include <algorithm>

#include "changeset_reader.h"
#include "status_macros.h"

namespace q11::device {

Result<std::vector<std::string>> TouchedReports(std::string_view changeset,
                                                const EventOwner& owner) {
  std::vector<std::string> ids;
  auto add = [&ids](std::string id) {
    if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())
      ids.push_back(std::move(id));
  };
  ChangesetReader reader(changeset);
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    if (reader.table() == "reports") {
      add(reader.Text(0));
    } else if (reader.table() == "photos") {
      // Append-only: an INSERT or a DELETE, both carry report_id (column 1).
      if (reader.Value(1) != nullptr) add(reader.Text(1));
    } else if (reader.table() == "case_events") {
      // report_id (column 1) is absent from an UPDATE that did not change it.
      if (reader.Value(1) != nullptr) {
        add(reader.Text(1));
      } else {
        Q11_ASSIGN_OR_RETURN(std::string report, owner(reader.Text(0)));
        add(std::move(report));
      }
    }
  }
  return ids;
}

std::string JoinReportIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += '\n';
    out += id;
  }
  return out;
}

std::vector<std::string> SplitReportIds(std::string_view stored) {
  std::vector<std::string> out;
  while (!stored.empty()) {
    size_t nl = stored.find('\n');
    std::string_view id = stored.substr(0, nl);
    if (!id.empty()) out.emplace_back(id);
    if (nl == std::string_view::npos) break;
    stored.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace q11::device
