#include "open311/open311_submission.h"

#include <cmath>
#include <cstdlib>
#include <set>

namespace q11::server {
namespace {

// Room is left under the write rules' 5000 bytes for the media URL line.
constexpr size_t kMaxDescription = 4000;
constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxAddress = 500;
constexpr size_t kMaxUrl = 500;
constexpr size_t kMaxName = 100;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMaxOpaque = 128;  // device_id, account_id

Status Bad(const std::string& en, const std::string& vi) {
  return InvalidArgument(en + " / " + vi);
}

// A decimal number ("10.7634", "-0.5", "1e1" refused: no exponent, no hex, no inf/nan).
std::optional<double> Decimal(const std::string& text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  bool digit = false, dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9')
      digit = true;
    else if (c == '.' && !dot)
      dot = true;
    else
      return std::nullopt;
  }
  if (!digit) return std::nullopt;
  return std::strtod(text.c_str(), nullptr);
}

bool Printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

// Printable text that may span lines.
bool Multiline(const std::string& s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) return false;
  return true;
}

bool Email(const std::string& email) {
  size_t at = email.find('@');
  if (email.size() > kMaxEmail || at == std::string::npos || at == 0 || at + 1 == email.size())
    return false;
  for (unsigned char c : email)
    if (c <= ' ' || c == 0x7f) return false;
  return true;
}

// Digits with the usual separators; 8-15 digits.
bool Phone(const std::string& phone) {
  if (phone.size() > 32) return false;
  int digits = 0;
  for (size_t i = 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (!(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || (c == '+' && i == 0)))
      return false;
  }
  return digits >= 8 && digits <= 15;
}

bool Url(const std::string& url) {
  if (url.size() > kMaxUrl) return false;
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) return false;
  for (unsigned char c : url)
    if (c <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>') return false;
  return true;
}

}  // namespace

Result<Open311Submission> ParseOpen311Submission(const std::map<std::string, std::string>& fields,
                                                 const std::vector<Open311Service>& services,
                                                 const std::vector<Open311Ward>& wards) {
  static const std::set<std::string> kKnown = {
      "service_code",    "lat",         "long",       "address_string",  "address_id",
      "email",           "device_id",   "account_id", "first_name",      "last_name",
      "phone",           "description", "media_url",  "attribute[ward]", "attribute[kind]",
      "attribute[title]"};
  for (const auto& [name, value] : fields) {
    if (kKnown.count(name)) continue;
    std::string shown = name.substr(0, 64);
    if (name.rfind("attribute[", 0) == 0)
      return Bad("unknown attribute '" + shown + "' (this service has ward, kind, title)",
                 "thuộc tính '" + shown + "' không có (chỉ có ward, kind, title)");
    return Bad("unknown parameter '" + shown + "'", "tham số '" + shown + "' không được hỗ trợ");
  }
  auto get = [&](const char* name) -> std::string {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  };
  Open311Submission s;
  s.service_code = get("service_code");
  if (s.service_code.empty()) return Bad("service_code is required", "thiếu service_code");
  const Open311Service* service = nullptr;
  for (const Open311Service& sv : services)
    if (sv.code == s.service_code) service = &sv;
  if (service == nullptr)
    return Bad("service_code '" + s.service_code.substr(0, 64) + "' not found",
               "không có lĩnh vực '" + s.service_code.substr(0, 64) + "'");

  s.ward_id = get("attribute[ward]");
  if (s.ward_id.empty())
    return Bad("attribute[ward] is required: the ward of Quận 11 where it is (p01-p16)",
               "thiếu attribute[ward]: phường nơi xảy ra sự việc (p01-p16)");
  bool ward_known = false;
  for (const Open311Ward& w : wards) ward_known = ward_known || w.id == s.ward_id;
  if (!ward_known)
    return Bad("attribute[ward] '" + s.ward_id.substr(0, 64) + "' is not a ward of Quận 11",
               "attribute[ward] không phải phường của Quận 11");
  s.kind = get("attribute[kind]");
  if (s.kind.empty()) s.kind = "phan_anh";
  if (s.kind != "phan_anh" && s.kind != "gop_y")
    return Bad("attribute[kind] must be phan_anh or gop_y",
               "attribute[kind] phải là phan_anh hoặc gop_y");

  const bool has_lat = fields.count("lat") > 0, has_long = fields.count("long") > 0;
  if (has_lat != has_long) return Bad("lat and long go together", "phải có cả lat và long");
  if (has_lat) {
    std::optional<double> lat = Decimal(get("lat")), lon = Decimal(get("long"));
    if (!lat || *lat < -90 || *lat > 90)
      return Bad("lat must be a decimal latitude (-90 to 90)", "lat phải là vĩ độ (-90 đến 90)");
    if (!lon || *lon < -180 || *lon > 180)
      return Bad("long must be a decimal longitude (-180 to 180)",
                 "long phải là kinh độ (-180 đến 180)");
    s.lat = lat;
    s.lon = lon;
  }
  s.address = get("address_string");
  if (s.address.size() > kMaxAddress || !Printable(s.address))
    return Bad("address_string must be one line of at most 500 bytes",
               "address_string phải là một dòng, tối đa 500 byte");
  if (!has_lat && s.address.empty()) {
    if (fields.count("address_id"))
      return Bad("address_id is not supported here: send lat and long or address_string",
                 "không hỗ trợ address_id: hãy gửi lat và long hoặc address_string");
    return Bad("a location is required: lat and long, or address_string",
               "thiếu vị trí: lat và long, hoặc address_string");
  }

  std::string description = get("description");
  if (description.size() > kMaxDescription)
    return Bad("description is longer than 4000 bytes", "description dài quá 4000 byte");
  if (!Multiline(description))
    return Bad("description holds control characters", "description chứa ký tự điều khiển");
  s.title = get("attribute[title]");
  if (s.title.size() > kMaxTitle || !Printable(s.title))
    return Bad("attribute[title] must be one line of at most 200 bytes",
               "attribute[title] phải là một dòng, tối đa 200 byte");
  if (s.title.empty()) s.title = service->name_vi;
  s.description = description.empty() ? s.title : description;
  std::string media = get("media_url");
  if (!media.empty()) {
    if (!Url(media))
      return Bad("media_url must be an http(s) URL of at most 500 bytes",
                 "media_url phải là địa chỉ http(s), tối đa 500 byte");
    // Officials see the link with the description (a report's photos are uploaded bytes;
    // the server does not fetch URLs on anyone's behalf).
    s.description += "\n\nẢnh / media: " + media;
  }

  s.first_name = get("first_name");
  s.last_name = get("last_name");
  for (const std::string* name : {&s.first_name, &s.last_name})
    if (name->size() > kMaxName || !Printable(*name))
      return Bad("first_name and last_name are one line of at most 100 bytes each",
                 "first_name, last_name tối đa 100 byte mỗi trường");
  s.email = get("email");
  if (!s.email.empty() && !Email(s.email))
    return Bad("email is not an e-mail address", "email không hợp lệ");
  s.phone = get("phone");
  if (!s.phone.empty() && !Phone(s.phone))
    return Bad("phone must be 8-15 digits (spaces, dashes, a leading + allowed)",
               "phone phải gồm 8-15 chữ số");
  for (const char* opaque : {"device_id", "account_id"})
    if (get(opaque).size() > kMaxOpaque || !Printable(get(opaque)))
      return Bad(std::string(opaque) + " must be one line of at most 128 bytes",
                 std::string(opaque) + " tối đa 128 byte");
  return s;
}

}  // namespace q11::server
