// The real Env: wall clock, the kernel's randomness, thread sleep.
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "devicecore/env.h"

namespace q11::device {
namespace {

class RealEnv final : public Env {
 public:
  int64_t NowMs() override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  void RandomBytes(uint8_t* out, size_t n) override {
    // std::random_device reads the kernel's entropy source on Linux (getrandom).
    // Ids only need to be unique, not secret, but a predictable seed would collide.
    static thread_local std::random_device rd;
    for (size_t i = 0; i < n;) {
      uint32_t v = rd();
      for (int k = 0; k < 4 && i < n; ++k, ++i) out[i] = static_cast<uint8_t>(v >> (8 * k));
    }
  }

  void SleepMs(int ms) override {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
};

}  // namespace

Env* DefaultEnv() {
  static RealEnv* env = new RealEnv;  // never destroyed: usable from static destructors
  return env;
}

}  // namespace q11::device
