#include "fault_malloc.h"

#include <sqlite3.h>

#include <atomic>

namespace q11::test {
namespace {

sqlite3_mem_methods g_default{};
std::atomic<bool> g_armed{false};
std::atomic<int64_t> g_made{0};
std::atomic<int64_t> g_failed{0};
std::atomic<int64_t> g_fail_at{0};
std::atomic<bool> g_persistent{false};

// True when this allocation is to fail.
bool Fail() {
  if (!g_armed.load(std::memory_order_acquire)) return false;
  const int64_t n = g_made.fetch_add(1) + 1;
  const int64_t at = g_fail_at.load();
  if (at <= 0 || n < at || (n > at && !g_persistent.load())) return false;
  g_failed.fetch_add(1);
  return true;
}

void* Malloc(int n) { return Fail() ? nullptr : g_default.xMalloc(n); }
void* Realloc(void* p, int n) { return Fail() ? nullptr : g_default.xRealloc(p, n); }
void Free(void* p) { g_default.xFree(p); }
int Size(void* p) { return g_default.xSize(p); }
int Roundup(int n) { return g_default.xRoundup(n); }
int Init(void* app) { return g_default.xInit(app); }
void Shutdown(void* app) { g_default.xShutdown(app); }

}  // namespace

bool InstallFaultMalloc() {
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_default) != SQLITE_OK) return false;
  sqlite3_mem_methods wrapped = g_default;
  wrapped.xMalloc = Malloc;
  wrapped.xRealloc = Realloc;
  wrapped.xFree = Free;
  wrapped.xSize = Size;
  wrapped.xRoundup = Roundup;
  wrapped.xInit = Init;
  wrapped.xShutdown = Shutdown;
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wrapped) != SQLITE_OK) return false;
  return sqlite3_initialize() == SQLITE_OK;
}

void ArmAllocations(int64_t fail_at, bool persistent) {
  g_armed.store(false);
  g_made.store(0);
  g_failed.store(0);
  g_fail_at.store(fail_at);
  g_persistent.store(persistent);
  g_armed.store(true, std::memory_order_release);
}

AllocationCount DisarmAllocations() {
  g_armed.store(false, std::memory_order_release);
  return {g_made.load(), g_failed.load()};
}

}  // namespace q11::test
