// watchers_bench: thousands of devices waiting for changes on one real syncserver
// (POST /v1/changes/wait, watcher_reactor.h). Starts the server binary on 127.0.0.1 with
// a temporary data folder, logs in a few accounts through devicecore, opens N waiting
// connections from one epoll thread (WaitCrowd, tests/support), then has a citizen file
// a report through the real sync endpoint and measures, per woken device, the time from
// the end of that sync to the answer. Prints the server's RSS and threads with 0, 1,000
// and N watchers. Figures only, no assertions: run it with scripts/bench-watchers.
//
//   watchers_bench [--watchers=10000] [--accounts=10]
//
// Scenario "all": every watcher is a device of a ward p04 official, so the report
// concerns all of them. Scenario "tenth": one in ten is an official's, the rest citizens'
// devices, which the report does not concern (they must not be woken).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "test_support.h"
#include "wait_crowd.h"

using namespace q11;
using namespace q11::device;
using q11::test::WaitCrowd;
using Clock = std::chrono::steady_clock;

namespace {

struct ProcFigures {
  long rss_kib = 0, hwm_kib = 0, threads = 0;
};

ProcFigures ReadProc(pid_t pid) {
  ProcFigures f;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") in >> f.rss_kib;
    if (key == "VmHWM:") in >> f.hwm_kib;
    if (key == "Threads:") in >> f.threads;
  }
  return f;
}

void PrintProc(const char* label, pid_t pid) {
  ProcFigures f = ReadProc(pid);
  std::printf("  server with %-16s RSS %7.1f MiB  peak %7.1f MiB  threads %ld\n", label,
              f.rss_kib / 1024.0, f.hwm_kib / 1024.0, f.threads);
}

struct Member {
  std::string name, password;
  std::unique_ptr<Database> db;
  std::string bearer;
  uint64_t cursor = 0;
};

bool Refresh(test::ServerProcess& server, Member& a) {
  auto http = MakeHttpTransport(server.url(), 30000);
  if (!http.ok()) return false;
  auto synced = Sync(*a.db, **http);
  if (!synced.ok()) {
    std::fprintf(stderr, "sync %s: %s\n", a.name.c_str(), synced.status().ToString().c_str());
    return false;
  }
  auto request = MakeWaitRequest(*a.db, **http, 25);
  auto cursor = a.db->Cursor();
  if (!request.ok() || !cursor.ok()) return false;
  a.bearer = request->bearer;
  a.cursor = *cursor;
  return true;
}

bool Prepare(test::ServerProcess& server, const std::string& dir, Member& a) {
  auto db = Database::Open(dir + "/" + a.name + ".db");
  auto http = MakeHttpTransport(server.url(), 30000);
  if (!db.ok() || !http.ok() || !Login(**db, **http, server.url(), a.name, a.password).ok())
    return false;
  a.db = std::move(db).value();
  return Refresh(server, a);
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i =
      std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

// Opens `n` waits, one in every `stride` (0: none) on the officials' accounts, the rest
// on the citizens'; paced by the server's own count of held waits, so its worker queue
// never overflows. Prints server figures when `snapshot_at` is reached.
bool OpenCrowd(test::ServerProcess& server, WaitCrowd& crowd, std::vector<Member>& officials,
               std::vector<Member>& citizens, int n, int stride, const char* tag,
               std::vector<bool>* concerned, int base_waiting) {
  const auto t0 = Clock::now();
  constexpr int kBatch = 200;
  for (int i = 0; i < n; ++i) {
    const bool official = stride > 0 && i % stride == 0;
    Member& a = official ? officials[static_cast<size_t>(i / stride) % officials.size()]
                         : citizens[static_cast<size_t>(i) % citizens.size()];
    char device[64];
    std::snprintf(device, sizeof device, "%s-%s-%06d", tag, a.name.c_str(), i);
    if (crowd.Open(a.bearer, device, a.cursor, 60) < 0) {
      std::fprintf(stderr, "open %d: %s\n", i, crowd.error().c_str());
      return false;
    }
    concerned->push_back(official);
    if ((i + 1) % kBatch == 0 || i + 1 == n) {
      if (!server.AwaitWaiting(base_waiting + i + 1, std::chrono::seconds(60))) {
        std::fprintf(stderr, "only %d of %d waits held\n", server.Waiting() - base_waiting, i + 1);
        crowd.Poll(std::chrono::milliseconds(100));
        for (size_t k = 0; k < crowd.size() && k < 5; ++k)
          std::fprintf(stderr, "  wait %zu: %d %s\n", k, crowd.outcome(k).status,
                       crowd.outcome(k).body.c_str());
        return false;
      }
      if (base_waiting + i + 1 == 1000) PrintProc("1,000 watchers:", server.pid());
    }
  }
  std::printf("  opened %d waits in %.2f s (%.0f per second)\n", n, Ms(Clock::now() - t0) / 1000,
              n / (Ms(Clock::now() - t0) / 1000));
  return true;
}

// Files a report in ward p04 as `citizen` through the real sync; returns when it ended.
Clock::time_point Commit(test::ServerProcess& server, Member& citizen, int n,
                         Clock::time_point* started) {
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = "p04";
  r.title = "Đèn đường hỏng số " + std::to_string(n);
  r.description = "Đèn đường tắt cả tuần.";
  if (!citizen.db->FileReport(r).ok()) std::fprintf(stderr, "file report failed\n");
  auto http = MakeHttpTransport(server.url(), 30000);
  *started = Clock::now();
  auto synced = Sync(*citizen.db, **http);
  if (!synced.ok()) std::fprintf(stderr, "push: %s\n", synced.status().ToString().c_str());
  return Clock::now();
}

void Scenario(test::ServerProcess& server, const char* name, int n, int stride,
              std::vector<Member>& officials, std::vector<Member>& citizens, Member& lan,
              int round) {
  std::printf("\nscenario %s: %d watchers, %s concerned by one report\n", name, n,
              stride == 1 ? "all" : ("1 in " + std::to_string(stride)).c_str());
  for (Member& a : officials) Refresh(server, a);
  for (Member& a : citizens) Refresh(server, a);
  WaitCrowd crowd(server.port());
  std::vector<bool> concerned;
  if (!OpenCrowd(server, crowd, officials, citizens, n, stride, name, &concerned, 0)) return;
  PrintProc((std::to_string(n) + " watchers:").c_str(), server.pid());
  crowd.Poll(std::chrono::milliseconds(100));
  if (crowd.finished() != 0) std::printf("  !! %zu answered before the commit\n", crowd.finished());

  Clock::time_point push_start;
  const double cpu0 = server.CpuSeconds();
  const Clock::time_point push_end = Commit(server, lan, round, &push_start);
  size_t want = static_cast<size_t>(std::count(concerned.begin(), concerned.end(), true));
  crowd.Poll(std::chrono::seconds(60), want);
  const auto woken_all = Clock::now();
  const double cpu = server.CpuSeconds() - cpu0;
  std::vector<double> from_end, from_start;
  size_t missing = 0, wrong = 0, false_wakes = 0;
  for (size_t i = 0; i < crowd.size(); ++i) {
    const WaitCrowd::Outcome& o = crowd.outcome(i);
    if (!concerned[i]) {
      if (o.answered) ++false_wakes;
      continue;
    }
    if (!o.answered) {
      ++missing;
      continue;
    }
    if (o.body != R"({"changed":true})") ++wrong;
    from_end.push_back(Ms(o.at - push_end));
    from_start.push_back(Ms(o.at - push_start));
  }
  // A little longer: would any unconcerned device be woken late?
  crowd.Poll(std::chrono::milliseconds(500));
  for (size_t i = 0; i < crowd.size(); ++i)
    if (!concerned[i] && crowd.outcome(i).answered) ++false_wakes;
  std::printf("  push (citizen's sync) took %.1f ms\n", Ms(push_end - push_start));
  std::printf(
      "  woken %zu of %zu concerned (missing %zu, wrong answer %zu); "
      "unconcerned woken: %zu\n",
      from_end.size(), want, missing, wrong, false_wakes);
  std::printf("  wake-up after the end of the push:   p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n",
              Percentile(from_end, 0.5), Percentile(from_end, 0.99), Percentile(from_end, 1.0));
  std::printf("  wake-up after the start of the push: p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n",
              Percentile(from_start, 0.5), Percentile(from_start, 0.99),
              Percentile(from_start, 1.0));
  std::printf(
      "  last concerned device answered %.1f ms after the push; server CPU from the "
      "push to then: %.2f s\n",
      Ms(woken_all - push_end), cpu);
  PrintProc("them answered:", server.pid());
  // Hang up on the rest; the server frees their places.
  for (size_t i = 0; i < crowd.size(); ++i) crowd.Close(i);
  const auto t0 = Clock::now();
  while (server.Waiting() > 0 && Clock::now() - t0 < std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::printf("  %zu hang-ups noticed within %.0f ms (still held: %d)\n", crowd.size(),
              Ms(Clock::now() - t0), server.Waiting());
}

// Commits that concern nobody waiting, back to back: every one makes the server ask all
// `n` held devices again. What that costs the server, and whether syncs slow down.
void Steady(test::ServerProcess& server, int n, int pushes, std::vector<Member>& officials,
            std::vector<Member>& citizens, Member& lan) {
  std::printf("\nscenario steady: %d pushes back to back, %s watchers none of them concerns\n",
              pushes, n == 0 ? "no" : std::to_string(n).c_str());
  for (Member& a : citizens) Refresh(server, a);
  WaitCrowd crowd(server.port());
  std::vector<bool> concerned;
  if (n > 0 && !OpenCrowd(server, crowd, officials, citizens, n, 0, "steady", &concerned, 0))
    return;
  // lan's own devices are not waiting; the officials are not either.
  const double cpu0 = server.CpuSeconds();
  std::vector<double> push_ms;
  const auto t0 = Clock::now();
  for (int i = 0; i < pushes; ++i) {
    Clock::time_point started;
    Clock::time_point ended = Commit(server, lan, 100 + i, &started);
    push_ms.push_back(Ms(ended - started));
  }
  const double wall = Ms(Clock::now() - t0) / 1000;
  // Let the last round of questions finish before reading the CPU time.
  crowd.Poll(std::chrono::milliseconds(1500));
  const double cpu = server.CpuSeconds() - cpu0;
  std::printf(
      "  %d pushes in %.2f s: push p50 %.1f ms, max %.1f ms; server CPU %.2f s "
      "(%.1f ms per push, incl. the 1.5 s after)\n",
      pushes, wall, Percentile(push_ms, 0.5), Percentile(push_ms, 1.0), cpu, cpu * 1000 / pushes);
  if (n > 0) std::printf("  unconcerned woken: %zu of %d\n", crowd.finished(), n);
  for (size_t i = 0; i < crowd.size(); ++i) crowd.Close(i);
  while (server.Waiting() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace

int main(int argc, char** argv) {
  int watchers = 10000, accounts = 10;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--watchers=", 11) == 0)
      watchers = std::atoi(argv[i] + 11);
    else if (std::strncmp(argv[i], "--accounts=", 11) == 0)
      accounts = std::atoi(argv[i] + 11);
    else {
      std::fprintf(stderr, "usage: watchers_bench [--watchers=10000] [--accounts=10]\n");
      return 2;
    }
  }
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < static_cast<rlim_t>(watchers) + 100) {
    std::fprintf(stderr, "open-files limit %llu is too low for %d watchers\n",
                 static_cast<unsigned long long>(files.rlim_cur), watchers);
    return 1;
  }

  test::TempDir tmp;
  test::ServerProcess server(tmp.File("server"));
  std::vector<Member> officials, citizens;
  for (int i = 0; i < accounts; ++i) {
    officials.push_back({"canbo." + std::to_string(i), "mat-khau-canbo", nullptr, "", 0});
    citizens.push_back({"dan." + std::to_string(i), "mat-khau-dan", nullptr, "", 0});
    if (!server.AddUser(officials.back().name, officials.back().password, "official", "p04") ||
        !server.AddUser(citizens.back().name, citizens.back().password, "citizen"))
      return 1;
  }
  Member lan{"lan", "mat-khau-lan", nullptr, "", 0};
  if (!server.AddUser(lan.name, lan.password, "citizen")) return 1;
  const std::string max_watchers = std::to_string(watchers + 1000);
  if (!server.Start({"--threads=16", "--max-connections-per-address=0", "--sync-per-minute=0",
                     "--access-ttl-seconds=3600", "--max-watchers=" + max_watchers, "--quiet"})) {
    std::fprintf(stderr, "%s\n", server.error().c_str());
    return 1;
  }
  for (Member& a : officials)
    if (!Prepare(server, tmp.path(), a)) return 1;
  for (Member& a : citizens)
    if (!Prepare(server, tmp.path(), a)) return 1;
  if (!Prepare(server, tmp.path(), lan)) return 1;

  std::printf(
      "watchers_bench: %d watchers, %d official and %d citizen accounts, server "
      "--threads=16, %u cores\n",
      watchers, accounts, accounts, std::thread::hardware_concurrency());
  PrintProc("0 watchers:", server.pid());
  Scenario(server, "all", watchers, 1, officials, citizens, lan, 1);
  Scenario(server, "tenth", watchers, 10, officials, citizens, lan, 2);
  Steady(server, 0, 20, officials, citizens, lan);
  Steady(server, watchers, 20, officials, citizens, lan);
  server.Stop();
  return 0;
}
