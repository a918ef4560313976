// `syncserver audit verify`: checks the audit trail's hash chain (audit/audit_chain.h).
#pragma once

namespace q11::server {

int RunAuditCommand(int argc, char** argv);

}  // namespace q11::server
