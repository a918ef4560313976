// A quick load check of the server alone (the project benchmark with real devices lives in
// tests/bench): 100 devices × 100 reports pushed 8 devices at a time, each request one
// device's 100 changesets plus its pull; then one district official pulls everything.
// Usage: server_bench PATH/TO/syncserver   (starts it on a temp data folder, port 0)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "protocol/ids.h"
#include "protocol/schema.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/sqlite.h"

using namespace q11;

namespace {

std::string Post(uint16_t port, const std::string& path, const std::string& body,
                 const std::string& token, int* status) {
  Poco::Net::HTTPClientSession s("127.0.0.1", port);
  Poco::Net::HTTPRequest req("POST", path, "HTTP/1.1");
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  req.setContentType(token.empty() ? "application/json" : "application/x-q11-sync");
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::string out;
  Poco::StreamCopier::copyToString(s.receiveResponse(resp), out);
  *status = resp.getStatus();
  return out;
}

std::string Login(uint16_t port, const std::string& name, const std::string& pw) {
  int st = 0;
  std::string body =
      Post(port, "/v1/login", "{\"name\":\"" + name + "\",\"password\":\"" + pw + "\"}", "", &st);
  Poco::JSON::Parser p;
  return p.parse(body).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("token");
}

long PeakRssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: server_bench PATH/TO/syncserver\n");
    return 2;
  }
  char tmpl[] = "/tmp/q11-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string data = dir + "/data";
  std::string bin = argv[1];
  // One citizen per device, as in the real workload (each pulls only their own reports).
  std::string adds;
  for (int d = 0; d < 100; ++d)
    adds += bin + " user add --data=" + data + " --name=dan" + std::to_string(d) +
            " --password=dan-2026 --role=citizen >/dev/null & " + (d % 2 ? "wait; " : "");
  std::system((bin + " user add --data=" + data +
               " --name=seed --password=seed-2026 --role=citizen >/dev/null")
                  .c_str());
  std::system(adds.c_str());
  std::system((bin + " user add --data=" + data +
               " --name=q11 --password=q11-2026 --role=official --unit=q11 >/dev/null")
                  .c_str());
  pid_t pid = fork();
  if (pid == 0) {
    // The benchmark's officials are of Quận 11's 2018 wards (docs/units.md).
    execl(bin.c_str(), bin.c_str(), "serve", ("--data=" + data).c_str(), "--port=0", "--quiet",
          "--reference=q11-2018", nullptr);
    _exit(127);
  }
  uint16_t port = 0;
  for (int i = 0; i < 100 && port == 0; ++i) {
    usleep(50000);
    std::ifstream pf(data + "/syncserver.port");
    int p = 0;
    if (pf >> p) port = static_cast<uint16_t>(p);
  }
  if (port == 0) return 1;
  usleep(100000);

  // 100 devices × 100 reports, one changeset per report, made before the clock starts.
  const char* wards[] = {"p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08",
                         "p09", "p10", "p11", "p12", "p13", "p14", "p15", "p16"};
  std::vector<std::string> requests(100);
  {
    auto db = sql::Db::Open(":memory:");
    (void)db->Exec(schema::SyncedTablesSql());
    std::string desc(510, 'x');
    for (int d = 0; d < 100; ++d) {
      wire::SyncRequest req;
      req.device_id = "dev-" + std::to_string(d);
      for (int r = 0; r < 100; ++r) {
        auto session = sql::Session::Create(*db, {"reports"});
        std::array<uint8_t, 10> rnd{};
        rnd[8] = static_cast<uint8_t>(d);
        rnd[9] = static_cast<uint8_t>(r);
        auto st = db->Prepare(
            "INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, "
            "address, status, assigned_unit, due_at, reporter_ref, created_at, updated_at) VALUES "
            "(?1, 'phan_anh', 'rac-thai', ?2, ?3, ?4, 10.76, 106.65, "
            "NULL, 'new', NULL, "
            "NULL, NULL, '2026-11-27T08:00:00.000Z', '2026-11-27T08:00:00.000Z')");
        st->Bind(1, MakeUuid7(1795770000000 + d * 100 + r, rnd)).Bind(2, wards[(d + r) % 16]);
        st->Bind(3, "Phản ánh số " + std::to_string(d * 100 + r) + " về rác thải tồn đọng")
            .Bind(4, desc);
        (void)st->Run();
        req.push.push_back({static_cast<uint64_t>(r + 1), *session->Changeset()});
      }
      requests[d] = wire::EncodeSyncRequest(req);
    }
  }
  std::vector<std::string> tokens(100);
  for (int d = 0; d < 100; ++d) tokens[d] = Login(port, "dan" + std::to_string(d), "dan-2026");

  std::atomic<int> next{0}, failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&] {
      for (int d; (d = next++) < 100;) {
        int st = 0;
        std::string body = Post(port, "/v1/sync", requests[d], tokens[d], &st);
        auto resp = wire::DecodeSyncResponse(body);
        if (st != 200 || !resp.ok() || resp->verdicts.size() != 100 || resp->pull_rows != 100) {
          ++failures;
          continue;
        }
        for (const auto& v : resp->verdicts)
          if (v.verdict != wire::Verdict::kApplied) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  double upload = Seconds(start);

  std::string official = Login(port, "q11", "q11-2026");
  wire::SyncRequest pull;
  pull.device_id = "official-tablet";
  pull.max_pull_rows = 20000;
  std::string pull_bytes = wire::EncodeSyncRequest(pull);
  start = std::chrono::steady_clock::now();
  int st = 0;
  std::string body = Post(port, "/v1/sync", pull_bytes, official, &st);
  double fanout = Seconds(start);
  auto resp = wire::DecodeSyncResponse(body);
  std::printf("upload: %.3f s (%d failures)\nfan-out pull: %.3f s, %u rows, %zu bytes, status %d\n",
              upload, failures.load(), fanout, resp.ok() ? resp->pull_rows : 0, body.size(), st);
  std::printf("server peak RSS: %.1f MiB\n", PeakRssKiB(pid) / 1024.0);
  kill(pid, SIGTERM);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  std::system(("rm -rf " + dir).c_str());
  return failures.load() == 0 && resp.ok() && resp->pull_rows == 10000 ? 0 : 1;
}
