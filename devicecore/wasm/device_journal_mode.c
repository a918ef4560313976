/* SQLite's start-up hook for the WebAssembly build (SQLITE_EXTRA_INIT=q11_wasm_sqlite_init).
** The database lives in emscripten's in-memory file system and the web app persists the whole
** file after each write, so a rollback journal on "disk" would only be copied around: every
** connection keeps its journal in memory instead. The build has no WAL (SQLITE_OMIT_WAL), so
** devicecore's "PRAGMA journal_mode=WAL" is a query there and answers "memory", which the
** device schema accepts (as for an in-memory database natively). Atomicity inside a write is
** SQLite's; durability across a closed tab is the app's persistence (docs/app.md). */
#include <sqlite3.h>

static int q11_memory_journal(sqlite3* db, char** error, const struct sqlite3_api_routines* api) {
  (void)error;
  (void)api;
  /* A file that is not a database fails here; devicecore's own first query reports it. */
  sqlite3_exec(db, "PRAGMA journal_mode=MEMORY", 0, 0, 0);
  return SQLITE_OK;
}

int q11_wasm_sqlite_init(const char* unused) {
  (void)unused;
  return sqlite3_auto_extension((void (*)(void))q11_memory_journal);
}
