#include "open311/form_encoding.h"

#include "open311/open311_document.h"

namespace q11::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Unescape(std::string_view part) {
  std::string out;
  out.reserve(part.size());
  for (size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      int hi = i + 2 < part.size() ? HexValue(part[i + 1]) : -1;
      int lo = i + 2 < part.size() ? HexValue(part[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return InvalidArgument("a broken %-escape in the parameters / tham số có mã % hỏng");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  if (out.find('\0') != std::string::npos)
    return InvalidArgument("a NUL byte in the parameters / tham số chứa byte NUL");
  if (!IsValidUtf8(out))
    return InvalidArgument("parameters must be UTF-8 / tham số phải là văn bản UTF-8");
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> DecodeForm(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    Result<std::string> name = Unescape(pair.substr(0, eq));
    if (!name.ok()) return name.status();
    Result<std::string> value =
        Unescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value.ok()) return value.status();
    if (name->empty()) continue;
    if (out.count(*name))
      return InvalidArgument("the parameter '" + name->substr(0, 64) +
                             "' is given twice / tham số '" + name->substr(0, 64) + "' bị lặp");
    out.emplace(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace q11::server
