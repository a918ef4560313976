#include "certificate_refusal.h"

#include <string>

namespace q11::device {
namespace {

constexpr std::string_view kLead = "the server's certificate is not trusted: ";

}  // namespace

Status CertificateRefusal(std::string_view en, std::string_view vi) {
  std::string m(kLead);
  m += en;
  m += " / chứng chỉ của máy chủ không được tin cậy: ";
  m += vi;
  m += "; nothing was sent / chưa gửi dữ liệu nào";
  return FailedPrecondition(std::move(m));
}

bool IsCertificateRefusal(const Status& s) {
  return s.code() == StatusCode::kFailedPrecondition &&
         std::string_view(s.message()).substr(0, kLead.size()) == kLead;
}

}  // namespace q11::device
