// q11 dev exec: raw SQL through the captured write path, to play a modified client in
// tests (the server must refuse what the rules forbid).
#include <iostream>

#include "cli.h"

namespace q11::cli {

int RunDevExec(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto before = db->OutboxCount();
  Status s = db->ExecCaptured(ctx.args().positionals()[0]);
  if (!s.ok()) return ctx.Fail(s);
  auto after = db->OutboxCount();
  if (before.ok() && after.ok())
    std::cout << (*after > *before ? "captured as 1 outbox entry\n" : "no synced row changed\n");
  return kExitOk;
}

}  // namespace q11::cli
