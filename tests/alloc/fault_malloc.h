// Allocation failures on demand, through SQLite's own malloc hooks: a wrapper over SQLite's
// default allocator (sqlite3_config(SQLITE_CONFIG_MALLOC)) that counts the allocations made
// while it is armed and fails the Nth of them (or the Nth and every one after: persistent).
// Everything else — disarmed, or another allocator than SQLite's — goes straight through.
// Used by the allocation-failure sweeps of tests/alloc (docs/reliability.md, "Memory").
#pragma once

#include <cstdint>

namespace q11::test {

// Installs the wrapper. Must run before anything initialises SQLite (the test binary's
// main calls it first); false when SQLite refused (already initialised).
bool InstallFaultMalloc();

// Starts counting allocations (xMalloc and xRealloc, from every thread) from zero; when
// `fail_at` > 0, the fail_at-th one returns NULL, and so does every later one when
// `persistent`.
void ArmAllocations(int64_t fail_at = 0, bool persistent = false);

struct AllocationCount {
  int64_t made = 0;    // allocations asked for while armed (failed ones included)
  int64_t failed = 0;  // how many of them got NULL
};
// Stops counting and failing; returns what happened since ArmAllocations.
AllocationCount DisarmAllocations();

// Disarms on scope exit, so a failed REQUIRE inside the armed window cannot leave SQLite
// failing for the rest of the test binary.
class ArmedAllocations {
 public:
  ArmedAllocations(int64_t fail_at, bool persistent) { ArmAllocations(fail_at, persistent); }
  ~ArmedAllocations() { Stop(); }
  ArmedAllocations(const ArmedAllocations&) = delete;
  ArmedAllocations& operator=(const ArmedAllocations&) = delete;
  AllocationCount Stop() {
    if (!stopped_) count_ = DisarmAllocations();
    stopped_ = true;
    return count_;
  }

 private:
  bool stopped_ = false;
  AllocationCount count_;
};

}  // namespace q11::test
