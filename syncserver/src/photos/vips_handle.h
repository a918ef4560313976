// RAII for libvips: the library's one-time start, and an owning pointer for VipsImage
// (a GObject: g_object_unref when the last owner lets go). libvips types stay inside the
// photo code; nothing else includes this header.
#pragma once

#include <vips/vips.h>

#include <memory>
#include <string>

#include "protocol/result.h"

namespace q11::server {

struct VipsImageUnref {
  void operator()(VipsImage* image) const {
    if (image != nullptr) g_object_unref(image);
  }
};
using VipsImagePtr = std::unique_ptr<VipsImage, VipsImageUnref>;

// Starts libvips once per process (thread-safe): one worker thread per operation (the
// server serves many requests on 2 cores; a photo is small) and no operation cache (every
// photo is processed once; a cache would pin files that are deleted right after).
// kInternal when libvips cannot start.
Status StartVips();

// libvips's error buffer as a Status (and cleared): "<what>: <libvips message>".
Status VipsError(StatusCode code, const std::string& what);

}  // namespace q11::server
