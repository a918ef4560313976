// The watcher reactor in-process, over a real store, with socket pairs standing in for the
// detached HTTP connections: a commit wakes only the devices it concerns, deadlines answer
// false, hang-ups free places, a full reactor refuses, identical questions are asked once,
// and stopping answers everyone.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "server_test_support.h"
#include "sync/change_notifier.h"
#include "sync/watcher_reactor.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// The device's end of a held connection.
struct Device {
  std::optional<Fd> end;  // reset: the device hangs up
  // Everything the reactor wrote before closing, or "" when nothing came within `wait`.
  std::string Answer(milliseconds wait = milliseconds(5000)) {
    std::string got;
    pollfd p{end->get(), POLLIN, 0};
    const auto deadline = Clock::now() + wait;
    while (Clock::now() < deadline) {
      int left = static_cast<int>(
          std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
      if (::poll(&p, 1, std::max(1, left)) <= 0) break;
      char buf[512];
      ssize_t n = ::read(end->get(), buf, sizeof buf);
      if (n <= 0) break;  // closed after the answer
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
};

struct Field {
  Field(int max_watchers = 100) : notifier(4) {
    WatcherReactor::Options o;
    o.max_watchers = max_watchers;
    auto r = WatcherReactor::Start(*f.store, notifier, o);
    REQUIRE(r.ok());
    reactor = std::move(*r);
  }
  uint64_t Head() { return std::stoull(f.Query("SELECT coalesce(max(seq), 0) FROM row_audience")); }
  // Holds a wait of `who` on `device` from the current head; false when refused.
  bool Hold(const Account& who, const std::string& device, Device* out,
            milliseconds timeout = milliseconds(30000), uint64_t cursor = UINT64_MAX) {
    WatcherReactor::Ticket t = reactor->Reserve();
    if (!t) return false;
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    out->end.emplace(fds[0]);
    auto q = std::make_shared<WaitQuestion>(
        WaitQuestion{who, device, cursor == UINT64_MAX ? Head() : cursor});
    reactor->Hold(std::move(t), Fd(fds[1]), std::move(q), notifier.version(),
                  Clock::now() + timeout);
    return true;
  }
  bool AwaitSleeping(int n) {
    for (int i = 0; i < 2000; ++i) {
      if (notifier.sleeping() == n) return true;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return false;
  }
  void FileReport(const std::string& ward) {
    DeviceDb phone;
    std::string id = NewId();
    REQUIRE(
        f.PushOne(f.citizen, "phone-" + id, 1, phone.Capture(InsertReportSql(id, ward))).verdict ==
        wire::Verdict::kApplied);
    notifier.Notify();  // the server's on_commit hook
  }

  StoreFixture f;
  ChangeNotifier notifier;
  std::unique_ptr<WatcherReactor> reactor;
};

constexpr const char* kTrue = "{\"changed\":true}";
constexpr const char* kFalse = "{\"changed\":false}";

}  // namespace

TEST_CASE("Watcher reactor: a commit wakes the devices it concerns, and only them") {
  Field w;
  Device p04, p05, minh;
  REQUIRE(w.Hold(w.f.official_p04, "tablet-p04", &p04));
  REQUIRE(w.Hold(w.f.official_p05, "tablet-p05", &p05));
  REQUIRE(w.Hold(w.f.other_citizen, "phone-minh", &minh));
  REQUIRE(w.AwaitSleeping(3));
  w.FileReport("p04");
  std::string answer = p04.Answer();
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(answer, Catch::Contains("Connection: close\r\n"));
  CHECK_THAT(answer, Catch::EndsWith(kTrue));
  CHECK(p05.Answer(milliseconds(300)).empty());
  CHECK(minh.Answer(milliseconds(10)).empty());
  CHECK(w.AwaitSleeping(2));
  w.reactor->Stop();  // the rest are answered at once
  CHECK_THAT(p05.Answer(), Catch::EndsWith(kFalse));
  CHECK_THAT(minh.Answer(), Catch::EndsWith(kFalse));
  CHECK(w.notifier.sleeping() == 0);
  CHECK(w.reactor->held() == 0);
}

TEST_CASE("Watcher reactor: a change already there when held is found by the next round") {
  Field w;
  const uint64_t before = w.Head();
  w.FileReport("p04");  // committed after the device's cursor, before it is held
  Device p04;
  // Seen = the version now: only a later commit makes the reactor ask.
  REQUIRE(w.Hold(w.f.official_p04, "tablet-p04", &p04, milliseconds(30000), before));
  REQUIRE(w.AwaitSleeping(1));
  w.notifier.Notify();  // an unrelated commit
  CHECK_THAT(p04.Answer(), Catch::EndsWith(kTrue));
}

TEST_CASE("Watcher reactor: the timeout answers false") {
  Field w;
  Device d;
  const auto t0 = Clock::now();
  REQUIRE(w.Hold(w.f.citizen, "phone-lan", &d, milliseconds(200)));
  CHECK_THAT(d.Answer(), Catch::EndsWith(kFalse));
  CHECK(Clock::now() - t0 >= milliseconds(190));
  CHECK(w.AwaitSleeping(0));
}

TEST_CASE("Watcher reactor: a full reactor refuses; a hang-up gives the place back") {
  Field w(2);
  Device a, b, c;
  REQUIRE(w.Hold(w.f.citizen, "phone-1", &a));
  REQUIRE(w.Hold(w.f.citizen, "phone-2", &b));
  CHECK_FALSE(w.Hold(w.f.citizen, "phone-3", &c));
  REQUIRE(w.AwaitSleeping(2));
  a.end.reset();  // the device hangs up
  REQUIRE(w.AwaitSleeping(1));
  CHECK(w.reactor->held() == 1);
  CHECK(w.Hold(w.f.citizen, "phone-3", &c));
}

TEST_CASE("Watcher reactor: identical questions are asked once per round") {
  Field w;
  Device a, b, c;
  const uint64_t head = w.Head();
  REQUIRE(w.Hold(w.f.official_p05, "tablet", &a, milliseconds(30000), head));
  REQUIRE(w.Hold(w.f.official_p05, "tablet", &b, milliseconds(30000), head));
  REQUIRE(w.Hold(w.f.official_p05, "other-tablet", &c, milliseconds(30000), head));
  REQUIRE(w.AwaitSleeping(3));
  const uint64_t asked = w.reactor->questions_asked();
  w.notifier.Notify();
  for (int i = 0; i < 2000 && w.reactor->questions_asked() < asked + 2; ++i)
    std::this_thread::sleep_for(milliseconds(2));
  std::this_thread::sleep_for(milliseconds(50));
  CHECK(w.reactor->questions_asked() == asked + 2);
}

TEST_CASE("Watcher reactor: a connection handed over after Stop is answered at once") {
  Field w;
  WatcherReactor::Ticket t = w.reactor->Reserve();
  REQUIRE(t);
  w.reactor->Stop();
  CHECK_FALSE(w.reactor->Reserve());
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  Device d;
  d.end.emplace(fds[0]);
  w.reactor->Hold(std::move(t), Fd(fds[1]),
                  std::make_shared<WaitQuestion>(WaitQuestion{w.f.citizen, "phone", 0}),
                  w.notifier.version(), Clock::now() + milliseconds(30000));
  CHECK_THAT(d.Answer(), Catch::EndsWith(kFalse));
  CHECK(w.reactor->held() == 0);
}
