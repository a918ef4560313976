// The body of an Open311 (GeoReport v2) answer, built once and written in the format the
// client asked for: XML (required by the specification) or JSON. The two are the same
// tree: an object is an element with child elements / a JSON object; a list is an element
// whose items carry `item_name` / a JSON array; a text field is an element / a JSON string
// (an empty text is an empty element / null); numbers and booleans are bare in JSON.
// Text is UTF-8; bytes that are not valid UTF-8 or not allowed in XML are replaced, so a
// stored value can never break the document.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace q11::server {

class Open311Element {
 public:
  static Open311Element Object(std::string name);
  static Open311Element List(std::string name, std::string item_name);

  // Fields of an object (or, with an empty `name`, text items of a list).
  Open311Element& Text(std::string name, std::string_view value);
  Open311Element& Number(std::string name, std::string literal);  // e.g. "10.76", "403"
  Open311Element& Bool(std::string name, bool value);
  // A nested object or list (a list's items are objects named after its item name).
  Open311Element& Add(Open311Element child);

  // With the XML declaration; UTF-8.
  std::string ToXml() const;
  std::string ToJson() const;

 private:
  enum class Kind { kObject, kList, kText, kNumber, kBool };
  Open311Element(Kind kind, std::string name) : kind_(kind), name_(std::move(name)) {}
  void WriteXml(std::string* out, std::string_view tag) const;
  void WriteJson(std::string* out) const;

  Kind kind_;
  std::string name_;
  std::string item_name_;  // lists
  std::string value_;      // text, number, bool ("true"/"false")
  std::vector<Open311Element> children_;
};

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace q11::server
