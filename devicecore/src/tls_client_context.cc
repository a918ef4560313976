#include "tls_client_context.h"

#include <Poco/Exception.h>
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

#include "certificate_refusal.h"

namespace q11::device {
namespace {

// What the verification callback saw of the first certificate it refused.
struct CertificateProblem {
  int error = 0;  // X509_V_ERR_*; 0: nothing refused
  std::string subject, not_before, not_after;
};
thread_local CertificateProblem t_problem;

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string NameText(const X509_NAME* name) {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || name == nullptr) return "";
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  return BioText(bio.get());
}

std::string TimeText(const ASN1_TIME* t) {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || t == nullptr) return "";
  ASN1_TIME_print_ex(bio.get(), t, ASN1_DTFLGS_ISO8601);
  return BioText(bio.get());
}

int VerifyServerCertificate(int ok, X509_STORE_CTX* store) {
  if (ok == 1) return 1;
  if (t_problem.error == 0) {
    t_problem.error = X509_STORE_CTX_get_error(store);
    if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
      t_problem.subject = NameText(X509_get_subject_name(cert));
      t_problem.not_before = TimeText(X509_get0_notBefore(cert));
      t_problem.not_after = TimeText(X509_get0_notAfter(cert));
    }
  }
  return 0;  // refused: the handshake stops here
}

// Adds every certificate of a PEM text to the context's trust store; how many.
int AddAuthorities(SSL_CTX* ctx, const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return 0;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  ERR_clear_error();  // the loop ends on "no start line": not an error
  return added;
}

bool IsIpAddress(const std::string& host) {
  in6_addr buf{};
  return inet_pton(AF_INET, host.c_str(), &buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &buf) == 1;
}

}  // namespace

Result<Poco::Net::Context::Ptr> MakeTlsClientContext(const std::string& host,
                                                     const std::string& ca_pem) {
  using Poco::Net::Context;
  try {
    Context::Params params;
    params.verificationMode = Context::VERIFY_RELAXED;  // a client: verify the server
    params.loadDefaultCAs = ca_pem.empty();
    params.cipherList = "DEFAULT";  // OpenSSL's vetted list, not Poco's "ALL:..."
    Context::Ptr context = new Context(Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Context::PROTO_TLSV1_2);
    // Poco's own name check after the handshake skips loopback hosts and looks names up in
    // DNS; OpenSSL's (below) follows RFC 6125, IP entries included, inside the handshake.
    context->enableExtendedCertificateVerification(false);
    SSL_CTX* ssl = context->sslContext();
    SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER, &VerifyServerCertificate);
    if (!ca_pem.empty() && AddAuthorities(ssl, ca_pem) == 0)
      return InvalidArgument(
          "tệp chứng chỉ CA không chứa chứng chỉ nào / the CA file holds no PEM certificate");
    X509_VERIFY_PARAM* check = SSL_CTX_get0_param(ssl);
    int named = 0;
    if (IsIpAddress(host)) {
      named = X509_VERIFY_PARAM_set1_ip_asc(check, host.c_str());
    } else {
      X509_VERIFY_PARAM_set_hostflags(check, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      named = X509_VERIFY_PARAM_set1_host(check, host.c_str(), host.size());
    }
    if (named != 1) return InvalidArgument("cannot check certificates for host " + host);
    return context;
  } catch (const Poco::Exception& e) {
    return Internal("cannot set up TLS: " + e.displayText());
  }
}

void ForgetCertificateProblem() { t_problem = CertificateProblem(); }

std::optional<Status> RecordedCertificateProblem(const std::string& host) {
  const CertificateProblem p = t_problem;
  if (p.error == 0) return std::nullopt;
  const std::string what = X509_verify_cert_error_string(p.error);
  const std::string of = p.subject.empty() ? "" : p.subject + ", ";
  switch (p.error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return CertificateRefusal(what + " (" + of + "valid until " + p.not_after + ")",
                                "chứng chỉ đã hết hạn (hết hạn " + p.not_after + ")");
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return CertificateRefusal(what + " (" + of + "valid from " + p.not_before + ")",
                                "chứng chỉ chưa có hiệu lực (từ " + p.not_before + ")");
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return CertificateRefusal(what + ": it is not made out to " + host + " (" + p.subject + ")",
                                "chứng chỉ không cấp cho " + host + " (" + p.subject + ")");
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return CertificateRefusal(what + ": no certificate authority this device trusts issued it (" +
                                    p.subject + "; a private CA is given with --ca)",
                                "chứng chỉ không do tổ chức chứng thực mà thiết bị tin cậy cấp");
    default:
      return CertificateRefusal(what + " (" + p.subject + ")", "chứng chỉ không hợp lệ");
  }
}

}  // namespace q11::device
