// UTF-8 well-formedness (protocol/utf8.h): what both sides accept as synced text.
#include <catch2/catch.hpp>
#include <string>

#include "protocol/utf8.h"

using namespace q11;

TEST_CASE("utf8: Vietnamese text and every sequence length are valid") {
  CHECK(utf8::IsValid(""));
  CHECK(utf8::IsValid("Quận 11 – trực tuyến"));
  CHECK(utf8::IsValid("\x7f"));              // 1 byte
  CHECK(utf8::IsValid("\xC2\x80"));          // U+0080
  CHECK(utf8::IsValid("\xEF\xBF\xBD"));      // U+FFFD
  CHECK(utf8::IsValid("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  CHECK(utf8::SequenceLength("\xF0\x9F\x98\x80", 0) == 4);
}

TEST_CASE("utf8: broken, overlong, surrogate and out-of-range sequences are not") {
  for (std::string bad : {std::string("\xC3"),              // truncated
                          std::string("R\xC3\x28"),         // bad continuation
                          std::string("\x80"),              // stray continuation
                          std::string("\xC0\xAF"),          // overlong '/'
                          std::string("\xE0\x80\xAF"),      // overlong, 3 bytes
                          std::string("\xED\xA0\x80"),      // surrogate U+D800
                          std::string("\xF4\x90\x80\x80"),  // past U+10FFFF
                          std::string("\xF8\x88\x80\x80\x80")}) {
    INFO(bad.size());
    CHECK_FALSE(utf8::IsValid(bad));
  }
}
