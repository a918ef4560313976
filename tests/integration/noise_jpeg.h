// Real JPEGs of random grey noise for tests. Noise compresses badly, so a photo of a few
// hundred KiB spans several upload chunks and transfer cut points; the server decodes and
// re-encodes every photo, so it must be a real image. Header-only; needs libvips.
#pragma once

#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

namespace q11::test {

inline void StartVipsOnce() {
  static const bool ok = VIPS_INIT("q11-tests") == 0;
  REQUIRE(ok);
}

// The JPEG's bytes: width × height of noise (mean 128, `sigma`), at `quality`.
inline std::string NoiseJpeg(int width, int height, int quality = 92, double sigma = 60.0) {
  StartVipsOnce();
  VipsImage* noise = nullptr;
  REQUIRE(vips_gaussnoise(&noise, width, height, "mean", 128.0, "sigma", sigma, nullptr) == 0);
  VipsImage* bytes = nullptr;
  const int cast = vips_cast_uchar(noise, &bytes, nullptr);
  g_object_unref(noise);
  REQUIRE(cast == 0);
  void* buf = nullptr;
  size_t len = 0;
  const int saved = vips_jpegsave_buffer(bytes, &buf, &len, "Q", quality, nullptr);
  g_object_unref(bytes);
  REQUIRE(saved == 0);
  std::string out(static_cast<const char*>(buf), len);
  g_free(buf);
  return out;
}

// The same, written to `path`; returns `path`.
inline std::string NoiseJpegFile(const std::string& path, int width, int height, int quality = 92,
                                 double sigma = 60.0) {
  const std::string bytes = NoiseJpeg(width, height, quality, sigma);
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace q11::test
