#include "test_certificates.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "test_support.h"

namespace fs = std::filesystem;

namespace q11::test {
namespace {

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// Runs openssl; "" on success, else what it said.
std::string Openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  args.insert(args.begin(), "/usr/bin/env");
  CommandResult r = Run(args);
  if (r.exit_code == 0) return "";
  std::string cmd;
  for (const std::string& a : args) cmd += a + " ";
  return cmd + "→ exit " + std::to_string(r.exit_code) + ": " + r.err;
}

}  // namespace

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TestCa::TestCa(std::string dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {
  const std::string db = dir_ + "/" + name_ + ".ca";
  std::error_code ec;
  fs::create_directories(db + "/issued", ec);
  files_ = {dir_ + "/" + name_ + ".pem", dir_ + "/" + name_ + ".key"};
  // `openssl ca` (unlike `x509 -req` in 3.0) takes explicit start and end dates; it keeps
  // a small database of what it issued.
  std::ostringstream cnf;
  cnf << "[ca]\ndefault_ca = test_ca\n[test_ca]\n"
      << "database = " << db << "/index.txt\n"
      << "new_certs_dir = " << db << "/issued\n"
      << "serial = " << db << "/serial.txt\n"
      << "default_md = sha256\npolicy = any_name\nunique_subject = no\n"
      << "[any_name]\ncommonName = supplied\n";
  if (!WriteText(db + "/index.txt", "") || !WriteText(db + "/serial.txt", "1000\n") ||
      !WriteText(db + "/ca.cnf", cnf.str())) {
    error_ = "cannot write the CA's files under " + db;
    return;
  }
  error_ = Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", files_.key, "-out", files_.cert, "-days", "3", "-subj",
                    "/CN=" + name_, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign"});
}

CertFiles TestCa::Issue(const std::string& name, const std::string& san,
                        const std::string& not_before, const std::string& not_after) {
  const std::string db = dir_ + "/" + name_ + ".ca";
  CertFiles out{dir_ + "/" + name + ".pem", dir_ + "/" + name + ".key"};
  const std::string csr = dir_ + "/" + name + ".csr", ext = dir_ + "/" + name + ".ext";
  if (!WriteText(ext, "[server]\nsubjectAltName = " + san +
                          "\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n")) {
    error_ = "cannot write " + ext;
    return {};
  }
  error_ = Openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", out.key, "-out", csr, "-subj", "/CN=" + name});
  if (!error_.empty()) return {};
  std::vector<std::string> sign = {"ca",          "-batch",   "-config",  db + "/ca.cnf", "-cert",
                                   files_.cert,   "-keyfile", files_.key, "-in",          csr,
                                   "-out",        out.cert,   "-notext",  "-extfile",     ext,
                                   "-extensions", "server"};
  if (not_before.empty()) {
    sign.insert(sign.end(), {"-days", "2"});
  } else {
    sign.insert(sign.end(), {"-startdate", not_before, "-enddate", not_after});
  }
  error_ = Openssl(sign);
  if (!error_.empty()) return {};
  return out;
}

}  // namespace q11::test
