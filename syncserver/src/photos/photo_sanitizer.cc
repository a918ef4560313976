#include "photos/photo_sanitizer.h"

#include <cstring>

#include "photos/vips_handle.h"
#include "protocol/photo_limits.h"

namespace q11::server {
namespace {

constexpr char kNotAPhotoVi[] = " / tệp không phải ảnh hợp lệ (JPEG, PNG, WebP, HEIC)";

Status NotAPhoto(const std::string& why) {
  return InvalidArgument("not a usable photo (" + why + ")" + kNotAPhotoVi);
}

// libvips's reason, in both languages: the user sees why their photo was refused.
Status Undecodable(const std::string& what) {
  Status s = VipsError(StatusCode::kInvalidArgument, what);
  return InvalidArgument(s.message() + kNotAPhotoVi);
}

// Thumbnails and JPEGs cannot carry transparency: put it on white.
Result<VipsImagePtr> Opaque(VipsImagePtr image) {
  if (!vips_image_hasalpha(image.get())) return image;
  VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
  VipsImage* out = nullptr;
  int rc = vips_flatten(image.get(), &out, "background", white, nullptr);
  vips_area_unref(VIPS_AREA(white));
  if (rc != 0) return Undecodable("cannot flatten the photo");
  return VipsImagePtr(out);
}

}  // namespace

Result<SanitizedPhoto> SanitizePhoto(const std::string& original, const std::string& full_out,
                                     const std::string& thumb_out) {
  Q11_RETURN_IF_ERROR(StartVips());
  const char* loader = vips_foreign_find_load(original.c_str());
  if (loader == nullptr) {
    vips_error_clear();
    return NotAPhoto("unknown format");
  }
  std::string format;
  if (std::strncmp(loader, "VipsForeignLoadJpeg", 19) == 0)
    format = "jpeg";
  else if (std::strncmp(loader, "VipsForeignLoadPng", 18) == 0)
    format = "png";
  else if (std::strncmp(loader, "VipsForeignLoadWebp", 19) == 0)
    format = "webp";
  else if (std::strncmp(loader, "VipsForeignLoadHeif", 19) == 0)
    format = "heif";
  else
    return NotAPhoto(std::string("format ") + loader + " is not accepted");

  // The header alone first: refuse a decompression bomb before decoding a pixel.
  VipsImagePtr in(vips_image_new_from_file(original.c_str(), nullptr));
  if (!in) return Undecodable("cannot read the photo");
  int64_t pixels =
      static_cast<int64_t>(vips_image_get_width(in.get())) * vips_image_get_height(in.get());
  if (pixels > photos::kMaxPixels)
    return NotAPhoto(std::to_string(pixels) + " pixels is over the limit of " +
                     std::to_string(photos::kMaxPixels));

  VipsImage* raw = nullptr;
  if (vips_autorot(in.get(), &raw, nullptr) != 0)
    return Undecodable("cannot turn the photo upright");
  VipsImagePtr upright(raw);

  SanitizedPhoto out;
  int rc;
  if (format == "png") {
    out.mime = "image/png";
    rc = vips_pngsave(upright.get(), full_out.c_str(), "strip", TRUE, nullptr);
  } else if (format == "webp") {
    out.mime = "image/webp";
    rc = vips_webpsave(upright.get(), full_out.c_str(), "strip", TRUE, "Q", 85, nullptr);
  } else {
    out.mime = "image/jpeg";
    Result<VipsImagePtr> opaque = Opaque(std::move(upright));
    if (!opaque.ok()) return opaque.status();
    upright = std::move(*opaque);
    rc = vips_jpegsave(upright.get(), full_out.c_str(), "strip", TRUE, "Q", 85, nullptr);
  }
  if (rc != 0) return Undecodable("cannot write the cleaned photo");
  out.width = vips_image_get_width(upright.get());
  out.height = vips_image_get_height(upright.get());

  // From the upright image: vips_thumbnail_image would shrink-on-load less well, but it
  // works on what we already decoded and already turned.
  VipsImage* small = nullptr;
  if (vips_thumbnail_image(upright.get(), &small, photos::kThumbEdge, "height", photos::kThumbEdge,
                           "size", VIPS_SIZE_DOWN, "no_rotate", TRUE, nullptr) != 0)
    return Undecodable("cannot make the thumbnail");
  Result<VipsImagePtr> thumb = Opaque(VipsImagePtr(small));
  if (!thumb.ok()) return thumb.status();
  if (vips_jpegsave(thumb->get(), thumb_out.c_str(), "strip", TRUE, "Q", 75, nullptr) != 0)
    return VipsError(StatusCode::kInternal, "cannot write the thumbnail");
  out.thumb_width = vips_image_get_width(thumb->get());
  out.thumb_height = vips_image_get_height(thumb->get());
  return out;
}

}  // namespace q11::server
