// q11 login / logout / whoami.
#include <iostream>

#include "cli.h"
#include "devicecore/sync.h"

namespace q11::cli {

int RunLogin(Context& ctx) {
  auto server = ctx.args().Get("server");
  auto name = ctx.args().Get("name");
  auto password = ctx.args().Get("password");
  if (!name || name->empty()) return ctx.Usage("--name is required");
  if (!password) return ctx.Usage("--password is required");
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  std::string url;
  if (server) {
    url = *server;
  } else {
    auto account = db->GetAccount();  // re-login against the remembered server
    if (!account.ok() || account->server_url.empty()) return ctx.Usage("--server is required");
    url = account->server_url;
  }
  auto transport = device::MakeHttpTransport(url);
  if (!transport.ok()) return ctx.Fail(transport.status());
  auto account = device::Login(*db, **transport, url, *name, *password);
  if (!account.ok()) return ctx.Fail(account.status());
  std::cout << "Đã đăng nhập / logged in: " << account->name << " (" << account->role;
  if (!account->unit.empty()) std::cout << ", " << account->unit;
  std::cout << ") at " << url << "\n";
  return kExitOk;
}

int RunLogout(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  Status s = db->Logout();
  if (!s.ok()) return ctx.Fail(s);
  std::cout << "Đã đăng xuất / logged out\n";
  return kExitOk;
}

int RunWhoami(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto account = db->GetAccount();
  bool json = ctx.args().Has("json");
  if (!account.ok() && account.status().code() != StatusCode::kNotFound)
    return ctx.Fail(account.status());
  if (json) {
    // Hand-made: a handful of ASCII-safe fields; ids and names are escaped minimally.
    auto q = [](const std::string& s) {
      std::string o = "\"";
      for (char c : s) {
        if (c == '"' || c == '\\') o.push_back('\\');
        o.push_back(c);
      }
      return o + "\"";
    };
    std::cout << "{\"device_id\":" << q(db->DeviceId());
    if (account.ok())
      std::cout << ",\"user_id\":" << q(account->user_id) << ",\"name\":" << q(account->name)
                << ",\"role\":" << q(account->role) << ",\"unit\":" << q(account->unit)
                << ",\"server_url\":" << q(account->server_url);
    std::cout << "}\n";
    return kExitOk;
  }
  std::cout << "device " << db->DeviceId() << "\n";
  if (!account.ok()) {
    std::cout << "Chưa đăng nhập / not logged in\n";
  } else {
    std::cout << account->name << " (" << account->role
              << (account->unit.empty() ? "" : ", " + account->unit) << ") at "
              << account->server_url << "\n";
  }
  return kExitOk;
}

}  // namespace q11::cli
