// Which server a command talks to and how its certificate is checked: --server and --ca, or
// what the device was logged in with.
#include <fstream>
#include <sstream>

#include "cli.h"

namespace q11::cli {
namespace {

// A CA bundle is a few KiB; anything this large is not one.
constexpr std::streamsize kMaxCaFileBytes = 1 << 20;

Result<std::string> ReadCaFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return InvalidArgument("không đọc được tệp chứng chỉ CA / cannot read the CA file " + path);
  std::string pem(static_cast<size_t>(kMaxCaFileBytes) + 1, '\0');
  in.read(pem.data(), kMaxCaFileBytes + 1);
  pem.resize(static_cast<size_t>(in.gcount()));
  if (in.bad())
    return InvalidArgument("không đọc được tệp chứng chỉ CA / cannot read the CA file " + path);
  if (pem.size() > static_cast<size_t>(kMaxCaFileBytes) ||
      pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return InvalidArgument("tệp " + path +
                           " không phải chứng chỉ CA dạng PEM / is not a PEM certificate file");
  return pem;
}

}  // namespace

Result<ServerChoice> Context::Server() {
  ServerChoice choice;
  choice.url = args_.Get("server").value_or("");
  if (std::optional<std::string> ca = args_.Get("ca")) {
    Result<std::string> pem = ReadCaFile(*ca);
    if (!pem.ok()) return pem.status();
    choice.ca_pem = std::move(*pem);
  }
  if (db() == nullptr) return choice;
  auto account = db_->GetAccount();
  if (!account.ok()) return choice;
  // The CA given at login goes with its server, not with whatever --server names now.
  if (choice.url.empty() || choice.url == account->server_url) {
    if (!args_.Has("ca")) choice.ca_pem = account->server_ca_pem;
    choice.url = account->server_url;
  }
  return choice;
}

Result<std::unique_ptr<device::Transport>> Connect(const ServerChoice& server, int timeout_ms) {
  device::TransportOptions options;
  options.timeout_ms = timeout_ms;
  options.ca_pem = server.ca_pem;
  return device::MakeHttpTransport(server.url, options);
}

}  // namespace q11::cli
