// q11 login / register / logout / whoami.
#include <iostream>

#include "cli.h"
#include "devicecore/sync.h"

namespace q11::cli {

int RunLogin(Context& ctx) {
  auto name = ctx.args().Get("name");
  auto password = ctx.args().Get("password");
  if (!name || name->empty()) return ctx.Usage("--name is required");
  if (!password) return ctx.Usage("--password is required");
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  // Without --server: log in again to the remembered server, with its remembered CA.
  auto server = ctx.Server();
  if (!server.ok()) return ctx.Fail(server.status());
  if (server->url.empty()) return ctx.Usage("--server is required");
  // A plain-http URL to another machine is refused here, before any lookup or connection.
  auto transport = Connect(*server, 30000);
  if (!transport.ok()) return ctx.Fail(transport.status());
  auto account = device::Login(*db, **transport, server->url, *name, *password, server->ca_pem);
  if (!account.ok()) return ctx.Fail(account.status());
  std::cout << "Đã đăng nhập / logged in: " << account->name << " (" << account->role;
  if (!account->unit.empty()) std::cout << ", " << account->unit;
  std::cout << ") at " << server->url << "\n";
  return kExitOk;
}

int RunRegister(Context& ctx) {
  auto server = ctx.args().Get("server");
  auto name = ctx.args().Get("name");
  auto password = ctx.args().Get("password");
  if (!server || server->empty()) return ctx.Usage("--server is required");
  if (!name || name->empty()) return ctx.Usage("--name is required");
  if (!password) return ctx.Usage("--password is required");
  device::Registration r{*name, *password, ctx.args().Get("phone").value_or(""),
                         ctx.args().Get("email").value_or("")};
  // A typo is answered before the database or the network is touched.
  if (Status s = device::ValidateRegistration(r); !s.ok()) return ctx.Fail(s);
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto choice = ctx.Server();
  if (!choice.ok()) return ctx.Fail(choice.status());
  auto transport = Connect(*choice, 30000);
  if (!transport.ok()) return ctx.Fail(transport.status());
  auto account = device::Register(*db, **transport, choice->url, r, choice->ca_pem);
  if (!account.ok()) return ctx.Fail(account.status());
  std::cout << "Đã đăng ký và đăng nhập / registered and logged in: " << account->name << " ("
            << account->role << ") at " << *server << "\n";
  return kExitOk;
}

int RunLogout(Context& ctx) {
  device::Database* db = ctx.db();
  if (db == nullptr) return kExitFailed;
  auto account = db->GetAccount();
  if (!account.ok()) {
    if (account.status().code() != StatusCode::kNotFound) return ctx.Fail(account.status());
    std::cout << "Chưa đăng nhập / not logged in\n";
    return kExitOk;
  }
  device::LogoutResult result;
  auto transport = Connect({account->server_url, account->server_ca_pem}, 5000);
  if (transport.ok()) {
    auto told = device::Logout(*db, **transport);
    if (!told.ok()) return ctx.Fail(told.status());
    result = *told;
  } else {  // a bad stored URL must not keep the user logged in
    if (Status s = db->Logout(); !s.ok()) return ctx.Fail(s);
    result.note = transport.status().message();
  }
  std::cout << "Đã đăng xuất / logged out";
  if (!result.server_told)
    std::cout << " (chỉ trên thiết bị này / on this device only: " << OneLine(result.note, 300)
              << ")";
  std::cout << "\n";
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
                << ",\"server_url\":" << q(account->server_url)
                << ",\"contact_phone\":" << q(account->contact_phone)
                << ",\"contact_email\":" << q(account->contact_email);
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
    // The user's own contact details (from registration): shown to them, never synced.
    if (!account->contact_phone.empty())
      std::cout << "Điện thoại / phone: " << account->contact_phone << "\n";
    if (!account->contact_email.empty()) std::cout << "E-mail: " << account->contact_email << "\n";
  }
  return kExitOk;
}

}  // namespace q11::cli
