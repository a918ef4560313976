// UTF-8 well-formedness, shared by both sides: every text a device syncs and every text the
// server takes from Open311 must be valid UTF-8 (docs/security.md), and the server's
// renderers replace what is not. Pure code.
#pragma once

#include <cstddef>
#include <string_view>

namespace q11::utf8 {

// Length of the well-formed UTF-8 sequence that starts at text[i] (1-4), or 0 when the
// bytes there are not one: a stray continuation byte, a truncated sequence, an overlong
// form, a surrogate or a value past U+10FFFF. REQUIRES: i < text.size().
size_t SequenceLength(std::string_view text, size_t i);

// True when all of `text` is well-formed UTF-8.
bool IsValid(std::string_view text);

}  // namespace q11::utf8
