// q11_bench: runs the reports-v1 workload (../shared/bench/WORKLOAD.md) against the real
// syncserver (a child process on 127.0.0.1 with its data on disk, durable settings) and
// real device databases on disk, and prints per scenario: wall time, bytes up/down on the
// wire (HTTP headers and bodies), server CPU seconds, and the server's peak RSS.
//
//   q11_bench [--workload=FILE] [--runs=3] [--parallel=8] [--perf=SCENARIO]
//
// --perf=C1 records the server and this process with `perf record -g` during that scenario
// only (perf-C1.data in the current folder; `perf report -i perf-C1.data --comm syncserver`).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "protocol/ids.h"
#include "q11sqlite/sqlite.h"
#include "test_backend.h"
#include "test_support.h"
#include "workload.h"

using namespace q11;
using namespace q11::device;
using q11::bench::WorkloadReport;

namespace {

using Clock = std::chrono::steady_clock;

std::string g_perf_scenario;  // --perf=SCENARIO: profile that scenario only

// Runs `perf record` on the server and this process while alive, when `scenario` is the one
// asked for with --perf; a no-op otherwise.
class ScenarioProfile {
 public:
  ScenarioProfile(const std::string& scenario, pid_t server) {
    if (scenario != g_perf_scenario) return;
    std::string pids = std::to_string(server) + "," + std::to_string(getpid());
    std::string out = "perf-" + scenario + ".data";
    pid_ = fork();
    if (pid_ == 0) {
      execlp("perf", "perf", "record", "-q", "--call-graph=dwarf,16384", "-F", "2000", "-o",
             out.c_str(), "-p", pids.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    usleep(500 * 1000);  // let perf attach before the scenario starts
  }
  ~ScenarioProfile() {
    if (pid_ <= 0) return;
    kill(pid_, SIGINT);
    int st = 0;
    waitpid(pid_, &st, 0);
  }
  ScenarioProfile(const ScenarioProfile&) = delete;
  ScenarioProfile& operator=(const ScenarioProfile&) = delete;

 private:
  pid_t pid_ = -1;
};

struct Figures {
  double seconds = 0;
  int64_t up = 0, down = 0;
  double server_cpu = 0;
  double device_cpu = 0;  // this process: all the devices' work
  int64_t disk = 0;       // bytes the server wrote towards its disk
  double db_cpu = 0;      // PostgreSQL's processes (0 on SQLite: inside server_cpu)
};

// User + system CPU seconds of this process (all device threads).
double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct RunResult {
  std::map<std::string, Figures> scenario;
  long peak_rss_kib = 0;
  std::vector<std::string> checks;  // what was verified, for the log
  bool ok = true;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "q11_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

void MustOk(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else
      out += c;
  }
  return out + "'";
}

// Runs fn(i) for i in [0, n) on `parallel` threads; each thread takes the next index.
void ForEachParallel(int n, int parallel, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < parallel; ++t)
    threads.emplace_back([&] {
      for (int i = next++; i < n; i = next++) fn(i);
    });
  for (auto& t : threads) t.join();
}

struct Device {
  std::unique_ptr<Database> db;
  std::string name;
};

Figures SyncAll(const std::string& scenario, std::vector<Device>& devices, int parallel,
                const std::string& url, test::ServerProcess& server) {
  std::atomic<int64_t> up{0}, down{0};
  ScenarioProfile profile(scenario, server.pid());
  double cpu0 = server.CpuSeconds(), self0 = SelfCpuSeconds(), db0 = test::DatabaseCpuSeconds();
  int64_t disk0 = server.DiskBytesWritten();
  auto t0 = Clock::now();
  ForEachParallel(static_cast<int>(devices.size()), parallel, [&](int i) {
    auto http = Must(MakeHttpTransport(url), "connect");
    auto r = Must(Sync(*devices[i].db, *http), "sync " + devices[i].name);
    up += r.bytes_up;
    down += r.bytes_down;
  });
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  f.server_cpu = server.CpuSeconds() - cpu0;
  f.db_cpu = test::DatabaseCpuSeconds() - db0;
  f.device_cpu = SelfCpuSeconds() - self0;
  f.disk = server.DiskBytesWritten() - disk0;
  f.up = up;
  f.down = down;
  return f;
}

Figures SyncOne(const std::string& scenario, Database& db, const std::string& url,
                test::ServerProcess& server, SyncResult* out = nullptr) {
  auto http = Must(MakeHttpTransport(url), "connect");
  ScenarioProfile profile(scenario, server.pid());
  double cpu0 = server.CpuSeconds(), self0 = SelfCpuSeconds(), db0 = test::DatabaseCpuSeconds();
  int64_t disk0 = server.DiskBytesWritten();
  auto t0 = Clock::now();
  auto r = Must(Sync(db, *http), "sync");
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  f.server_cpu = server.CpuSeconds() - cpu0;
  f.db_cpu = test::DatabaseCpuSeconds() - db0;
  f.device_cpu = SelfCpuSeconds() - self0;
  f.disk = server.DiskBytesWritten() - disk0;
  f.up = r.bytes_up;
  f.down = r.bytes_down;
  if (out) *out = r;
  return f;
}

int64_t CountWhere(Database& db, const std::function<bool(const Report&)>& pred) {
  auto all = Must(db.ListReports(), "list reports");
  return std::count_if(all.begin(), all.end(), pred);
}

std::string IdList(const std::vector<WorkloadReport>& w, const std::function<bool(int)>& pick,
                   int limit = -1) {
  std::string out;
  int n = 0;
  for (const auto& r : w) {
    if (!pick(r.index)) continue;
    if (limit >= 0 && n >= limit) break;
    out += (out.empty() ? "" : ",") + Quote(r.id);
    ++n;
  }
  return out;
}

void Check(RunResult& res, bool cond, const std::string& what) {
  res.checks.push_back(std::string(cond ? "ok   " : "FAIL ") + what);
  if (!cond) res.ok = false;
}

// One number from the server's database, whichever backend; -1 when it cannot be read.
int64_t ServerCount(const test::ServerProcess& server, const std::string& sql) {
  std::string error;
  auto rows = test::ServerRows(server.data_dir(), sql, &error);
  if (!rows || rows->empty() || !(*rows)[0][0]) return -1;
  return std::stoll(*(*rows)[0][0]);
}

RunResult RunOnce(const std::vector<WorkloadReport>& work, int parallel) {
  RunResult res;
  test::TempDir tmp;
  test::ServerProcess server(tmp.File("server"));
  const int kDevices = 100;
  std::fprintf(stderr, "  creating %d citizen accounts and 2 officials...\n", kDevices);
  ForEachParallel(kDevices, 2, [&](int d) {
    char name[16];
    std::snprintf(name, sizeof name, "cit-%03d", d);
    if (!server.AddUser(name, "bench-pass", "citizen")) Die("user add: " + server.error());
  });
  if (!server.AddUser("can-bo-a", "bench-pass", "official", "q11") ||
      !server.AddUser("can-bo-b", "bench-pass", "official", "q11"))
    Die("user add: " + server.error());
  if (!server.Start()) Die(server.error());
  const std::string url = server.url();

  // Local creation (for information): each device files its 100 reports offline, one
  // transaction per report, through the captured write path.
  std::vector<Device> devices(kDevices);
  std::fprintf(stderr, "  logging in %d devices...\n", kDevices);
  ForEachParallel(kDevices, parallel, [&](int d) {
    char name[16];
    std::snprintf(name, sizeof name, "cit-%03d", d);
    devices[d].name = name;
    devices[d].db = Must(Database::Open(tmp.File(std::string(name) + ".db")), "open device");
    auto http = Must(MakeHttpTransport(url), "connect");
    Must(Login(*devices[d].db, *http, url, name, "bench-pass"), "login");
  });
  std::vector<std::vector<const WorkloadReport*>> by_device(kDevices);
  for (const auto& r : work) by_device[r.device].push_back(&r);
  auto t0 = Clock::now();
  ForEachParallel(kDevices, parallel, [&](int d) {
    Database& db = *devices[d].db;
    // The app's own path (a receipt code made on the phone, the checks, one captured
    // transaction), keeping the workload's ids and creation times.
    for (const WorkloadReport* r : by_device[d]) {
      NewReport report;
      report.category_id = r->category_id;
      report.ward_id = r->ward_id;
      report.title = r->title;
      report.description = r->description;
      report.lat = r->lat;
      report.lon = r->lon;
      report.id = r->id;
      report.created_at = r->created_at;
      Must(db.FileReport(report), "file report");
    }
  });
  res.scenario["local"].seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  // A: every device syncs, `parallel` at a time.
  std::fprintf(stderr, "  A upload...\n");
  res.scenario["A"] = SyncAll("A", devices, parallel, url, server);
  Check(res, ServerCount(server, "SELECT count(*) FROM reports") == 10000,
        "A: server holds 10,000 reports");
  bool own_only = true;
  for (auto& d : devices)
    own_only = own_only && CountWhere(*d.db, [](const Report&) { return true; }) == 100;
  Check(res, own_only, "A: every citizen device holds exactly its own 100 reports");

  // B: a fresh official device pulls everything.
  std::fprintf(stderr, "  B fan-out pull...\n");
  auto official_a = Must(Database::Open(tmp.File("can-bo-a.db")), "open official");
  {
    auto http = Must(MakeHttpTransport(url), "connect");
    Must(Login(*official_a, *http, url, "can-bo-a", "bench-pass"), "login official");
  }
  res.scenario["B"] = SyncOne("B", *official_a, url, server);
  Check(res, CountWhere(*official_a, [](const Report&) { return true; }) == 10000,
        "B: official holds 10,000 reports");

  // C: the official moves 1,000 reports to in_progress in one local transaction.
  std::string now = FormatUtc(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  std::string c_ids = IdList(work, [](int g) { return g % 10 == 3; });
  MustOk(official_a->ExecCaptured("UPDATE reports SET status='in_progress', updated_at=" +
                                  Quote(now) + " WHERE id IN (" + c_ids + ")"),
         "C update");
  std::fprintf(stderr, "  C1 official sync, C2 citizens sync...\n");
  res.scenario["C1"] = SyncOne("C1", *official_a, url, server);
  res.scenario["C2"] = SyncAll("C2", devices, parallel, url, server);
  int64_t seen = 0;
  for (auto& d : devices)
    seen += CountWhere(*d.db, [](const Report& r) { return r.status == "in_progress"; });
  Check(res, seen == 1000,
        "C2: all 1,000 updates visible on the citizens' devices (" + std::to_string(seen) + ")");

  // D: two officials edit the same 100 reports offline.
  std::fprintf(stderr, "  D conflict...\n");
  auto official_b = Must(Database::Open(tmp.File("can-bo-b.db")), "open official b");
  {
    auto http = Must(MakeHttpTransport(url), "connect");
    Must(Login(*official_b, *http, url, "can-bo-b", "bench-pass"), "login official b");
    Must(Sync(*official_b, *http), "bring official b up to date");
  }
  auto d_pick = [](int g) { return g % 100 == 7; };
  std::string d_ids = IdList(work, d_pick);
  std::string d_first20 = IdList(work, d_pick, 20);
  MustOk(official_a->ExecCaptured("UPDATE reports SET status='accepted', updated_at=" + Quote(now) +
                                  " WHERE id IN (" + d_ids + ")"),
         "D: A accepts");
  MustOk(official_b->ExecCaptured("UPDATE reports SET assigned_unit='phong-qldt' WHERE id IN (" +
                                  d_ids + "); UPDATE reports SET status='rejected' WHERE id IN (" +
                                  d_first20 + ")"),
         "D: B assigns and rejects");
  SyncResult ra, rb, ra2;
  Figures d1 = SyncOne("D", *official_a, url, server, &ra);
  Figures d2 = SyncOne("D2", *official_b, url, server, &rb);
  Figures d3 = SyncOne("D3", *official_a, url, server, &ra2);
  res.scenario["D"] = {d1.seconds + d2.seconds + d3.seconds, d1.up + d2.up + d3.up,
                       d1.down + d2.down + d3.down, d1.server_cpu + d2.server_cpu + d3.server_cpu,
                       d1.device_cpu + d2.device_cpu + d3.device_cpu, d1.disk + d2.disk + d3.disk,
                       d1.db_cpu + d2.db_cpu + d3.db_cpu};
  auto state = [&](Database& db) {
    std::map<std::string, std::string> m;
    for (const Report& r : Must(db.ListReports(), "list"))
      m[r.id] = r.status + "/" + r.assigned_unit.value_or("-");
    return m;
  };
  auto sa = state(*official_a), sb = state(*official_b);
  std::map<std::string, std::string> ss;
  {
    std::string error;
    auto rows = test::ServerRows(server.data_dir(),
                                 "SELECT id, status, coalesce(assigned_unit, '-') FROM reports",
                                 &error);
    if (!rows) Die("read the server's reports: " + error);
    for (const auto& row : *rows) ss[row[0].value_or("")] = *row[1] + "/" + *row[2];
  }
  Check(res, sa == ss && sb == ss,
        "D: officials A, B and the server converge on all 10,000 reports");
  int merged_ok = 0, kept_server = 0;
  for (const auto& r : work) {
    if (!d_pick(r.index)) continue;
    if (ss[r.id] == "accepted/phong-qldt") ++merged_ok;
    if (ss[r.id].rfind("accepted/", 0) == 0) ++kept_server;
  }
  Check(res, merged_ok == 100,
        "D: all 100 carry A's status and B's unit (" + std::to_string(merged_ok) + ")");
  int64_t parked = ServerCount(server, "SELECT count(*) FROM conflicts");
  Check(res, parked == 20,
        "D: the 20 same-column status edits are parked for an admin (" + std::to_string(parked) +
            " conflicts; B's verdicts: merged " + std::to_string(rb.merged) + ", parked " +
            std::to_string(rb.parked) + ")");
  auto settled = Must(official_b->SettledChanges(), "settled");
  Check(res, !settled.empty(), "D: B's device keeps the parked change visible with its reason");

  res.peak_rss_kib = server.PeakRssKiB();
  server.Stop();
  return res;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}


// Runs the scenarios `runs` times on the backend Q11_TEST_BACKEND names; prints the table.
bool RunBackend(const std::string& backend, const std::vector<WorkloadReport>& work, int runs,
                int parallel) {
  std::printf("\n== backend: %s ==\n", backend.c_str());
  std::vector<RunResult> results;
  bool all_ok = true;
  for (int r = 0; r < runs; ++r) {
    std::fprintf(stderr, "%s run %d/%d\n", backend.c_str(), r + 1, runs);
    results.push_back(RunOnce(work, parallel));
    for (const auto& c : results.back().checks) std::printf("  run %d: %s\n", r + 1, c.c_str());
    all_ok = all_ok && results.back().ok;
  }
  const char* order[] = {"local", "A", "B", "C1", "C2", "D"};
  std::printf(
      "\n%-6s %8s %9s %9s %13s %9s %13s %9s   (medians of %d runs; per-run wall times in "
      "brackets)\n",
      "scen.", "wall s", "up MiB", "down MiB", "server CPU s", "db CPU s", "devices CPU s",
      "disk MiB", runs);
  for (const char* s : order) {
    std::vector<double> wall, up, down, cpu, dbcpu, dcpu, disk;
    std::string each;
    for (auto& r : results) {
      const Figures& f = r.scenario[s];
      wall.push_back(f.seconds);
      up.push_back(f.up / 1048576.0);
      down.push_back(f.down / 1048576.0);
      cpu.push_back(f.server_cpu);
      dbcpu.push_back(f.db_cpu);
      dcpu.push_back(f.device_cpu);
      disk.push_back(f.disk / 1048576.0);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.3f", each.empty() ? "" : " ", f.seconds);
      each += buf;
    }
    std::printf("%-6s %8.3f %9.3f %9.3f %13.2f %9.2f %13.2f %9.2f   [%s]\n", s, Median(wall),
                Median(up), Median(down), Median(cpu), Median(dbcpu), Median(dcpu),
                Median(disk), each.c_str());
  }
  std::vector<double> rss;
  for (auto& r : results) rss.push_back(r.peak_rss_kib / 1024.0);
  std::printf("server peak RSS: %.1f MiB (median)\n", Median(rss));
  if (backend == "postgres")
    std::printf(
        "(postgres: disk MiB counts the syncserver's own writes only; PostgreSQL runs with "
        "fsync, synchronous_commit and full_page_writes on, its data in %s)\n",
        std::getenv("Q11_PG_TMPDIR") ? std::getenv("Q11_PG_TMPDIR") : "/dev/shm or $TMPDIR");
  return all_ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload = Q11_DEFAULT_WORKLOAD;
  int runs = 3, parallel = 8;
  std::vector<std::string> backends = {"sqlite"};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--workload=", 0) == 0)
      workload = a.substr(11);
    else if (a.rfind("--runs=", 0) == 0)
      runs = std::max(1, std::stoi(a.substr(7)));
    else if (a.rfind("--parallel=", 0) == 0)
      parallel = std::max(1, std::stoi(a.substr(11)));
    else if (a.rfind("--perf=", 0) == 0)
      g_perf_scenario = a.substr(7);
    else if (a.rfind("--backends=", 0) == 0) {
      backends.clear();
      std::string list = a.substr(11) + ",";
      for (size_t at = 0, comma; (comma = list.find(',', at)) != std::string::npos;
           at = comma + 1)
        if (comma > at) backends.push_back(list.substr(at, comma - at));
      for (const std::string& b : backends)
        if (b != "sqlite" && b != "postgres") {
          std::fprintf(stderr, "q11_bench: unknown backend '%s' (sqlite, postgres)\n", b.c_str());
          return 2;
        }
    } else {
      std::fprintf(stderr,
                   "usage: q11_bench [--workload=FILE] [--runs=3] [--parallel=8] "
                   "[--backends=sqlite,postgres] [--perf=SCENARIO]\n");
      return 2;
    }
  }
  auto work = Must(bench::LoadWorkload(workload), "load workload");
  std::printf("workload %s: %zu reports, SHA-256 verified\n", workload.c_str(), work.size());
  // PostgreSQL as an operator runs it: every commit durable (temp_postgres.h).
  setenv("Q11_PG_DURABLE", "1", 1);
  bool all_ok = true;
  for (const std::string& backend : backends) {
    setenv("Q11_TEST_BACKEND", backend.c_str(), 1);
    all_ok = RunBackend(backend, work, runs, parallel) && all_ok;
  }
  std::printf("%s\n", all_ok ? "all checks passed" : "SOME CHECKS FAILED");
  return all_ok ? 0 : 1;
}
