// Fuzz target: the sync protocol decoder on arbitrary bytes (docs/protocol.md, "Decoding
// hostile bytes"). The server decodes every request body a phone sends, the device every
// response, before anything else looks at them.
//
// Properties: never crash, never hang, never allocate past the limits; and whatever
// decodes re-encodes to bytes that decode and re-encode to the very same bytes (the
// encoder and decoder agree on the grammar).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/sync_messages.h"

namespace {

// Small limits keep the fuzzer fast and make the "too large" paths reachable.
q11::wire::DecodeLimits FuzzLimits() {
  q11::wire::DecodeLimits limits;
  limits.max_section_bytes = 1u << 20;
  limits.max_total_bytes = 2u << 20;
  return limits;
}

template <typename Message, typename Decode, typename Encode>
void RoundTrip(std::string_view bytes, Decode decode, Encode encode) {
  q11::Result<Message> first = decode(bytes, FuzzLimits());
  if (!first.ok()) return;
  std::string once = encode(*first, 1);
  q11::Result<Message> second = decode(once, FuzzLimits());
  if (!second.ok()) std::abort();  // the encoder wrote what the decoder refuses
  if (encode(*second, 1) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  RoundTrip<q11::wire::SyncRequest>(
      bytes, [](std::string_view b, const auto& l) { return q11::wire::DecodeSyncRequest(b, l); },
      [](const auto& m, int level) { return q11::wire::EncodeSyncRequest(m, level); });
  RoundTrip<q11::wire::SyncResponse>(
      bytes, [](std::string_view b, const auto& l) { return q11::wire::DecodeSyncResponse(b, l); },
      [](const auto& m, int level) { return q11::wire::EncodeSyncResponse(m, level); });
  return 0;
}
