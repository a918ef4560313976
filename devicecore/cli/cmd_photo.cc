// q11 photo add | list | get | budget (devicecore/photos.h).
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli.h"
#include "devicecore/json.h"
#include "devicecore/photos.h"

namespace q11::cli {
std::string HumanBytes(int64_t n) {
  if (n >= 1024 * 1024)
    return std::to_string(n / (1024 * 1024)) + "." +
           std::to_string((n % (1024 * 1024)) * 10 / (1024 * 1024)) + " MiB";
  if (n >= 1024) return std::to_string(n / 1024) + " KiB";
  return std::to_string(n) + " B";
}

// "ảnh / photos 1.2 MiB / 3.4 MiB (1/2)" on one line, rewritten in place on a terminal.
device::PhotoProgressFn TerminalProgress(const char* what) {
  if (!::isatty(STDOUT_FILENO)) return nullptr;
  return [what](const device::PhotoProgress& p) {
    std::cout << "\r" << what << " " << HumanBytes(p.bytes_done) << " / "
              << HumanBytes(p.bytes_total) << " (" << p.photos_done << "/" << p.photos_total
              << ")\x1b[K" << std::flush;
    if (p.photos_done == p.photos_total) std::cout << "\n";
  };
}

int RunPhotoAdd(Context& ctx) {
  const std::vector<std::string>& pos = ctx.args().positionals();
  std::vector<std::string> files(pos.begin() + 1, pos.end());
  for (const std::string& f : files) {
    Status s = device::CheckPhotoFile(f);
    if (!s.ok()) return ctx.Fail(s);
  }
  auto report = ctx.ReportId(pos[0]);
  if (!report) return kExitFailed;
  auto ids = device::AttachPhotos(*ctx.db(), *report, files);
  if (!ids.ok()) return ctx.Fail(ids.status());
  std::cerr << "Đã lưu ảnh, sẽ gửi khi đồng bộ / photos saved, sent at the next sync\n";
  for (const std::string& id : *ids) std::cout << id << "\n";
  return kExitOk;
}

int RunPhotoList(Context& ctx) {
  auto report = ctx.ReportId(ctx.args().positionals()[0]);
  if (!report) return kExitFailed;
  auto photos = device::ListPhotos(*ctx.db(), *report);
  if (!photos.ok()) return ctx.Fail(photos.status());
  if (ctx.args().Has("json")) {
    std::cout << device::PhotosToJson(*photos) << "\n";
    return kExitOk;
  }
  for (const device::Photo& p : *photos) {
    std::cout << p.id << "  " << p.role << "  " << HumanBytes(p.bytes) << "  " << p.mime << "  "
              << (p.local.empty() ? "on server" : p.local);
    if (!p.message.empty()) std::cout << "  " << OneLine(p.message, 200);
    std::cout << "\n";
  }
  return kExitOk;
}

int RunPhotoGet(Context& ctx) {
  auto out = ctx.args().Get("out");
  if (!out || out->empty()) return ctx.Usage("--out=FILE is required");
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  ServerChoice server;
  if (auto account = db->GetAccount(); account.ok())
    server = {account->server_url, account->server_ca_pem};
  std::unique_ptr<device::Transport> transport;
  if (!server.url.empty()) {
    auto t = Connect(server, 30000);
    if (!t.ok()) return ctx.Fail(t.status());
    transport = std::move(*t);
  } else {
    // Not logged in: only photos already on this device can be written out.
    struct Offline final : device::Transport {
      Result<device::HttpReply> Post(std::string_view, std::string_view, std::string_view,
                                     std::string_view) override {
        return Unauthenticated("not logged in: run q11 login / chưa đăng nhập");
      }
    };
    transport = std::make_unique<Offline>();
  }
  device::PhotoTransferOptions options;
  options.progress = TerminalProgress("Tải ảnh / photo");
  bool thumb = ctx.args().Has("thumb");
  auto path = device::FetchPhoto(*db, *transport, ctx.args().positionals()[0], thumb, options);
  if (!path.ok()) return ctx.Fail(path.status());
  std::error_code ec;
  std::filesystem::copy_file(*path, *out, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return ctx.Fail(Unavailable("cannot write " + *out + ": " + ec.message()));
  std::cout << *out << "\n";
  return kExitOk;
}

int RunPhotoBudget(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  const auto& pos = ctx.args().positionals();
  if (!pos.empty()) {
    std::optional<int64_t> mib = WholeNumber(pos[0], 0, INT64_MAX / (1024 * 1024));
    if (!mib) return ctx.Usage("MIB must be a whole number of MiB");
    Status s = device::SetPhotoBudget(*db, *mib * 1024 * 1024);
    if (!s.ok()) return ctx.Fail(s);
  }
  auto budget = device::PhotoBudget(*db);
  if (!budget.ok()) return ctx.Fail(budget.status());
  std::cout << *budget / (1024 * 1024) << " MiB\n";
  return kExitOk;
}

}  // namespace q11::cli
