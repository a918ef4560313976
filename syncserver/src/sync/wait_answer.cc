#include "sync/wait_answer.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPResponse.h>

#include <sstream>

#include "http/http_errors.h"

namespace q11::server {
namespace {

std::string Response(int code, const std::string& json) {
  return "HTTP/1.1 " + std::to_string(code) + " " +
         Poco::Net::HTTPResponse::getReasonForStatus(
             static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code)) +
         "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
         std::to_string(json.size()) + "\r\nConnection: close\r\n\r\n" + json;
}

}  // namespace

const std::string& WaitAnswer(bool changed) {
  static const std::string yes = Response(200, R"({"changed":true})");
  static const std::string no = Response(200, R"({"changed":false})");
  return changed ? yes : no;
}

std::string WaitErrorAnswer(const Status& status) {
  // As SendStatusError: "english / vietnamese" messages are split in two.
  std::string en = status.message();
  std::string vi = "Lỗi máy chủ";
  size_t split = en.find(" / ");
  if (split != std::string::npos) {
    vi = en.substr(split + 3);
    en.resize(split);
  }
  Poco::JSON::Object o;
  o.set("error", std::string(StatusCodeName(status.code())));
  o.set("message", en);
  o.set("message_vi", vi);
  std::ostringstream out;
  o.stringify(out);
  return Response(HttpStatusFor(status.code()), out.str());
}

}  // namespace q11::server
