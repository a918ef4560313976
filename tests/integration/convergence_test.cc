// Randomized convergence: devices of citizens and officials do random offline work and
// sync in random orders against the real server, while the server is restarted (stopped,
// or killed -9) on the same data, responses are lost after the server committed (a
// loopback proxy cuts the answer), pulls come in small pages and an admin resolves parked
// conflicts (the `syncserver conflicts` command or the admin HTTP API, at random).
//
// The work: citizens file, comment, edit and withdraw their reports, attach photos, rate
// and reopen results; officials move statuses, change units and deadlines and attach result
// photos. A model (convergence_model.h) says, before each push, which verdict each entry
// must get (applied, merged, parked or rejected), from the server's rows and the device's
// base; the verdicts the device really got are read from the wire and compared per entry.
// At the end every device holds exactly the server's rows for its account, every local
// change got exactly one verdict, every accepted row is on the server once (or archived
// by a withdrawal), every refused one is not and is explained on the device.
//
// The normal suite runs 3 fixed seeds; Q11_SOAK_SEEDS=N runs N seeds (soak mode) and
// prints the figures (docs/reliability.md, "Concurrency and convergence").
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "convergence_model.h"
#include "cutting_proxy.h"
#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "noise_jpeg.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;
using namespace q11::test::convergence;

namespace {

// Q11_DEBUG_TRACE=1 prints what each step did (to rerun one seed and follow it).
bool Trace() {
  static const bool on = std::getenv("Q11_DEBUG_TRACE") != nullptr;
  return on;
}

struct Actor {
  std::string user, password, role, unit;
};

// What one sync request pushed and what the server answered, read off the wire.
struct Exchange {
  std::vector<uint64_t> pushed;
  std::vector<wire::EntryVerdict> verdicts;
};

// Passes everything on, and decodes each answered sync exchange.
class RecordingTransport : public Transport {
 public:
  explicit RecordingTransport(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {}
  Result<HttpReply> Post(std::string_view path, std::string_view type, std::string_view body,
                         std::string_view bearer) override {
    auto reply = inner_->Post(path, type, body, bearer);
    if (path == "/v1/sync" && reply.ok() && reply->status == 200) {
      Exchange e;
      auto req = wire::DecodeSyncRequest(body);
      REQUIRE(req.ok());
      // An answer that does not decode is the sync's to judge (it must retry or fail).
      auto resp = wire::DecodeSyncResponse(reply->body);
      if (!resp.ok()) return reply;
      for (const wire::PushEntry& p : req->push) e.pushed.push_back(p.local_seq);
      e.verdicts = resp->verdicts;
      exchanges.push_back(std::move(e));
    }
    return reply;
  }
  Result<HttpReply> Send(const HttpRequest& request) override { return inner_->Send(request); }
  std::vector<Exchange> exchanges;

 private:
  std::unique_ptr<Transport> inner_;
};

struct Dev {
  Actor actor;
  std::string path;
  std::unique_ptr<Database> db;
  std::map<uint64_t, Step> steps;  // by outbox sequence
};

// Figures over all seeds (printed in soak mode).
struct Tally {
  int seeds = 0, steps = 0, entries = 0, syncs = 0, lost_responses = 0, paged_syncs = 0,
      restarts = 0, kills = 0, resolutions = 0, resolutions_refused = 0, photos = 0, unsure = 0,
      duplicate_verdicts = 0;
  std::map<std::string, int> verdicts;  // by kind
};

// Rows of `table` on a device as one canonical text, optionally limited by a WHERE clause.
std::string Dump(sql::Db& db, const std::string& table, const std::string& where) {
  auto st = db.Prepare("SELECT * FROM " + table + (where.empty() ? "" : " WHERE " + where) +
                       " ORDER BY id");
  REQUIRE(st.ok());
  std::string out;
  int n = sqlite3_column_count(st->get());
  while (*st->Step()) {
    for (int c = 0; c < n; ++c) out += (st->IsNull(c) ? "∅" : st->Text(c)) + "|";
    out += "\n";
  }
  return out;
}

// One report's row on a device (empty when absent).
Row DeviceRow(sql::Db& db, const std::string& id) {
  auto st = db.Prepare("SELECT * FROM reports WHERE id = ?1");
  REQUIRE(st.ok());
  st->Bind(1, id);
  Row row;
  if (*st->Step())
    for (int c = 0; c < sqlite3_column_count(st->get()); ++c) row.push_back(st->OptText(c));
  return row;
}

std::set<std::string> DeviceIds(sql::Db& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  REQUIRE(st.ok());
  std::set<std::string> out;
  while (*st->Step()) out.insert(st->Text(0));
  return out;
}

std::vector<TextRow> Server(const std::string& data_dir, const std::string& sql) {
  std::string error;
  auto rows = ServerRows(data_dir, sql, &error);
  INFO(sql << ": " << error);
  REQUIRE(rows.has_value());
  return *rows;
}

// What the server says this account may see (docs/architecture.md, "Audiences").
std::string ReportScope(const Actor& a, const std::string& ref) {
  if (a.role == "citizen") return "reporter_ref = '" + ref + "'";
  if (a.unit == "q11") return "";
  return "ward_id = '" + a.unit + "' OR assigned_unit = '" + a.unit + "'";
}

// The model's start: the server's reports as they are now.
std::map<std::string, ServerReport> ServerReports(const std::string& data_dir) {
  std::map<std::string, ServerReport> out;
  for (const TextRow& row : Server(data_dir, "SELECT * FROM reports")) {
    ServerReport& r = out[*row[0]];
    r.exists = true;
    r.row = row;
  }
  // A withdrawn report an admin restored (take device on an update of it) is back.
  for (const TextRow& row : Server(data_dir, "SELECT pk FROM deleted_rows WHERE tbl = 'reports'"))
    if (!out[*row[0]].exists) out[*row[0]].deleted = true;
  for (const TextRow& row : Server(data_dir,
                                   "SELECT DISTINCT report_id FROM case_events WHERE "
                                   "coalesce(author_role, '') <> 'citizen'"))
    out[*row[0]].staff = true;
  for (const TextRow& row :
       Server(data_dir, "SELECT report_id, role, count(*) FROM photos GROUP BY report_id, role"))
    out[*row[0]].photos[*row[1]] = std::stoi(*row[2]);
  return out;
}

// --- The admin's side: HTTP API or command line (docs/conflicts.md) ---

struct Reply {
  int status = 0;
  std::string body;
};

Reply Http(int port, const std::string& method, const std::string& path, const std::string& token,
           const std::string& body = "") {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  if (!body.empty() || method == "POST") {
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  r.body = out.str();
  return r;
}

Poco::JSON::Object::Ptr Json(const std::string& text) {
  INFO(text);
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

// One admin decision on a random open conflict. Returns false when there was none.
// The resolution must succeed exactly when the row has not changed since it was parked.
bool ResolveOne(const ServerProcess& server, std::mt19937& rng, Tally& tally) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const bool http = pick(2) == 0;
  std::string token;
  Poco::JSON::Object::Ptr list;
  if (http) {
    Reply login = Http(server.port(), "POST", "/v1/login", "",
                       R"({"name":"quantri","password":"quantri-2026"})");
    INFO(login.body);
    REQUIRE(login.status == 200);
    token = Json(login.body)->getValue<std::string>("token");
    Reply r = Http(server.port(), "GET", "/v1/admin/conflicts?state=open", token);
    REQUIRE(r.status == 200);
    list = Json(r.body);
  } else {
    CommandResult r = Run({SyncserverBin(), "conflicts", "list", "--data=" + server.data_dir(),
                           "--state=open", "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    list = Json(r.out);
  }
  auto conflicts = list->getArray("conflicts");
  if (conflicts->size() == 0) return false;
  const std::string id =
      conflicts->getObject(static_cast<unsigned>(pick(static_cast<int>(conflicts->size()))))
          ->getValue<std::string>("id");
  Poco::JSON::Object::Ptr detail;
  if (http) {
    Reply r = Http(server.port(), "GET", "/v1/admin/conflicts/" + id, token);
    REQUIRE(r.status == 200);
    detail = Json(r.body);
  } else {
    CommandResult r =
        Run({SyncserverBin(), "conflicts", "show", "--data=" + server.data_dir(), id, "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    detail = Json(r.out);
  }
  const bool changed = detail->getValue<bool>("row_changed");
  const std::string op = detail->getValue<std::string>("operation");
  // The decision: server, device, or (an update) a value set per column.
  int how = pick(op == "update" ? 3 : 2);
  std::map<std::string, std::string> set;
  if (how == 2) {
    auto columns = detail->getArray("columns");
    for (unsigned i = 0; i < columns->size(); ++i) {
      const std::string col = columns->getObject(i)->getValue<std::string>("column");
      if (col == "status")
        set[col] = std::vector<std::string>{"accepted", "in_progress", "resolved"}[pick(3)];
      else if (col == "assigned_unit")
        set[col] = pick(2) ? "phong-qldt" : "phong-tnmt";
      else if (col == "due_at")
        set[col] = "2027-02-0" + std::to_string(1 + pick(9)) + "T10:00:00.000Z";
      else if (col == "title" || col == "description")
        set[col] = "Quản trị viên chọn nội dung " + std::to_string(pick(1000));
      else if (col == "updated_at")
        set[col] = "2026-12-31T00:00:00.000Z";
    }
    if (set.size() != columns->size()) how = pick(2);  // a column this test does not set
  }
  INFO("conflict " << id << " (" << op << "), decision " << how << ", row changed " << changed);
  bool resolved = false;
  if (http) {
    std::string body = how == 0 ? R"({"take":"server"})" : how == 1 ? R"({"take":"device"})" : "";
    if (how == 2) {
      Poco::JSON::Object values, wrap;
      for (const auto& [col, v] : set) values.set(col, v);
      wrap.set("set", values);
      std::ostringstream out;
      wrap.stringify(out);
      body = out.str();
    }
    Reply r = Http(server.port(), "POST", "/v1/admin/conflicts/" + id + "/resolve", token, body);
    INFO(r.body);
    CHECK((r.status == 200 || r.status == 409));
    resolved = r.status == 200;
  } else {
    std::vector<std::string> args = {
        SyncserverBin(),   "conflicts", "resolve", "--data=" + server.data_dir(), id,
        "--by=quantri.cli"};
    if (how == 0) args.push_back("--take=server");
    if (how == 1) args.push_back("--take=device");
    for (const auto& [col, v] : set) args.push_back("--set=" + col + "=" + v);
    CommandResult r = Run(args);
    INFO(r.out << r.err);
    CHECK((r.exit_code == 0 || r.exit_code == 1));
    resolved = r.exit_code == 0;
  }
  if (Trace())
    std::cout << "  admin (" << (http ? "http" : "cli") << ") resolves " << id << " " << op
              << " decision " << how << ": " << (resolved ? "done" : "refused") << std::endl;
  CHECK(resolved == !changed);
  ++(resolved ? tally.resolutions : tally.resolutions_refused);
  return true;
}

// --- One seed ---

void RunSeed(uint32_t seed, int steps, Tally& tally) {
  INFO("seed " << seed);
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  const std::vector<Actor> actors = {
      {"dan.a", "mat-khau-a", "citizen", ""},
      {"dan.b", "mat-khau-b", "citizen", ""},
      {"canbo.q11a", "mat-khau-q", "official", "q11"},
      {"canbo.q11b", "mat-khau-q", "official", "q11"},
      {"canbo.p01", "mat-khau-p", "official", "p01"},
  };
  for (const Actor& a : actors) REQUIRE(server.AddUser(a.user, a.password, a.role, a.unit));
  REQUIRE(server.AddUser("quantri", "quantri-2026", "admin"));
  REQUIRE(server.Start());

  // Citizen dan.a uses two phones; everyone else one.
  std::vector<Dev> devs;
  for (int i = 0; i < 6; ++i) {
    const Actor& a = actors[i == 5 ? 0 : i];
    Dev d{a, tmp.File("dev" + std::to_string(i) + ".db"), nullptr, {}};
    d.db = OpenDevice(d.path);
    auto http = Connect(server.url());
    REQUIRE(Login(*d.db, *http, server.url(), a.user, a.password).ok());
    devs.push_back(std::move(d));
  }
  ReportCols cols;
  {
    auto local = std::move(sql::Db::Open(devs[0].path, false)).value();
    auto st = local.Prepare("SELECT name FROM pragma_table_info('reports') ORDER BY cid");
    REQUIRE(st.ok());
    while (*st->Step()) cols.names.push_back(st->Text(0));
    cols.Index();
  }
  // Three photos (different bytes: two devices may send the same one, deduplicated).
  std::vector<std::string> jpegs;
  for (int i = 0; i < 3; ++i)
    jpegs.push_back(NoiseJpegFile(tmp.File("photo" + std::to_string(i) + ".jpg"), 48 + 16 * i, 40));

  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const std::vector<std::string> wards = {"p01", "p02", "p03"};
  const std::vector<std::string> statuses = {"accepted", "assigned", "in_progress",
                                             "resolved", "rejected", "closed"};
  const std::vector<std::string> depts = {"phong-qldt", "phong-tnmt"};

  // A sync of `d`: predicts its pending entries, syncs (maybe through a proxy that loses
  // the answer, maybe in small pages), then checks each verdict against the prediction.
  auto sync = [&](Dev& d, bool lose_response, uint32_t pull_rows) {
    Model model(cols, ServerReports(server.data_dir()));
    if (Trace())
      std::cout << " sync " << d.actor.user << " (" << d.path << ")"
                << (lose_response ? ", answer lost" : "") << ", pages of " << pull_rows
                << std::endl;
    for (auto& [seq, s] : d.steps)
      if (!s.answered) {
        model.Predict(s);
        if (s.expect.size() > 1) ++tally.unsure;
      }
    std::unique_ptr<CuttingProxy> proxy;
    std::string url = server.url();
    if (lose_response) {
      CuttingProxy::Options o;
      o.seed = seed + static_cast<uint32_t>(tally.syncs);
      o.cuts = 1;
      o.min_bytes = 1;
      o.max_bytes = 64;  // inside the status line and headers: the whole answer is lost
      o.direction = CuttingProxy::Direction::kDown;
      proxy = std::make_unique<CuttingProxy>(server.port(), o);
      REQUIRE(proxy->Start());
      url = proxy->url();
      ++tally.lost_responses;
    }
    RecordingTransport rec(std::move(MakeHttpTransport(url, 10000)).value());
    SyncOptions options;
    options.initial_backoff_ms = 20;
    options.max_pull_rows = pull_rows;
    if (pull_rows) ++tally.paged_syncs;
    auto r = Sync(*d.db, rec, options);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    ++tally.syncs;
    if (proxy) CHECK(proxy->cuts_done() == 1);
    for (const Exchange& e : rec.exchanges)
      for (const wire::EntryVerdict& v : e.verdicts) {
        if (v.verdict == Verdict::kRetry) continue;
        auto it = d.steps.find(v.local_seq);
        INFO("device of " << d.actor.user << ", entry #" << v.local_seq);
        REQUIRE(it != d.steps.end());
        Step& s = it->second;
        INFO("step " << s.step << ": " << OpName(s.op) << " of " << s.report << " (" << s.why
                     << "), got " << wire::VerdictName(v.verdict) << ": " << v.message);
        if (s.answered) {
          // Sent again (e.g. before an earlier answer was read): the ledger's same answer.
          CHECK(s.got == v.verdict);
          ++tally.duplicate_verdicts;
          continue;
        }
        REQUIRE(s.predicted);
        if (s.expect.count(v.verdict) == 0) {
          // What the server recorded of the report's conflicts, to tell model from product.
          std::string parked;
          for (const TextRow& row :
               Server(server.data_dir(),
                      "SELECT c.local_seq || ' ' || c.user_name || ' ' || cc.col || ': base ' || "
                      "coalesce(cc.base_value, '∅') || ', device ' || coalesce(cc.device_value, "
                      "'∅') || ', server ' || coalesce(cc.server_value, '∅') FROM conflicts c JOIN "
                      "conflict_columns cc ON cc.conflict_id = c.id WHERE c.pk = '" +
                          s.report + "' ORDER BY c.created_at"))
            parked += "\n  " + row[0].value_or("");
          INFO("conflicts of the report:" << parked);
          CHECK(s.expect.count(v.verdict) == 1);
        }
        if (v.verdict == Verdict::kRejected || v.verdict == Verdict::kParked)
          CHECK(!v.message.empty());
        if (Trace())
          std::cout << "  " << d.actor.user << " #" << v.local_seq << " step " << s.step << " "
                    << OpName(s.op) << " " << s.report << ": " << wire::VerdictName(v.verdict)
                    << " (" << s.why << ")" << std::endl;
        s.answered = true;
        s.got = v.verdict;
        s.message = v.message;
        ++tally.verdicts[wire::VerdictName(v.verdict)];
      }
  };

  for (int step = 0; step < steps; ++step) {
    ++tally.steps;
    // The server's and the admin's turns.
    int global = pick(100);
    if (global < 3) {
      if (pick(4) == 0) {
        server.Kill();
        ++tally.kills;
      } else {
        server.Stop();
      }
      INFO(server.error());
      REQUIRE(server.Start());
      ++tally.restarts;
      continue;
    }
    if (global < 8) {
      ResolveOne(server, rng, tally);
      continue;
    }
    Dev& d = devs[pick(static_cast<int>(devs.size()))];
    int op = pick(100);
    if (op < 25) {
      const uint32_t pages[] = {0, 0, 1, 2, 5};
      sync(d, pick(5) == 0, pages[pick(5)]);
      continue;
    }
    auto reports = d.db->ListReports();
    REQUIRE(reports.ok());
    auto local = std::move(sql::Db::Open(d.path, false)).value();
    auto with_status = [&](std::initializer_list<const char*> wanted) {
      std::vector<const Report*> out;
      for (const Report& r : *reports)
        for (const char* w : wanted)
          if (r.status == w) out.push_back(&r);
      return out;
    };
    Step s;
    s.step = step;
    const std::string note = "Bước " + std::to_string(step);
    std::set<std::string> events_before, photos_before;
    auto begin = [&](Op o, const std::string& report) {
      s.op = o;
      s.report = report;
      s.base = DeviceRow(local, report);
      events_before = DeviceIds(local, "SELECT id FROM case_events");
      photos_before = DeviceIds(local, "SELECT id FROM photos");
    };
    int64_t pending_before = *d.db->PendingCount();
    if (d.actor.role == "citizen") {
      auto fresh = with_status({"new"});
      auto done = with_status({"resolved", "closed"});
      if (op < 45 || reports->empty()) {
        NewReport r;
        r.category_id = pick(2) ? "cay-xanh" : "rac-thai";
        r.ward_id = wards[pick(3)];
        r.title = "Cây đổ chắn lối đi #" + std::to_string(step);
        r.description = "Seed " + std::to_string(seed) + ", bước " + std::to_string(step);
        auto id = d.db->FileReport(r);
        REQUIRE(id.ok());
        begin(Op::kFile, *id);
        s.base.clear();
      } else if (op < 55) {
        const Report& r = (*reports)[pick(static_cast<int>(reports->size()))];
        begin(Op::kComment, r.id);
        REQUIRE(d.db->AddComment(r.id, "Bổ sung thông tin: " + note).ok());
      } else if (op < 65 && !fresh.empty()) {
        const Report& r = *fresh[pick(static_cast<int>(fresh.size()))];
        begin(Op::kEdit, r.id);
        std::optional<std::string> title, description;
        if (pick(2)) title = "Sửa tiêu đề: " + note;
        if (!title || pick(2)) description = "Sửa nội dung: " + note;
        REQUIRE(d.db->EditReport(r.id, title, description).ok());
      } else if (op < 72 && !fresh.empty()) {
        const Report& r = *fresh[pick(static_cast<int>(fresh.size()))];
        begin(Op::kWithdraw, r.id);
        REQUIRE(d.db->WithdrawReport(r.id).ok());
      } else if (op < 82 && !done.empty()) {
        const Report& r = *done[pick(static_cast<int>(done.size()))];
        begin(Op::kReopen, r.id);
        Status st = d.db->ReopenReport(r.id, "Chưa xử lý xong: " + note);
        INFO(st.ToString());
        REQUIRE(st.ok());
      } else if (op < 92 && !done.empty()) {
        const Report& r = *done[pick(static_cast<int>(done.size()))];
        begin(Op::kRate, r.id);
        REQUIRE(d.db->RateResult(r.id, 1 + pick(5), pick(2) ? "Cảm ơn: " + note : "").ok());
      } else {
        const Report& r = (*reports)[pick(static_cast<int>(reports->size()))];
        begin(Op::kPhoto, r.id);
        auto ids = AttachPhotos(*d.db, r.id, {jpegs[pick(3)]});
        if (!ids.ok() && ids.status().code() == StatusCode::kResourceExhausted) continue;
        INFO(ids.status().ToString());
        REQUIRE(ids.ok());
        ++tally.photos;
      }
    } else {
      if (reports->empty()) continue;
      const Report& r = (*reports)[pick(static_cast<int>(reports->size()))];
      if (op < 70) {
        // Mostly a step the workflow allows from what the device sees; sometimes any.
        std::vector<std::string> next;
        for (const std::string& st : statuses)
          if (StaffStep(r.status, st)) next.push_back(st);
        std::string to = next.empty() || pick(4) == 0 ? statuses[pick(6)]
                                                      : next[pick(static_cast<int>(next.size()))];
        begin(Op::kStatus, r.id);
        REQUIRE(d.db->SetStatus(r.id, to, "Ghi chú: " + note).ok());
      } else if (op < 80) {
        begin(Op::kAssign, r.id);
        REQUIRE(d.db->ExecCaptured("UPDATE reports SET assigned_unit='" + depts[pick(2)] +
                                   "' WHERE id='" + r.id + "'")
                    .ok());
      } else if (op < 92) {
        begin(Op::kDue, r.id);
        REQUIRE(d.db->ExecCaptured("UPDATE reports SET due_at='2027-01-0" +
                                   std::to_string(1 + pick(9)) + "T10:00:00.000Z' WHERE id='" +
                                   r.id + "'")
                    .ok());
      } else {
        begin(Op::kResultPhoto, r.id);
        auto ids = AttachPhotos(*d.db, r.id, {jpegs[pick(3)]});
        if (!ids.ok() && ids.status().code() == StatusCode::kResourceExhausted) continue;
        INFO(ids.status().ToString());
        REQUIRE(ids.ok());
        ++tally.photos;
      }
    }
    // A write that changes nothing makes no outbox entry.
    if (*d.db->PendingCount() == pending_before) continue;
    REQUIRE(*d.db->PendingCount() == pending_before + 1);
    s.after = DeviceRow(local, s.report);
    for (const std::string& id : DeviceIds(local, "SELECT id FROM case_events"))
      if (!events_before.count(id)) s.inserted.emplace_back("case_events", id);
    for (const std::string& id : DeviceIds(local, "SELECT id FROM photos"))
      if (!photos_before.count(id)) s.inserted.emplace_back("photos", id);
    if (s.op == Op::kFile) s.inserted.emplace_back("reports", s.report);
    auto outbox = d.db->Outbox();
    REQUIRE(outbox.ok());
    uint64_t seq = 0;
    for (const OutboxEntry& e : *outbox) seq = std::max(seq, static_cast<uint64_t>(e.seq));
    REQUIRE(d.steps.count(seq) == 0);
    d.steps[seq] = std::move(s);
    ++tally.entries;
  }
  // Everyone syncs until quiet: twice round, so the last pushes reach all views.
  for (int round = 0; round < 2; ++round)
    for (Dev& d : devs) sync(d, false, 0);

  std::map<std::string, std::set<std::string>> on_server;  // table → ids, archived ones too
  for (const char* table : {"reports", "case_events", "photos"})
    for (const TextRow& row : Server(server.data_dir(), std::string("SELECT id FROM ") + table))
      on_server[table].insert(*row[0]);
  for (const TextRow& row : Server(server.data_dir(), "SELECT tbl, pk FROM deleted_rows"))
    on_server[*row[0]].insert(*row[1]);

  for (Dev& d : devs) {
    INFO("device of " << d.actor.user << " (" << d.path << ")");
    CHECK(*d.db->PendingCount() == 0);
    auto settled = d.db->SettledChanges();
    REQUIRE(settled.ok());
    std::map<int64_t, std::string> explained;
    for (const SettledChange& c : *settled) explained[c.seq] = c.verdict;
    for (const auto& [seq, s] : d.steps) {
      INFO("entry #" << seq << ", step " << s.step << ": " << OpName(s.op) << " of " << s.report
                     << " (" << s.why << "): " << wire::VerdictName(s.got) << " " << s.message);
      CHECK(s.answered);  // exactly once: a second, different answer failed above
      const bool refused = s.got == Verdict::kRejected;
      // Every refused (or parked) change is explained on the device, with its reason.
      if (refused || s.got == Verdict::kParked)
        CHECK(explained[static_cast<int64_t>(seq)] == wire::VerdictName(s.got));
      // Every accepted row is on the server (or archived by a withdrawal); no refused one is.
      for (const auto& [table, id] : s.inserted) {
        INFO(table << " " << id);
        CHECK(on_server[table].count(id) == (refused ? 0u : 1u));
      }
    }
    auto account = d.db->GetAccount();
    REQUIRE(account.ok());
    std::string scope = ReportScope(d.actor, account->reporter_ref);
    std::string child_scope =
        scope.empty() ? "" : "report_id IN (SELECT id FROM reports WHERE " + scope + ")";
    auto local = std::move(sql::Db::Open(d.path, false)).value();
    CHECK(Dump(local, "reports", "") == ServerDbDump(server.data_dir(), "reports", scope));
    CHECK(Dump(local, "case_events", "") ==
          ServerDbDump(server.data_dir(), "case_events", child_scope));
    CHECK(Dump(local, "photos", "") == ServerDbDump(server.data_dir(), "photos", child_scope));
    // Every photo this device took that the server kept has its bytes there.
    for (const auto& [seq, s] : d.steps) {
      if (s.op != Op::kPhoto && s.op != Op::kResultPhoto) continue;
      auto photos = ListPhotos(*d.db, s.report);
      if (!photos.ok()) continue;  // the report is gone (withdrawn)
      for (const Photo& p : *photos)
        for (const auto& [table, id] : s.inserted)
          if (id == p.id) CHECK(p.local == "sent");
    }
  }
  ++tally.seeds;
}

}  // namespace

namespace {

// Remembers the size of the last answer's start line and headers.
class HeadSizeTransport : public Transport {
 public:
  explicit HeadSizeTransport(Transport& inner) : inner_(inner) {}
  Result<HttpReply> Post(std::string_view path, std::string_view type, std::string_view body,
                         std::string_view bearer) override {
    auto reply = inner_.Post(path, type, body, bearer);
    if (reply.ok()) head_bytes = reply->bytes_received - static_cast<int64_t>(reply->body.size());
    return reply;
  }
  int64_t head_bytes = 0;

 private:
  Transport& inner_;
};

}  // namespace

// The lost response of the random test, at chosen byte offsets: inside the status line, the
// headers, and the body. Before the fix the transport took an answer cut in its headers
// for a whole "200, empty body" and the sync failed instead of sending again.
TEST_CASE("A sync answer lost after the server committed is sent again and answered once") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("dan.c", "mat-khau-c", "citizen"));
  REQUIRE(server.Start());
  auto db = OpenDevice(tmp.File("dan.c.db"));
  auto direct = Connect(server.url());
  REQUIRE(Login(*db, *direct, server.url(), "dan.c", "mat-khau-c").ok());
  auto file = [&](int n) {
    NewReport r;
    r.category_id = "rac-thai";
    r.ward_id = "p02";
    r.title = "Rác tồn đọng #" + std::to_string(n);
    r.description = "Rác không được thu gom.";
    auto id = db->FileReport(r);
    REQUIRE(id.ok());
    return *id;
  };
  file(0);
  HeadSizeTransport sized(*direct);
  REQUIRE(Sync(*db, sized).ok());
  REQUIRE(sized.head_bytes > 60);
  int n = 0;
  for (int64_t at : {int64_t{1}, int64_t{17}, sized.head_bytes - 20, sized.head_bytes + 20}) {
    INFO("cut after " << at << " bytes of the answer (headers: " << sized.head_bytes << ")");
    const std::string id = file(++n);
    CuttingProxy::Options o;
    o.cuts = 1;
    o.min_bytes = o.max_bytes = at;
    o.direction = CuttingProxy::Direction::kDown;
    CuttingProxy proxy(server.port(), o);
    REQUIRE(proxy.Start());
    auto http = Connect(proxy.url());
    SyncOptions options;
    options.initial_backoff_ms = 10;
    auto r = Sync(*db, *http, options);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(proxy.cuts_done() == 1);
    CHECK(r->applied == 1);  // the ledger's answer to the resent entry
    CHECK(*db->PendingCount() == 0);
    CHECK(ServerDbValue(server.data_dir(),
                        "SELECT count(*) FROM reports WHERE id = '" + id + "'") == "1");
  }
}

TEST_CASE("Random offline work on six devices converges to the server's view") {
  int seeds = 3, steps = 120;
  const char* soak = std::getenv("Q11_SOAK_SEEDS");
  if (soak) seeds = std::max(1, std::atoi(soak));
  Tally tally;
  const auto start = std::chrono::steady_clock::now();
  // Q11_SEED_FIRST=K starts at the K-th seed (to rerun one, or split a soak).
  int first = 1;
  if (const char* f = std::getenv("Q11_SEED_FIRST")) first = std::max(1, std::atoi(f));
  for (int s = first; s < first + seeds; ++s) {
    RunSeed(static_cast<uint32_t>(s * 7919), steps, tally);
    if (soak)
      std::cout << "seed " << s * 7919 << " done (" << s << "/" << seeds << ")" << std::endl;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ostringstream out;
  out << tally.seeds << " seeds, " << tally.steps << " steps, " << tally.entries
      << " local changes, " << tally.syncs << " syncs (" << tally.lost_responses
      << " with the answer lost, " << tally.paged_syncs << " in small pages), " << tally.restarts
      << " server restarts (" << tally.kills << " kill -9), " << tally.resolutions
      << " admin resolutions (+" << tally.resolutions_refused << " refused: row changed), "
      << tally.photos << " photos; verdicts:";
  for (const auto& [kind, n] : tally.verdicts) out << " " << kind << " " << n;
  out << "; unsure predictions " << tally.unsure << ", repeated answers "
      << tally.duplicate_verdicts << "; " << secs << " s";
  if (soak) std::cout << out.str() << std::endl;
  INFO(out.str());
  CHECK(tally.seeds == seeds);
  // The run must have met every fault and every kind of verdict it is meant to check
  // (not asked of a rerun of fewer seeds).
  if (seeds < 3) return;
  CHECK(tally.lost_responses > 0);
  CHECK(tally.paged_syncs > 0);
  CHECK(tally.restarts > 0);
  CHECK(tally.kills > 0);
  CHECK(tally.resolutions > 0);
  CHECK(tally.photos > 0);
  for (const char* kind : {"applied", "merged", "parked", "rejected"})
    CHECK(tally.verdicts[kind] > 0);
}
