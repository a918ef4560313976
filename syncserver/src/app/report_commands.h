// The monitoring figures on the command line (docs/monitoring.md, "CLI"):
//   syncserver report units --data=DIR --from=DATE --to=DATE [--json|--csv] [--now=ISO]
//   syncserver report cases --data=DIR --from=DATE --to=DATE [--unit=U] [--overdue]
//                           [--json|--csv] [--now=ISO]
// The same Store reads and the same computation (unit_report.h) and JSON/CSV as the HTTP
// API, so the numbers agree; the default output is a readable table. It opens the database
// beside a running server (WAL). Exit codes: 0 ok, 1 failed, 2 usage error.
#pragma once

namespace q11::server {

int RunReportCommand(int argc, char** argv);  // argv[1] == "report"

}  // namespace q11::server
