// Certificates for HTTPS tests, made at test time with the openssl command line (Debian 12
// ships OpenSSL 3.0): certificate authorities and the server certificates they issue,
// valid now or with chosen dates (an expired one), for chosen names. EC P-256 keys, so
// making them takes milliseconds. Nothing here is ever trusted outside the test's folder.
#pragma once

#include <string>

namespace q11::test {

struct CertFiles {
  std::string cert, key;  // PEM files
};

class TestCa {
 public:
  // A self-signed CA `name` with its files (and its `openssl ca` database) under `dir`,
  // which must exist. ok() false with error() when openssl failed.
  TestCa(std::string dir, std::string name);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const CertFiles& files() const { return files_; }

  // A server certificate for subjectAltName `san` ("DNS:localhost,IP:127.0.0.1"), issued by
  // this CA, valid from `not_before` to `not_after` (openssl's YYYYMMDDHHMMSSZ) or, when
  // they are empty, from now for two days. Empty files and error() set on failure.
  CertFiles Issue(const std::string& name, const std::string& san,
                  const std::string& not_before = "", const std::string& not_after = "");

 private:
  std::string dir_, name_;
  CertFiles files_;
  std::string error_;
};

// The whole text of a file ("" when it cannot be read).
std::string ReadFileText(const std::string& path);

}  // namespace q11::test
