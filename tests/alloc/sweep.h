// How far the allocation-failure sweeps go: every allocation of the fault-free run under
// Q11_SOAK=1 (the soak), every `ci_stride`-th one otherwise (ctest stays under a minute);
// Q11_ALLOC_STRIDE=K picks any stride. The sweep stops at the first N that the operation
// no longer reaches (nothing failed): N then exceeds the allocations of a fault-free run.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace q11::test {

inline int64_t SweepStride(int64_t ci_stride) {
  if (const char* s = std::getenv("Q11_ALLOC_STRIDE"); s != nullptr && std::atoll(s) > 0)
    return std::atoll(s);
  if (const char* s = std::getenv("Q11_SOAK"); s != nullptr && std::string(s) == "1") return 1;
  return ci_stride;
}

// What a sweep saw; printed at the end so the figures can be quoted.
struct SweepTally {
  int64_t fault_free = 0;            // allocations of the fault-free run
  int64_t runs = 0;                  // failure points tried
  int64_t errors = 0;                // runs that returned an error (Status with a message)
  int64_t absorbed = 0;              // runs that succeeded although an allocation failed
  std::vector<int64_t> absorbed_at;  // their N (SQLite retried, or the failure was benign)

  void Absorbed(int64_t n) {
    ++absorbed;
    absorbed_at.push_back(n);
  }

  void Print(const char* what, int64_t stride, bool persistent, double seconds) const {
    std::printf(
        "%s (%s): %lld allocations in the fault-free run; %lld failure points tried "
        "(stride %lld): %lld clear errors, %lld absorbed (succeeded anyway); every one "
        "recovered and converged; %.1f s\n",
        what, persistent ? "persistent: the Nth and every later allocation fail" : "the Nth fails",
        static_cast<long long>(fault_free), static_cast<long long>(runs),
        static_cast<long long>(stride), static_cast<long long>(errors),
        static_cast<long long>(absorbed), seconds);
    if (!absorbed_at.empty()) {
      std::printf("  absorbed at N =");
      for (int64_t n : absorbed_at) std::printf(" %lld", static_cast<long long>(n));
      std::printf("\n");
    }
    std::fflush(stdout);
  }
};

}  // namespace q11::test
