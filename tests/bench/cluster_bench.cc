// No-op sync throughput with many simulated devices, on SQLite and on 1, 2 and 3
// syncservers sharing one PostgreSQL database (docs/benchmark.md, "Several servers").
//
//   cluster_bench [--devices=1000] [--seconds=10] [--clients=32]
//                 [--configs=sqlite:1,postgres:1,postgres:2,postgres:3]
//
// A no-op sync is what most phones send most of the time: nothing to push, a cursor that
// is already current. Each simulated device is a device id bound to one of 20 citizen
// accounts; `clients` threads send its sync requests in turn (the real wire format,
// encoded by protocol/, over keep-alive HTTP connections of the device library), spread
// over the servers round-robin, for `seconds`. Prints requests per second, latency
// percentiles, and the CPU of the servers and of PostgreSQL. It asserts correctness only
// (every answer a 200 with an empty pull); on 2 cores more servers show overhead, not
// speed-up.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "devicecore/env.h"
#include "protocol/schema_versions.h"
#include "protocol/sync_messages.h"
#include "test_backend.h"
#include "test_support.h"

using namespace q11;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "cluster_bench: %s\n", why.c_str());
  std::exit(1);
}

struct Config {
  std::string backend;
  int servers = 1;
};

struct Figures {
  int64_t requests = 0, errors = 0;
  double seconds = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
  double server_cpu = 0, db_cpu = 0;
};

std::string TokenFor(const test::ServerProcess& server, const std::string& name) {
  auto http = device::MakeHttpTransport(server.url());
  if (!http.ok()) Die(http.status().ToString());
  auto reply = (*http)->Post("/v1/login", "application/json",
                             R"({"name":")" + name + R"(","password":"bench-pass"})", "");
  if (!reply.ok() || reply->status != 200) Die("login " + name);
  const std::string key = "\"token\":\"";
  size_t at = reply->body.find(key);
  if (at == std::string::npos) Die("no token for " + name);
  at += key.size();
  return reply->body.substr(at, reply->body.find('"', at) - at);
}

std::string NoOpSync(const std::string& device_id, uint64_t cursor) {
  wire::SyncRequest req;
  req.device_id = device_id;
  req.cursor = cursor;
  req.client = "cluster_bench";
  req.schema_version = schema::kSyncedSchemaVersion;
  return wire::EncodeSyncRequest(req);
}

Figures Run(const Config& config, int devices, int seconds, int clients) {
  setenv("Q11_TEST_BACKEND", config.backend.c_str(), 1);
  test::TempDir tmp;
  std::vector<std::unique_ptr<test::ServerProcess>> servers;
  const std::string data = tmp.File("data");
  for (int s = 0; s < config.servers; ++s)
    servers.push_back(std::make_unique<test::ServerProcess>(
        data, tmp.File("server" + std::to_string(s) + ".log")));
  constexpr int kAccounts = 20;
  for (int a = 0; a < kAccounts; ++a)
    if (!servers[0]->AddUser("cit-" + std::to_string(a), "bench-pass", "citizen"))
      Die("user add: " + servers[0]->error());
  for (auto& s : servers)
    if (!s->Start()) Die(s->error());
  std::vector<std::string> tokens;
  for (int a = 0; a < kAccounts; ++a)
    tokens.push_back(TokenFor(*servers[a % servers.size()], "cit-" + std::to_string(a)));

  // First contact binds each device id to its account; its answer gives the cursor.
  std::vector<uint64_t> cursors(static_cast<size_t>(devices), 0);
  auto device_id = [](int d) { return "bench-device-" + std::to_string(d); };
  {
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < std::min(clients, 8); ++t)
      threads.emplace_back([&] {
        std::vector<std::unique_ptr<device::Transport>> http;
        for (auto& s : servers) http.push_back(std::move(device::MakeHttpTransport(s->url())).value());
        for (int d = next++; d < devices; d = next++) {
          auto reply = http[d % http.size()]->Post("/v1/sync", "application/x-q11-sync",
                                                   NoOpSync(device_id(d), 0),
                                                   tokens[d % kAccounts]);
          if (!reply.ok() || reply->status != 200) Die("first sync of device " + device_id(d));
          auto answer = wire::DecodeSyncResponse(reply->body);
          if (!answer.ok()) Die("decode: " + answer.status().ToString());
          cursors[d] = answer->cursor;
        }
      });
    for (auto& t : threads) t.join();
  }

  double cpu0 = 0;
  for (auto& s : servers) cpu0 += s->CpuSeconds();
  const double db0 = test::DatabaseCpuSeconds();
  std::atomic<int64_t> requests{0}, errors{0};
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  const auto t0 = Clock::now(), stop = t0 + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t)
    threads.emplace_back([&] {
      std::vector<std::unique_ptr<device::Transport>> http;
      for (auto& s : servers) http.push_back(std::move(device::MakeHttpTransport(s->url())).value());
      std::vector<double> mine;
      while (Clock::now() < stop) {
        const int n = next++;
        const int d = n % devices;
        const auto sent = Clock::now();
        auto reply = http[n % http.size()]->Post("/v1/sync", "application/x-q11-sync",
                                                 NoOpSync(device_id(d), cursors[d]),
                                                 tokens[d % kAccounts]);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        bool ok = reply.ok() && reply->status == 200;
        if (ok) {
          auto answer = wire::DecodeSyncResponse(reply->body);
          ok = answer.ok() && answer->pull_rows == 0 && answer->verdicts.empty();
        }
        ++requests;
        if (!ok && errors++ == 0)
          std::fprintf(stderr, "  first wrong answer: %s\n",
                       reply.ok() ? (std::to_string(reply->status) + " " + reply->body.substr(0, 200)).c_str()
                                  : reply.status().ToString().c_str());
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  for (auto& t : threads) t.join();
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& s : servers) f.server_cpu += s->CpuSeconds();
  f.server_cpu -= cpu0;
  f.db_cpu = test::DatabaseCpuSeconds() - db0;
  f.requests = requests;
  f.errors = errors;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1,
                                       static_cast<size_t>(p * latencies_ms.size()))];
  };
  f.p50_ms = pct(0.50);
  f.p99_ms = pct(0.99);
  f.max_ms = latencies_ms.empty() ? 0 : latencies_ms.back();
  if (f.errors > 0)  // what the servers said about it
    for (auto& s : servers) {
      auto tail = test::Run({"tail", "-n", "15", s->log_file()});
      int st = 0;
      const pid_t gone = waitpid(s->pid(), &st, WNOHANG);
      std::fprintf(stderr, "--- %s (%s %d)\n%s", s->log_file().c_str(),
                   gone != s->pid() ? "running" : WIFSIGNALED(st) ? "killed by signal" : "exited",
                   gone != s->pid() ? 0 : WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
                   tail.out.c_str());
    }
  for (auto& s : servers) s->Stop();
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 1000, seconds = 10, clients = 32;
  std::vector<Config> configs = {{"sqlite", 1}, {"postgres", 1}, {"postgres", 2}, {"postgres", 3}};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--devices=", 0) == 0) {
      devices = std::max(1, std::atoi(a.c_str() + 10));
    } else if (a.rfind("--seconds=", 0) == 0) {
      seconds = std::max(1, std::atoi(a.c_str() + 10));
    } else if (a.rfind("--clients=", 0) == 0) {
      clients = std::max(1, std::atoi(a.c_str() + 10));
    } else if (a.rfind("--configs=", 0) == 0) {
      configs.clear();
      std::string list = a.substr(10) + ",";
      for (size_t at = 0, comma; (comma = list.find(',', at)) != std::string::npos;
           at = comma + 1) {
        const std::string item = list.substr(at, comma - at);
        const size_t colon = item.find(':');
        Config c{item.substr(0, colon), colon == std::string::npos ? 1 : std::atoi(item.c_str() + colon + 1)};
        if ((c.backend != "sqlite" && c.backend != "postgres") || c.servers < 1 ||
            (c.backend == "sqlite" && c.servers != 1))
          Die("bad config '" + item + "' (sqlite:1, postgres:N)");
        configs.push_back(c);
      }
    } else {
      std::fprintf(stderr,
                   "usage: cluster_bench [--devices=1000] [--seconds=10] [--clients=32] "
                   "[--configs=sqlite:1,postgres:1,postgres:2,postgres:3]\n");
      return 2;
    }
  }
  setenv("Q11_PG_DURABLE", "1", 1);
  std::printf("no-op syncs: %d devices, %d client threads, %d s per configuration\n", devices,
              clients, seconds);
  std::printf("%-10s %7s %9s %8s %8s %8s %8s %11s %8s\n", "backend", "servers", "requests",
              "req/s", "p50 ms", "p99 ms", "max ms", "server CPU", "db CPU");
  bool ok = true;
  for (const Config& c : configs) {
    std::fprintf(stderr, "%s x%d...\n", c.backend.c_str(), c.servers);
    Figures f = Run(c, devices, seconds, clients);
    std::printf("%-10s %7d %9lld %8.0f %8.2f %8.2f %8.2f %11.2f %8.2f\n", c.backend.c_str(),
                c.servers, static_cast<long long>(f.requests), f.requests / f.seconds, f.p50_ms,
                f.p99_ms, f.max_ms, f.server_cpu, f.db_cpu);
    if (f.errors > 0) {
      std::printf("  FAIL: %lld requests did not get a 200 no-op answer\n",
                  static_cast<long long>(f.errors));
      ok = false;
    }
  }
  std::printf("%s\n", ok ? "all answers correct" : "SOME ANSWERS WRONG");
  return ok ? 0 : 1;
}
