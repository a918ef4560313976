#include "protocol/receipt_code.h"

namespace q11::receipt {
namespace {

constexpr std::string_view kPrefix = "Q11-";

bool InAlphabet(char c) { return kAlphabet.find(c) != std::string_view::npos; }

std::string Grouped(std::string_view chars) {
  std::string out(kPrefix);
  out.append(chars.substr(0, 4));
  out += '-';
  out.append(chars.substr(4, 4));
  return out;
}

}  // namespace

std::optional<std::string> MakeCode(const std::array<uint8_t, kRandomBytes>& random) {
  // Bytes at or above the largest multiple of the alphabet size would favour its first
  // symbols: skip them.
  const unsigned n = static_cast<unsigned>(kAlphabet.size());
  const unsigned limit = 256 - 256 % n;
  std::string chars;
  for (uint8_t b : random) {
    if (b >= limit) continue;
    chars += kAlphabet[b % n];
    if (chars.size() == kCodeChars) return Grouped(chars);
  }
  return std::nullopt;
}

std::optional<std::string> Normalize(std::string_view typed) {
  std::string chars;
  for (char c : typed) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    chars += c;
    if (chars.size() > 16) return std::nullopt;
  }
  if (chars.size() == kCodeChars + 3 && chars.compare(0, 3, "Q11") == 0) chars.erase(0, 3);
  if (chars.size() != kCodeChars) return std::nullopt;
  for (char c : chars)
    if (!InAlphabet(c)) return std::nullopt;
  return Grouped(chars);
}

bool IsCanonical(std::string_view code) {
  std::optional<std::string> n = Normalize(code);
  return n && *n == code;
}

}  // namespace q11::receipt
