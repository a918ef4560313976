// tls_client_context: how the device checks an HTTPS server (Poco NetSSL over OpenSSL). One
// Context per server: the certificate authorities it trusts (the system's store, or the PEM
// given at login), TLS 1.2 or later, and the host name or IP address the certificate must
// name — all checked by OpenSSL inside the handshake, so a refused server has received no
// request byte. The verification callback is ours: it notes why a certificate failed and
// refuses it. Poco's SSLManager and its process-wide certificate handlers (one of them asks
// on the console) are never consulted.
#pragma once

#include <Poco/Net/Context.h>

#include <optional>
#include <string>

#include "protocol/result.h"

namespace q11::device {

// A client Context for `host` (as in the URL: a name, or an IP address checked against
// the certificate's IP entries). `ca_pem` empty: the system's CA store; otherwise the only
// authorities trusted. kInvalidArgument when ca_pem holds no certificate.
Result<Poco::Net::Context::Ptr> MakeTlsClientContext(const std::string& host,
                                                     const std::string& ca_pem);

// The verification callback records on the calling thread (a handshake runs on the thread
// that connects). Forget before connecting; after a failed handshake, the refusal naming
// what was wrong with the certificate (certificate_refusal.h), or nullopt when the
// handshake failed for another reason (the link, the protocol).
void ForgetCertificateProblem();
std::optional<Status> RecordedCertificateProblem(const std::string& host);

}  // namespace q11::device
