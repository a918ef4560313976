// q11::json::Parse (protocol/json_value.h): a strict recursive-descent reader with a depth
// bound. Input comes from the network and from apps: every refusal names the byte offset.
#include <algorithm>

#include "json_number.h"
#include "protocol/json_value.h"
#include "protocol/utf8.h"

namespace q11::json {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : s_(text), options_(options) {}

  Result<Value> ParseAll() {
    Value v;
    if (!ParseValue(v, 0)) return error_;
    SkipSpace();
    if (pos_ != s_.size()) {
      Fail("unexpected text after the value");
      return error_;
    }
    return v;
  }

 private:
  // Records the first error; always returns false so callers can `return Fail(...)`.
  bool Fail(std::string_view what) {
    if (error_.ok())
      error_ = InvalidArgument("JSON: " + std::string(what) + " at byte " + std::to_string(pos_));
    return false;
  }

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  bool Literal(std::string_view word, Value value, Value& out) {
    if (s_.substr(pos_, word.size()) != word) return Fail("unknown word");
    pos_ += word.size();
    out = std::move(value);
    return true;
  }

  bool ParseValue(Value& out, int depth) {
    SkipSpace();
    if (pos_ >= s_.size()) return Fail("unexpected end of text");
    switch (s_[pos_]) {
      case '{':
        return ParseObject(out, depth + 1);
      case '[':
        return ParseArray(out, depth + 1);
      case '"': {
        std::string text;
        if (!ParseString(text)) return false;
        out = Value(std::move(text));
        return true;
      }
      case 't':
        return Literal("true", true, out);
      case 'f':
        return Literal("false", false, out);
      case 'n':
        return Literal("null", nullptr, out);
      default:
        return ParseNumber(out);
    }
  }

  bool ParseArray(Value& out, int depth) {
    if (depth > options_.max_depth) return Fail("nested too deeply");
    ++pos_;  // '['
    Array items;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      out = Value(std::move(items));
      return true;
    }
    while (true) {
      Value item;
      if (!ParseValue(item, depth)) return false;
      items.push_back(std::move(item));
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unexpected end of text in an array");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == ']') break;
      return Fail("expected ',' or ']'");
    }
    ++pos_;
    out = Value(std::move(items));
    return true;
  }

  bool ParseObject(Value& out, int depth) {
    if (depth > options_.max_depth) return Fail("nested too deeply");
    const size_t start = pos_;
    ++pos_;  // '{'
    Object members;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      out = Value(std::move(members));
      return true;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unexpected end of text in an object");
      if (s_[pos_] != '"') return Fail("expected a key in quotes");
      std::string key;
      if (!ParseString(key)) return false;
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      Value v;
      if (!ParseValue(v, depth)) return false;
      members.emplace_back(std::move(key), std::move(v));
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unexpected end of text in an object");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') break;
      return Fail("expected ',' or '}'");
    }
    ++pos_;
    // Two members with one key would let a reader see either: refuse (sorting, so a
    // hostile object with many keys costs n log n, not n^2).
    std::vector<std::string_view> keys;
    keys.reserve(members.size());
    for (const auto& m : members) keys.push_back(m.first);
    std::sort(keys.begin(), keys.end());
    auto dup = std::adjacent_find(keys.begin(), keys.end());
    if (dup != keys.end()) {
      pos_ = start;
      return Fail("duplicate key " + Quote(*dup) + " in the object starting");
    }
    out = Value(std::move(members));
    return true;
  }

  int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits at pos_ (after "\u"); -1 when they are not.
  int32_t Hex4() {
    if (s_.size() - pos_ < 4) return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int d = HexDigit(s_[pos_ + i]);
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    pos_ += 4;
    return v;
  }

  static void AppendUtf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // "\uXXXX" (a surrogate pair counts as one); pos_ is just past the 'u'.
  bool ParseUnicodeEscape(std::string& out) {
    int32_t cp = Hex4();
    if (cp < 0) return Fail("bad \\u escape (four hex digits expected)");
    if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("a \\u escape is a lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (s_.substr(pos_, 2) != "\\u") return Fail("a high surrogate without its low half");
      pos_ += 2;
      int32_t low = Hex4();
      if (low < 0xDC00 || low > 0xDFFF) return Fail("a high surrogate without its low half");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(static_cast<uint32_t>(cp), out);
    return true;
  }

  bool ParseString(std::string& out) {
    ++pos_;  // '"'
    while (true) {
      if (pos_ >= s_.size()) return Fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("a control character inside a string (must be escaped)");
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) return Fail("unterminated string");
        char e = s_[pos_ + 1];
        pos_ += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u':
            if (!ParseUnicodeEscape(out)) return false;
            break;
          default:
            pos_ -= 2;
            return Fail("invalid escape");
        }
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      size_t n = utf8::SequenceLength(s_, pos_);
      if (n == 0) return Fail("text that is not UTF-8");
      out.append(s_.substr(pos_, n));
      pos_ += n;
    }
  }

  bool Digits() {
    size_t from = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > from;
  }

  bool ParseNumber(Value& out) {
    const size_t start = pos_;
    bool negative = false;
    if (s_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9')
      return Fail(negative ? "a '-' without digits" : "unexpected character");
    if (s_[pos_] == '0') {
      ++pos_;
      if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
        return Fail("a number with a leading zero");
    } else {
      Digits();
    }
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (!Digits()) return Fail("a decimal point without digits after it");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!Digits()) return Fail("an exponent without digits");
    }
    std::string_view text = s_.substr(start, pos_ - start);
    if (integral) {
      // Exactly, when it fits in int64; a larger integer is kept as a double.
      uint64_t magnitude = 0;
      bool fits = true;
      for (char c : text.substr(negative ? 1 : 0)) {
        uint64_t d = static_cast<uint64_t>(c - '0');
        if (magnitude > (UINT64_MAX - d) / 10) {
          fits = false;
          break;
        }
        magnitude = magnitude * 10 + d;
      }
      const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
      if (fits && magnitude <= limit) {
        out = negative ? Value(static_cast<int64_t>(0 - magnitude)) : Value(magnitude);
        return true;
      }
    }
    std::optional<double> d = ReadDouble(text);
    if (!d) {
      pos_ = start;
      return Fail("a number out of range");
    }
    out = Value(*d);
    return true;
  }

  std::string_view s_;
  ParseOptions options_;
  size_t pos_ = 0;
  Status error_;
};

}  // namespace

Result<Value> Parse(std::string_view text, const ParseOptions& options) {
  return Parser(text, options).ParseAll();
}

}  // namespace q11::json
