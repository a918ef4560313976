#include "open311/open311_document.h"

#include <cstdint>

#include "protocol/utf8.h"

namespace q11::server {
namespace {

// `text` with every invalid sequence and every control character XML 1.0 forbids turned
// into U+FFFD.
std::string Clean(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8::SequenceLength(text, i);
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (n == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
      out += "\xEF\xBF\xBD";
      i += n == 0 ? 1 : n;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

void AppendXmlEscaped(std::string* out, std::string_view text) {
  for (char c : Clean(text)) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&apos;";
        break;
      case '\r':
        *out += "&#13;";
        break;
      default:
        *out += c;
    }
  }
}

void AppendJsonString(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += '"';
  for (char ch : Clean(text)) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      // "</" and U+2028/9 are harmless here (served as application/json), but "<" escaped
      // keeps a mis-sniffed answer from ever opening a tag.
      case '<':
        *out += "\\u003c";
        break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          *out += kHex[c >> 4];
          *out += kHex[c & 15];
        } else {
          *out += ch;
        }
    }
  }
  *out += '"';
}

}  // namespace

bool IsValidUtf8(std::string_view text) { return utf8::IsValid(text); }

Open311Element Open311Element::Object(std::string name) {
  return Open311Element(Kind::kObject, std::move(name));
}

Open311Element Open311Element::List(std::string name, std::string item_name) {
  Open311Element e(Kind::kList, std::move(name));
  e.item_name_ = std::move(item_name);
  return e;
}

Open311Element& Open311Element::Text(std::string name, std::string_view value) {
  Open311Element e(Kind::kText, std::move(name));
  e.value_ = std::string(value);
  children_.push_back(std::move(e));
  return *this;
}

Open311Element& Open311Element::Number(std::string name, std::string literal) {
  Open311Element e(Kind::kNumber, std::move(name));
  e.value_ = std::move(literal);
  children_.push_back(std::move(e));
  return *this;
}

Open311Element& Open311Element::Bool(std::string name, bool value) {
  Open311Element e(Kind::kBool, std::move(name));
  e.value_ = value ? "true" : "false";
  children_.push_back(std::move(e));
  return *this;
}

Open311Element& Open311Element::Add(Open311Element child) {
  children_.push_back(std::move(child));
  return *this;
}

std::string Open311Element::ToXml() const {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  WriteXml(&out, name_);
  out += '\n';
  return out;
}

std::string Open311Element::ToJson() const {
  std::string out;
  WriteJson(&out);
  out += '\n';
  return out;
}

void Open311Element::WriteXml(std::string* out, std::string_view tag) const {
  if ((kind_ == Kind::kText && value_.empty()) ||
      ((kind_ == Kind::kObject || kind_ == Kind::kList) && children_.empty())) {
    *out += '<';
    *out += tag;
    *out += "/>";
    return;
  }
  *out += '<';
  *out += tag;
  *out += '>';
  if (kind_ == Kind::kObject || kind_ == Kind::kList) {
    for (const Open311Element& c : children_)
      c.WriteXml(out, kind_ == Kind::kList ? std::string_view(item_name_) : c.name_);
  } else {
    AppendXmlEscaped(out, value_);
  }
  *out += "</";
  *out += tag;
  *out += '>';
}

void Open311Element::WriteJson(std::string* out) const {
  switch (kind_) {
    case Kind::kText:
      if (value_.empty())
        *out += "null";
      else
        AppendJsonString(out, value_);
      return;
    case Kind::kNumber:
    case Kind::kBool:
      *out += value_;
      return;
    case Kind::kList:
      *out += '[';
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) *out += ',';
        children_[i].WriteJson(out);
      }
      *out += ']';
      return;
    case Kind::kObject:
      *out += '{';
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) *out += ',';
        AppendJsonString(out, children_[i].name_);
        *out += ':';
        children_[i].WriteJson(out);
      }
      *out += '}';
      return;
  }
}

}  // namespace q11::server
