#include "zstd_codec.h"

#include <zstd.h>

#include <memory>

namespace q11::wire::internal {
namespace {

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread: creating a zstd context costs far more than using one.
ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

}  // namespace

std::string ZstdCompress(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compressCCtx(ThreadCCtx(), out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return {};  // cannot happen with a bound-sized buffer
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view compressed, size_t expected_size) {
  unsigned long long frame = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (frame == ZSTD_CONTENTSIZE_ERROR) return DataLoss("section is not a valid zstd frame");
  if (frame != ZSTD_CONTENTSIZE_UNKNOWN && frame != expected_size)
    return DataLoss("zstd frame size " + std::to_string(frame) + " differs from section length " +
                    std::to_string(expected_size));
  std::string out(expected_size, '\0');
  ZSTD_DCtx* d = ThreadDCtx();
  ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
  // The output buffer is exactly expected_size: a frame that would produce more fails
  // with dstSize_tooSmall instead of growing anything.
  size_t n = ZSTD_decompressDCtx(d, out.data(), out.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n)) return DataLoss(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != expected_size)
    return DataLoss("zstd produced " + std::to_string(n) + " bytes, section says " +
                    std::to_string(expected_size));
  return out;
}

}  // namespace q11::wire::internal
