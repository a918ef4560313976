// The JSON value, parser and writer (protocol/json_value.h): round trips, the writer's exact
// bytes (devicecore's JSON views and the C API depend on them), and hostile input.
#include <catch2/catch.hpp>
#include <string>

#include "protocol/json_value.h"

using namespace q11;
using json::Value;

namespace {

Value MustParse(std::string_view text) {
  Result<Value> v = json::Parse(text);
  INFO(text);
  REQUIRE(v.ok());
  return *v;
}

// The error message, "" when the text parsed.
std::string ParseError(std::string_view text, json::ParseOptions options = {}) {
  Result<Value> v = json::Parse(text, options);
  if (v.ok()) return "";
  CHECK(v.status().code() == StatusCode::kInvalidArgument);
  return v.status().message();
}

}  // namespace

TEST_CASE("json: objects keep insertion order and are written compactly") {
  Value o;
  o.Set("z", 1);
  o.Set("a", "hai");
  o.Set("m", nullptr);
  o.Set("list", json::Array{true, false, 2.5, json::Object{}});
  o.Set("a", "ba");  // replaced in place
  CHECK(o.Write() == R"({"z":1,"a":"ba","m":null,"list":[true,false,2.5,{}]})");
  CHECK(Value(json::Array{}).Write() == "[]");
  CHECK(Value(std::optional<int>()).Write() == "null");
  CHECK(Value(std::optional<double>(10.5)).Write() == "10.5");
}

TEST_CASE("json: round trip of every kind of value") {
  const std::string text =
      R"({"id":"r-1","n":-42,"big":9223372036854775807,"small":-9223372036854775808,)"
      R"("lat":10.7626,"lon":106.6602,"ok":true,"no":false,"none":null,)"
      R"("title":"Đèn đường hỏng ở Phường 5","nested":{"a":[1,[2,[3,{}]]],"b":[]}})";
  Value v = MustParse(text);
  CHECK(v.Write() == text);
  CHECK(MustParse(v.Write()) == v);
  CHECK(v.Find("n")->ToInt() == -42);
  CHECK(v.Find("big")->ToInt() == INT64_MAX);
  CHECK(v.Find("small")->ToInt() == INT64_MIN);
  CHECK(v.Find("lat")->ToDouble() == 10.7626);
  CHECK(v.StringOr("title") == "Đèn đường hỏng ở Phường 5");
  CHECK(v.StringOr("n", "fallback") == "fallback");
  CHECK(v.Find("missing") == nullptr);
  CHECK(v.Find("nested")->Find("a")->array().size() == 2);
}

TEST_CASE("json: strings are escaped as JSON needs, UTF-8 is written as is") {
  CHECK(json::Quote("a\"b\\c/d") == R"("a\"b\\c/d")");
  CHECK(json::Quote("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(json::Quote(std::string("\x01\x0b\x1f\x7f", 4)) == "\"\\u0001\\u000B\\u001F\x7f\"");
  CHECK(json::Quote(std::string("nul\0here", 8)) == R"("nul\u0000here")");
  CHECK(json::Quote("Quận 11 – trực tuyến 😀") == "\"Quận 11 – trực tuyến 😀\"");
  CHECK(json::Quote("") == "\"\"");
}

TEST_CASE("json: escapes are read, surrogate pairs joined") {
  CHECK(MustParse(R"("\"\\\/\b\f\n\r\t")").string() == "\"\\/\b\f\n\r\t");
  CHECK(MustParse(R"("Qu\u1ead\u006e")").string() == "Quận");
  CHECK(MustParse(R"("\ud83d\ude00")").string() == "😀");
  CHECK(MustParse(R"("a\u0000b")").string() == std::string("a\0b", 3));
  // Written back as UTF-8, not as escapes.
  CHECK(MustParse(R"(["Qu\u1ead\u006e"])").Write() == "[\"Quận\"]");
}

TEST_CASE("json: numbers") {
  CHECK(MustParse("0").ToInt() == 0);
  CHECK(MustParse("-0").ToInt() == 0);
  CHECK(MustParse("1e3").ToDouble() == 1000.0);
  CHECK(MustParse("1E+3").ToInt() == 1000);  // an integral double converts
  CHECK(MustParse("2.5").ToInt() == std::nullopt);
  CHECK(MustParse("\"12\"").ToInt() == std::nullopt);
  // Past int64: kept as a double, never wrapped around.
  Value huge = MustParse("123456789012345678901234567890");
  CHECK(huge.type() == Value::Type::kDouble);
  CHECK(huge.ToInt() == std::nullopt);
  CHECK(MustParse("9223372036854775808").ToInt() == std::nullopt);
  CHECK(MustParse("1e-400").ToDouble() == 0.0);  // underflow is zero
  // The writer: the shortest text that reads back, plain decimals within 1e-15..1e15.
  CHECK(Value(0.1).Write() == "0.1");
  CHECK(Value(106.6602).Write() == "106.6602");
  CHECK(Value(-10.5).Write() == "-10.5");
  CHECK(Value(100.0).Write() == "100");
  CHECK(Value(0.00001).Write() == "0.00001");
  CHECK(Value(1e20).Write() == "1e+20");
  CHECK(Value(1.5e-20).Write() == "1.5e-20");
  CHECK(Value(1.0 / 3).Write() == "0.3333333333333333");
  CHECK(Value(uint64_t{18446744073709551615u}).type() == Value::Type::kDouble);
  for (double d : {0.1, 1.0 / 3, 2.0 / 3, 1e300, 5e-324, 123456.789, -0.000123})
    CHECK(MustParse(Value(d).Write()).ToDouble() == d);
}

TEST_CASE("json: malformed text is refused with where and what") {
  CHECK(ParseError("") == "JSON: unexpected end of text at byte 0");
  CHECK(ParseError("   ") == "JSON: unexpected end of text at byte 3");
  CHECK(ParseError(R"({"a":1)") == "JSON: unexpected end of text in an object at byte 6");
  CHECK(ParseError(R"({"a":1,})") == "JSON: expected a key in quotes at byte 7");
  CHECK(ParseError("[1,]") == "JSON: unexpected character at byte 3");
  CHECK(ParseError("[1 2]") == "JSON: expected ',' or ']' at byte 3");
  CHECK(ParseError(R"("abc)") == "JSON: unterminated string at byte 4");
  CHECK(ParseError(R"("a\x")") == "JSON: invalid escape at byte 2");
  CHECK(ParseError(R"("\u12G4")") == "JSON: bad \\u escape (four hex digits expected) at byte 3");
  CHECK(ParseError(R"("\ud83d")") == "JSON: a high surrogate without its low half at byte 7");
  CHECK(ParseError(R"("\ude00")") == "JSON: a \\u escape is a lone low surrogate at byte 7");
  CHECK(ParseError("\"a\nb\"") ==
        "JSON: a control character inside a string (must be escaped) at byte 2");
  CHECK(ParseError("\"\xC3\x28\"") == "JSON: text that is not UTF-8 at byte 1");
  CHECK(ParseError("\"\xED\xA0\x80\"") == "JSON: text that is not UTF-8 at byte 1");
  CHECK(ParseError("01") == "JSON: a number with a leading zero at byte 1");
  CHECK(ParseError("1.") == "JSON: a decimal point without digits after it at byte 2");
  CHECK(ParseError("1e") == "JSON: an exponent without digits at byte 2");
  CHECK(ParseError("-") == "JSON: a '-' without digits at byte 1");
  CHECK(ParseError("+1") == "JSON: unexpected character at byte 0");
  CHECK(ParseError("1e400") == "JSON: a number out of range at byte 0");
  CHECK(ParseError("NaN") == "JSON: unexpected character at byte 0");
  CHECK(ParseError("tru") == "JSON: unknown word at byte 0");
  CHECK(ParseError("{} {}") == "JSON: unexpected text after the value at byte 3");
  CHECK(ParseError("// comment\n1") == "JSON: unexpected character at byte 0");
  CHECK(ParseError(R"({"a":1,"b":2,"a":3})") ==
        "JSON: duplicate key \"a\" in the object starting at byte 0");
}

TEST_CASE("json: hostile nesting is refused before the stack is at risk") {
  const std::string deep_ok = std::string(64, '[') + std::string(64, ']');
  CHECK(ParseError(deep_ok).empty());
  const std::string too_deep = std::string(65, '[') + std::string(65, ']');
  CHECK(ParseError(too_deep) == "JSON: nested too deeply at byte 64");
  // A million open brackets: refused at the bound, not a crash.
  CHECK(ParseError(std::string(1000000, '[')) == "JSON: nested too deeply at byte 64");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  CHECK(ParseError(objects).find("nested too deeply") != std::string::npos);
  CHECK(ParseError("[[1]]", json::ParseOptions{1}) == "JSON: nested too deeply at byte 1");
}

TEST_CASE("json: a large flat object with many keys parses quickly and keeps order") {
  std::string text = "{";
  for (int i = 0; i < 100000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  text += "}";
  Value v = MustParse(text);
  REQUIRE(v.object().size() == 100000);
  CHECK(v.object().front().first == "k0");
  CHECK(v.object().back().first == "k99999");
  CHECK(v.Write() == text);
}
