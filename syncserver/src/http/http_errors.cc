#include "http/http_errors.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <sstream>

namespace q11::server {
namespace {

std::string_view GenericVietnamese(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return "Yêu cầu không hợp lệ";
    case StatusCode::kDataLoss:
      return "Dữ liệu gửi lên bị hỏng";
    case StatusCode::kUnauthenticated:
      return "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn";
    case StatusCode::kPermissionDenied:
      return "Không có quyền thực hiện";
    case StatusCode::kNotFound:
      return "Không tìm thấy";
    case StatusCode::kAlreadyExists:
      return "Đã tồn tại";
    case StatusCode::kResourceExhausted:
      return "Dữ liệu gửi lên quá lớn";
    case StatusCode::kUnavailable:
      return "Máy chủ đang bận, vui lòng thử lại sau";
    case StatusCode::kFailedPrecondition:
      return "Không thể thực hiện lúc này";
    case StatusCode::kAborted:
      return "Thao tác bị hủy, vui lòng thử lại";
    default:
      return "Lỗi máy chủ; chưa có thay đổi nào được lưu";
  }
}

// Messages can quote client bytes (a broken token, a table name); JSON must stay valid
// UTF-8, so any byte that does not start a well-formed sequence becomes '?'.
std::string ValidUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len > 0 && i + len <= in.size() && !(c < 0x20 && c != '\t');
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2) ok = c >= 0xC2;  // no overlong forms
    if (!ok) {
      out.push_back('?');
      ++i;
      continue;
    }
    out.append(in.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kDataLoss:
    case StatusCode::kFailedPrecondition:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void SendJsonBody(Poco::Net::HTTPServerResponse& response, const std::string& json,
                  int http_status) {
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(http_status));
  response.setContentType("application/json; charset=utf-8");
  response.sendBuffer(json.data(), json.size());
}

void SendJsonError(Poco::Net::HTTPServerResponse& response, int http_status, std::string_view code,
                   std::string_view message, std::string_view message_vi) {
  Poco::JSON::Object o;
  o.set("error", std::string(code));
  o.set("message", ValidUtf8(message));
  o.set("message_vi", ValidUtf8(message_vi));
  std::ostringstream out;
  o.stringify(out);
  SendJsonBody(response, out.str(), http_status);
}

void SendStatusError(Poco::Net::HTTPServerResponse& response, const Status& status) {
  std::string en = status.message();
  std::string vi(GenericVietnamese(status.code()));
  size_t split = en.find(" / ");
  if (split != std::string::npos) {
    vi = en.substr(split + 3);
    en.resize(split);
  }
  SendJsonError(response, HttpStatusFor(status.code()), StatusCodeName(status.code()), en, vi);
}

void SendRateLimited(Poco::Net::HTTPServerResponse& response, int retry_after_s) {
  response.set("Retry-After", std::to_string(retry_after_s));
  SendJsonError(response, 429, "resource_exhausted",
                "too many requests; retry after " + std::to_string(retry_after_s) + " s",
                "Quá nhiều yêu cầu; thử lại sau " + std::to_string(retry_after_s) + " giây");
}

}  // namespace q11::server
