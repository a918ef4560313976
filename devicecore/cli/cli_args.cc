// Command table, argument parsing and help of the q11 command line.
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli.h"
#include "protocol/vietnam_time.h"

namespace q11::cli {
namespace {

const char* DefaultDbPath() {
  const char* env = std::getenv("Q11_DB");
  return env != nullptr && *env != '\0' ? env : "q11.db";
}

bool StartsWith(const std::string& s, const char* prefix) {
  return s.compare(0, std::strlen(prefix), prefix) == 0;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"login",
       nullptr,
       "--server=URL --name=NAME --password=PW [--ca=FILE]",
       "Log in to the server and remember the account on this device.\n"
       "URL is https://HOST[:PORT]; the server's certificate must be issued by a certificate\n"
       "authority in the system's store (/etc/ssl/certs) and name HOST, or the login fails\n"
       "before anything is sent. http:// is accepted only for this machine (127.0.0.1, ::1,\n"
       "localhost). --ca=FILE: a PEM bundle of a private certificate authority, trusted\n"
       "instead of the system's store; it is kept with the account for later syncs, photos,\n"
       "watch and public lookups. Without --server: the remembered server (and CA).\n"
       "Đăng nhập máy chủ (HTTPS) và lưu tài khoản trên thiết bị.",
       {{"server", true}, {"name", true}, {"password", true}, {"ca", true}},
       0,
       0,
       RunLogin},
      {"register",
       nullptr,
       "--server=URL --name=NAME --password=PW [--phone=P] [--email=E] [--ca=FILE]",
       "Create a citizen account on the server and log in with it. NAME: 3-64 of a-z 0-9 . _ -;\n"
       "PW: 8-1024 bytes. The phone and e-mail go to the server (kept confidential) and stay\n"
       "on this device for you only; they are never synced. URL and --ca as for login.\n"
       "Tạo tài khoản người dân trên máy chủ và đăng nhập.",
       {{"server", true},
        {"name", true},
        {"password", true},
        {"phone", true},
        {"email", true},
        {"ca", true}},
       0,
       0,
       RunRegister},
      {"logout",
       nullptr,
       "",
       "Log out: the server revokes the session (skipped when offline) and the device forgets\n"
       "its tokens. Local data and the outbox stay.\n"
       "Đăng xuất (dữ liệu trên máy và hàng đợi vẫn giữ nguyên).",
       {},
       0,
       0,
       RunLogout},
      {"whoami",
       nullptr,
       "[--json]",
       "Show the account logged in on this device and its device id.",
       {{"json", false}},
       0,
       0,
       RunWhoami},
      {"ref",
       "list",
       "[--json]",
       "List the units (district, wards, departments) and report categories.\n"
       "Danh sách đơn vị và lĩnh vực.",
       {{"json", false}},
       0,
       0,
       RunRefList},
      {"report",
       "new",
       "--category=ID --ward=ID --title=T --description=D [--lat=X --lon=Y] [--kind=KIND] "
       "[--address=A] [--photo=FILE]...",
       "File a report (works offline and before login). KIND: phan_anh (default) or gop_y.\n"
       "--photo attaches a photo (repeatable; JPEG, PNG, WebP or HEIC, at most 8 MiB, 6 per\n"
       "report); its bytes go after the report at the next sync.\n"
       "Prints the receipt code to read aloud or look up at /tra-cuu (the server may assign\n"
       "another if it is taken: see report show after a sync), then the new report id as the\n"
       "last line.\n"
       "Gửi phản ánh (hoạt động cả khi không có mạng).",
       {{"category", true},
        {"ward", true},
        {"title", true},
        {"description", true},
        {"lat", true},
        {"lon", true},
        {"kind", true},
        {"address", true},
        {"photo", true}},
       0,
       0,
       RunReportNew},
      {"photo",
       "add",
       "REPORT_ID|CODE FILE...",
       "Attach photos to a report: your own report's photos (citizens) or result photos\n"
       "(officials). Works offline; the bytes go at the next sync, after the report.\n"
       "Đính kèm ảnh vào phản ánh (ảnh được gửi ở lần đồng bộ sau).",
       {},
       2,
       1 + 6,
       RunPhotoAdd},
      {"photo",
       "list",
       "REPORT_ID|CODE [--json]",
       "List a report's photos: id, role (report/result), size, and whether the bytes are on\n"
       "this device (unsent, sent, cached, refused) or must be fetched.",
       {{"json", false}},
       1,
       1,
       RunPhotoList},
      {"photo",
       "get",
       "PHOTO_ID --out=FILE [--thumb]",
       "Write a photo to FILE: the original when taken on this device, else the server's copy\n"
       "without location or camera data (downloaded now, resuming a download that broke).\n"
       "--thumb: the small preview only (fast on 2G).\n"
       "Tải ảnh về tệp FILE (--thumb: ảnh thu nhỏ).",
       {{"out", true}, {"thumb", false}},
       1,
       1,
       RunPhotoGet},
      {"photo",
       "budget",
       "[MIB]",
       "Show or set the storage budget for downloaded photos (and sent originals), in MiB;\n"
       "the least recently used are removed past it. Unsent photos are always kept.",
       {},
       0,
       1,
       RunPhotoBudget},
      {"report",
       "list",
       "[--status=S] [--ward=W] [--category=C] [--overdue] [--search=TEXT] [--json]",
       "Danh sách phản ánh trên thiết bị, hạn xử lý gần nhất trước.\n"
       "List the reports on this device: receipt code, status, deadline (the expected date\n"
       "when one was announced; Vietnam time), sync state, ward, title and id, the soonest\n"
       "deadline first, those without one last. A status followed by ! is overdue.\n"
       "--status, --ward, --category: only that status / ward / category; --overdue: only\n"
       "overdue cases;\n"
       "--search=TEXT: TEXT in the title, description or receipt code (case ignored).\n"
       "--json: the same reports, newest first, times in UTC ISO-8601.",
       {{"json", false},
        {"status", true},
        {"ward", true},
        {"category", true},
        {"overdue", false},
        {"search", true}},
       0,
       0,
       RunReportList},
      {"report",
       "show",
       "ID|CODE [--json]",
       "Xem một phản ánh (theo mã hồ sơ hoặc mã biên nhận).\n"
       "Show one report, named by its id or its receipt code (Q11-7KXM-42PA, any case, dashes\n"
       "optional, or just its first 4+ characters when only one code starts so), with its\n"
       "history and its sync state: synced, pending (local changes\n"
       "wait for the server), parked (a conflict an administrator will settle) or rejected\n"
       "(the server refused a change; see the reason), worst first.",
       {{"json", false}},
       1,
       1,
       RunReportShow},
      {"report",
       "comment",
       "ID|CODE --note=TEXT",
       "Add a comment to a report.",
       {{"note", true}},
       1,
       1,
       RunReportComment},
      {"report",
       "edit",
       "ID|CODE [--title=T] [--description=D]",
       "Change the title and/or description of your own report while it is still new.\n"
       "The server has the final word: if it refuses, the report shows sync state\n"
       "\"rejected\" with the reason (q11 report show) until you discard it.\n"
       "Sửa tiêu đề/nội dung phản ánh của mình khi chưa được tiếp nhận.",
       {{"title", true}, {"description", true}},
       1,
       1,
       RunReportEdit},
      {"report",
       "withdraw",
       "ID|CODE",
       "Withdraw (delete) your own report while it is still new. If an official has started\n"
       "on it meanwhile, the server parks the withdrawal for an administrator.\n"
       "Rút phản ánh của mình khi chưa được tiếp nhận.",
       {},
       1,
       1,
       RunReportWithdraw},
      {"report",
       "rate",
       "ID|CODE --stars=N [--comment=TEXT]",
       "Rate the result of your own resolved report: 1 (bad) to 5 (very good) stars, with an\n"
       "optional comment.\nĐánh giá kết quả xử lý phản ánh của mình (1-5 sao).",
       {{"stars", true}, {"comment", true}},
       1,
       1,
       RunReportRate},
      {"report",
       "reopen",
       "ID|CODE --reason=TEXT",
       "Not satisfied with the result? Reopen your own resolved (or closed) report within 7\n"
       "days of the result, saying why. The officials handle it again.\n"
       "Yêu cầu xử lý lại phản ánh (trong 7 ngày kể từ khi có kết quả).",
       {{"reason", true}},
       1,
       1,
       RunReportReopen},
      {"case",
       "status",
       "ID|CODE STATUS [--note=TEXT] [--template=TID] [--of=ID|CODE]",
       "Set a report's status (accepted, assigned, in_progress, resolved, closed, rejected,\n"
       "duplicate; see docs/workflow.md for who may do which step), with a note. rejected\n"
       "needs the reason and resolved the result text (--note or --template); duplicate\n"
       "needs --of, the report it duplicates. --template=TID fills the note from a response\n"
       "template of that status (q11 case templates); --note then replaces its text.\n"
       "Đổi trạng thái xử lý phản ánh.",
       {{"note", true}, {"template", true}, {"of", true}},
       2,
       2,
       RunCaseStatus},
      {"case",
       "assign",
       "ID|CODE --unit=UNIT [--note=TEXT]",
       "Assign a report to a unit (a ward or department id, see q11 ref list) and record an\n"
       "assignment in its history, with the note.\n"
       "Giao phản ánh cho đơn vị xử lý.",
       {{"unit", true}, {"note", true}},
       1,
       1,
       RunCaseAssign},
      {"case",
       "deadline",
       "ID|CODE --due=TIME [--note=TEXT]",
       "Đặt hạn xử lý phản ánh. Set a report's deadline, in the future. TIME: ISO-8601 with its\n"
       "offset (2026-12-10T17:00:00+07:00, +0700, or 2026-12-10T10:00:00Z), or a date\n"
       "2026-12-10 meaning the end of that working day, 17:00 Vietnam time (UTC+7). A time\n"
       "without an offset is refused (which clock?). Stored in UTC (2026-12-10T10:00:00.000Z).\n"
       "The history records it as a comment \"Hạn xử lý mới: ...\" (followed by the note):\n"
       "there is no event kind for deadlines. A REPORT is named by its id or receipt code.",
       {{"due", true}, {"note", true}},
       1,
       1,
       RunCaseDeadline},
      {"case",
       "progress",
       "ID|CODE --note=TEXT --expected=TIME",
       "Báo cáo tiến độ kèm ngày dự kiến hoàn thành mới (ở tương lai).\n"
       "Post a progress note with a new expected completion date, in the future; TIME as for\n"
       "case deadline (2026-12-10T17:00:00+07:00, ...Z, or 2026-12-10 = 17:00 Vietnam time).\n"
       "An overdue case needs one before its status may change again.",
       {{"note", true}, {"expected", true}},
       1,
       1,
       RunCaseProgress},
      {"case",
       "templates",
       "[--status=STATUS] [--json]",
       "List the response templates (canned replies per status) officials pick with\n"
       "case status --template=TID.\nDanh sách mẫu trả lời theo trạng thái.",
       {{"status", true}, {"json", false}},
       0,
       0,
       RunCaseTemplates},
      {"case",
       "comment",
       "ID|CODE --note=TEXT",
       "Add a comment to a case (same as report comment).",
       {{"note", true}},
       1,
       1,
       RunReportComment},
      {"outbox",
       nullptr,
       "[--json]",
       "List local changes waiting for the server, and changes it rejected, parked, or merged\n"
       "with a message.\n"
       "--json: the waiting entries only, as an array (see outbox settled).\n"
       "Các thay đổi đang chờ gửi và các thay đổi bị từ chối.",
       {{"json", false}},
       0,
       0,
       RunOutbox},
      {"outbox",
       "settled",
       "[--json]",
       "List the changes the server rejected or parked, or merged by its rules with a\n"
       "message, with its reasons and the reports they touched.",
       {{"json", false}},
       0,
       0,
       RunOutboxSettled},
      {"outbox",
       "discard",
       "SEQ",
       "Discard a rejected, parked or merged change from the list (the report's sync state\n"
       "no longer shows it).",
       {},
       1,
       1,
       RunOutboxDiscard},
      {"sync",
       nullptr,
       "[--json] [--server=URL [--ca=FILE]] [--timeout-ms=N] [--attempts=N]",
       "Đồng bộ với máy chủ: gửi các thay đổi và ảnh đang chờ, nhận thay đổi từ máy chủ.\n"
       "Send waiting changes and photos and receive the server's, one exchange per page.\n"
       "Mã thoát / exit status (what the server did not simply apply is one line each on\n"
       "stderr: outbox #SEQ, report id and receipt code, the server's reason):\n"
       "  0  every change applied, merged or parked, every photo on the server\n"
       "     (mọi thay đổi đã được nhận, gộp hoặc chờ quản trị viên; mọi ảnh đã lên máy chủ)\n"
       "  1  the server could not be reached or refused the request (not logged in, session\n"
       "     expired, account locked...); nothing local changed, nothing is lost\n"
       "     (không kết nối được hoặc máy chủ từ chối yêu cầu; dữ liệu vẫn còn)\n"
       "  3  the server rejected a change (or a photo): see q11 outbox settled\n"
       "     (máy chủ từ chối một thay đổi hoặc ảnh)\n"
       "  4  photos (or changes the server deferred) still wait: how many and how many bytes\n"
       "     are left is said; run q11 sync again (ảnh hoặc thay đổi còn chờ gửi)\n"
       "When 3 and 4 both apply, 3 wins: what waits goes by itself at the next sync, what was\n"
       "rejected needs someone to act. 2: a usage error. A network failure is retried a few\n"
       "times; a server certificate that is not trusted is not (nothing is sent).",
       {{"json", false}, {"server", true}, {"ca", true}, {"timeout-ms", true}, {"attempts", true}},
       0,
       0,
       RunSync},
      {"verify",
       nullptr,
       "[--json] [--repair] [--server=URL [--ca=FILE]] [--timeout-ms=N] [--attempts=N]",
       "Kiểm tra thiết bị có giữ đúng dữ liệu của máy chủ không, và sửa nếu cần (--repair).\n"
       "Check that this device holds exactly what the server says it should. First it pulls\n"
       "the server's latest changes (sending none of its own), then compares each scope it\n"
       "reads (ref: units and categories; its own: the reports, events and photos it sees)\n"
       "with the server's checksum, its pending changes left out. For a scope that\n"
       "differs it fetches the server's rows of that scope and lists each row that is missing\n"
       "here, extra here or changed (table and id). --repair makes them equal (one\n"
       "transaction; pending changes are kept and still go up) and says what it fixed; the\n"
       "server hears of it at the next sync. --json: "
       "{\"equal\",\"cursor\",\"scopes\":[{\"audience\",\n"
       "\"equal\",\"device_rows\",\"server_rows\",\"device_checksum\",\"server_checksum\",\n"
       "\"repaired\",\"problem\",\"differences\":[{\"table\",\"id\",\"kind\"}]}]}.\n"
       "Mã thoát / exit status: 0 khớp / equal (after --repair: now equal), 1 khác / different\n"
       "(or the repair did not make it equal), 2 usage error, 5 could not compare (server\n"
       "unreachable, not logged in, ...: không so sánh được).",
       {{"json", false},
        {"repair", false},
        {"server", true},
        {"ca", true},
        {"timeout-ms", true},
        {"attempts", true}},
       0,
       0,
       RunVerify},
      {"watch",
       nullptr,
       "[--json] [--once] [--timeout=SECONDS] [--server=URL [--ca=FILE]]",
       "Stay online and show incoming changes as they arrive: the server tells this device\n"
       "within a second that something is new for it (a long poll), then it syncs and prints\n"
       "each report that came, changed or left (--json: one JSON object per line). --once:\n"
       "stop after the first changes; --timeout: stop after that many seconds.\n"
       "Theo dõi thay đổi mới theo thời gian thực.",
       {{"json", false}, {"once", false}, {"timeout", true}, {"server", true}, {"ca", true}},
       0,
       0,
       RunWatch},
      {"public",
       "reports",
       "--ward=WARD [--limit=N] [--offset=N] [--json] [--server=URL [--ca=FILE]]",
       "Browse a ward's reports as the public sees them (signed in, any role): status,\n"
       "category, unit, dates and the staff's notes, most recently updated first; never who\n"
       "filed them nor their words. Read online, not kept on this device.\n"
       "Xem các phản ánh của một phường (không có thông tin người gửi).",
       {{"ward", true},
        {"limit", true},
        {"offset", true},
        {"json", false},
        {"server", true},
        {"ca", true}},
       0,
       0,
       RunPublicReports},
      {"public",
       "receipt",
       "CODE [--json] [--server=URL [--ca=FILE]]",
       "Look up a report by its receipt code (no account needed): where the case stands, its\n"
       "deadline and the staff's notes. --ca=FILE: a private CA's PEM for an https server.\n"
       "Tra cứu phản ánh theo mã biên nhận.",
       {{"json", false}, {"server", true}, {"ca", true}},
       1,
       1,
       RunPublicReceipt},
      {"dev",
       "exec",
       "SQL",
       "Run raw SQL through the captured write path (one outbox entry), as a modified client\n"
       "would. For tests.",
       {},
       1,
       1,
       RunDevExec},
  };
  return commands;
}

void PrintCommandHelp(std::ostream& out, const Command& c) {
  out << "usage: q11 [--db=FILE] [--utc] " << c.group;
  if (c.sub != nullptr) out << ' ' << c.sub;
  if (*c.usage != '\0') out << ' ' << c.usage;
  out << "\n\n" << c.help << "\n";
}

void PrintHelp(std::ostream& out) {
  out << "q11 — Quận 11 trực tuyến, device database and sync client\n\n"
         "usage: q11 [--db=FILE] [--utc] COMMAND [ARGS]\n"
         "  --db=FILE   the device database (default $Q11_DB or ./q11.db); created if missing\n"
         "  --utc       show times in UTC; by default they are Vietnam time, labelled (UTC+7)\n"
         "              (giờ hiển thị theo giờ Việt Nam; --utc: giờ UTC)\n"
         "The server is reached over HTTPS (https://HOST:PORT; --ca=FILE at login for a private\n"
         "certificate authority); plain http:// only on this machine (127.0.0.1, localhost).\n\n"
         "commands:\n";
  for (const Command& c : Commands()) {
    std::string name = c.group;
    if (c.sub != nullptr) name += std::string(" ") + c.sub;
    out << "  " << name << std::string(name.size() < 16 ? 16 - name.size() : 1, ' ') << c.usage
        << "\n";
  }
  out << "\n`q11 COMMAND --help` explains one command. Exit status: 0 done, 1 failed, 2 usage\n"
         "(q11 sync also 3 rejected, 4 still waiting: q11 sync --help; q11 verify: 0 equal,\n"
         "1 different, 5 could not compare).\n";
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = repeated_.find(name);
  return it == repeated_.end() ? std::vector<std::string>() : it->second;
}

int Context::Usage(const std::string& msg) const {
  std::cerr << "q11: " << msg << "\n";
  if (command_ != nullptr) PrintCommandHelp(std::cerr, *command_);
  return kExitUsage;
}

device::Database* Context::db() {
  if (db_) return db_.get();
  auto db = device::Database::Open(args_.db_path);
  if (!db.ok()) {
    std::cerr << "q11: không mở được cơ sở dữ liệu / cannot open " << args_.db_path << ": "
              << db.status().message() << "\n";
    return nullptr;
  }
  db_ = std::move(db).value();
  return db_.get();
}

std::string Context::Time(const std::optional<std::string>& iso) const {
  return iso ? vntime::ShowStored(*iso, args_.utc) : std::string("-");
}

std::optional<std::string> Context::ReportId(const std::string& typed) {
  if (db() == nullptr) return std::nullopt;
  Result<std::string> id = db_->ResolveReportId(typed);
  if (!id.ok()) {
    Fail(id.status());
    return std::nullopt;
  }
  return *id;
}

int Context::Fail(const Status& s) const {
  const char* vi = nullptr;
  switch (s.code()) {
    case StatusCode::kUnavailable:
      vi = "Không kết nối được máy chủ";
      break;
    case StatusCode::kUnauthenticated:
      // Logging in is not being logged out: its refusal says itself what was wrong.
      if (command_ == nullptr || std::strcmp(command_->group, "login") != 0)
        vi = "Chưa đăng nhập hoặc phiên hết hạn";
      break;
    case StatusCode::kPermissionDenied:
      vi = "Không có quyền";
      break;
    case StatusCode::kInvalidArgument:
      vi = "Dữ liệu không hợp lệ";
      break;
    case StatusCode::kNotFound:
      vi = "Không tìm thấy";
      break;
    default:
      break;
  }
  std::cerr << "q11: ";
  if (vi != nullptr) std::cerr << vi << " / ";
  std::string msg = s.message().empty() ? StatusCodeName(s.code()) : s.message();
  for (char& ch : msg)
    if (ch == '\n') ch = ' ';  // one line, always
  std::cerr << msg << "\n";
  return kExitFailed;
}

std::optional<int64_t> WholeNumber(const std::string& text, int64_t lo, int64_t hi) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v >= lo && v <= hi) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string OneLine(const std::string& s, size_t max) {
  std::string out;
  for (char c : s) out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  if (out.size() <= max) return out;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "…";
}

int Main(int argc, char** argv) {
  std::vector<std::string> tokens(argv + 1, argv + argc);
  std::string db_path = DefaultDbPath();
  bool help = false, utc = false;
  std::vector<std::string> rest;
  // Global options may come anywhere; the first two words pick the command.
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (StartsWith(t, "--db=")) {
      db_path = t.substr(5);
    } else if (t == "--db") {
      if (i + 1 >= tokens.size()) {
        std::cerr << "q11: --db needs a file name\n";
        return kExitUsage;
      }
      db_path = tokens[++i];
    } else if (t == "--utc") {
      utc = true;
    } else if (t == "--help" || t == "-h") {
      help = true;
    } else {
      rest.push_back(t);
    }
  }
  std::vector<std::string> words;
  for (const std::string& t : rest) {
    if (StartsWith(t, "-")) break;
    words.push_back(t);
    if (words.size() == 2) break;
  }
  if (!words.empty() && words[0] == "help") {
    help = true;
    words.erase(words.begin());
  }
  if (words.empty()) {
    PrintHelp(help ? std::cout : std::cerr);
    return help ? kExitOk : kExitUsage;
  }
  // Find the command: "group sub" first, then "group" alone.
  const Command* command = nullptr;
  bool group_known = false;
  for (const Command& c : Commands()) {
    if (words[0] != c.group) continue;
    group_known = true;
    if (c.sub != nullptr && words.size() > 1 && words[1] == c.sub) command = &c;
  }
  if (command == nullptr) {
    for (const Command& c : Commands())
      if (words[0] == c.group && c.sub == nullptr) command = &c;
  }
  if (command == nullptr) {
    if (!group_known) {
      std::cerr << "q11: unknown command \"" << words[0] << "\"\n";
      PrintHelp(std::cerr);
      return kExitUsage;
    }
    if (help) {
      for (const Command& c : Commands())
        if (words[0] == c.group) PrintCommandHelp(std::cout, c), std::cout << "\n";
      return kExitOk;
    }
    std::cerr << "q11: " << words[0] << " needs a subcommand:";
    for (const Command& c : Commands())
      if (words[0] == c.group && c.sub != nullptr) std::cerr << ' ' << c.sub;
    std::cerr << "\n";
    return kExitUsage;
  }
  if (help) {
    PrintCommandHelp(std::cout, *command);
    return kExitOk;
  }

  Args args;
  args.db_path = db_path;
  args.utc = utc;
  // Drop the command words (the first occurrences), parse what is left with the spec.
  size_t skip = command->sub != nullptr ? 2 : 1;
  Context usage_ctx(command, Args{});
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& t = rest[i];
    if (skip > 0 && !StartsWith(t, "-")) {
      --skip;
      continue;
    }
    if (StartsWith(t, "--") && t.size() > 2) {
      std::string name = t.substr(2), value;
      size_t eq = name.find('=');
      bool has_value = eq != std::string::npos;
      if (has_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const OptionSpec* spec = nullptr;
      for (const OptionSpec& o : command->options)
        if (name == o.name) spec = &o;
      if (spec == nullptr) return usage_ctx.Usage("unknown option --" + name);
      if (spec->takes_value && !has_value) {
        if (i + 1 >= rest.size()) return usage_ctx.Usage("--" + name + " needs a value");
        value = rest[++i];
      } else if (!spec->takes_value && has_value) {
        return usage_ctx.Usage("--" + name + " takes no value");
      }
      args.options_[name] = value;
      args.repeated_[name].push_back(value);
    } else {
      args.positionals_.push_back(t);  // includes "-" and negative numbers
    }
  }
  int n = static_cast<int>(args.positionals_.size());
  if (n < command->min_positionals) return usage_ctx.Usage("missing arguments");
  if (n > command->max_positionals)
    return usage_ctx.Usage("unexpected argument \"" + args.positionals_[command->max_positionals] +
                           "\"");
  Context ctx(command, std::move(args));
  return command->run(ctx);
}

}  // namespace q11::cli
