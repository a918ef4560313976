// main of alloc_fault_tests: installs the failing allocator (fault_malloc.h) before
// anything touches SQLite, then runs Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>

#include "fault_malloc.h"

int main(int argc, char* argv[]) {
  if (!q11::test::InstallFaultMalloc()) {
    std::fprintf(stderr, "alloc_fault_tests: SQLite refused SQLITE_CONFIG_MALLOC\n");
    return 1;
  }
  return Catch::Session().run(argc, argv);
}
