// SHA-256 (protocol/sha256.h) against FIPS 180-4's published examples and NIST's long
// message vector, in one piece and fed in odd-sized pieces across block boundaries.
#include <catch2/catch.hpp>
#include <string>

#include "protocol/sha256.h"

using q11::Sha256;

TEST_CASE("sha256: the NIST vectors") {
  CHECK(Sha256::HexOf("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256::HexOf("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256::HexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Sha256::HexOf(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: pieces of any size give the digest of the whole") {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 31 + 7);
  const std::string whole = Sha256::HexOf(data);
  for (size_t piece : {1u, 3u, 55u, 56u, 63u, 64u, 65u, 127u, 999u}) {
    INFO(piece);
    Sha256 sha;
    for (size_t at = 0; at < data.size(); at += piece)
      sha.Update(std::string_view(data).substr(at, piece));
    CHECK(Sha256::Hex(sha.Finish()) == whole);
  }
  // Lengths around the padding boundary (55, 56 and 64 bytes leave different room).
  CHECK(Sha256::HexOf(std::string(55, 'a')) ==
        "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(Sha256::HexOf(std::string(56, 'a')) ==
        "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(Sha256::HexOf(std::string(64, 'a')) ==
        "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST_CASE("SHA-256 takes an empty piece with no bytes behind it") {
  // A default string_view has a null data pointer: a NULL column's digest feeds one in
  // (scope_digest.h), and memcpy must not see it (UBSan, found by the server push fuzzer).
  Sha256 sha;
  sha.Update(std::string_view());
  sha.Update("ab");
  sha.Update(nullptr, 0);
  sha.Update("c");
  CHECK(Sha256::Hex(sha.Finish()) == Sha256::HexOf("abc"));
}
