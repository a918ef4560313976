// certificate_refusal: the Status of a server whose TLS certificate the device refused. It is
// kFailedPrecondition, which no retry loop retries (a certificate does not fix itself in a
// few seconds), and its message is one line a user can act on, in Vietnamese and English.
// Callers that add context to a failure ("the server refused the sync: ...") pass it on
// unchanged instead: the server refused nothing, it was never spoken to.
#pragma once

#include <string_view>

#include "protocol/result.h"

namespace q11::device {

// "the server's certificate is not trusted: <en> / chứng chỉ của máy chủ không được tin
// cậy: <vi>; nothing was sent / chưa gửi dữ liệu nào".
Status CertificateRefusal(std::string_view en, std::string_view vi);

// True for a Status made by CertificateRefusal.
bool IsCertificateRefusal(const Status& s);

}  // namespace q11::device
