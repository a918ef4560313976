// Photos on the device: attach them to a report (citizens) or to its result (officials),
// send their bytes after the report, fetch other people's photos (thumbnail or full).
//
// A photo is a row of the synced `photos` table (its metadata, pushed in the outbox like any
// write) plus its bytes, addressed by their SHA-256, kept in a folder next to the database
// (<db>.photos/). The bytes go up separately and resumably (docs/protocol.md, "Photos"), so
// a report is never held back by its photos. Photos taken on this device stay until the
// server has them, whatever the storage budget; downloaded ones (and sent originals) are
// evicted, least recently used first, when the folder grows past the budget.
//
// Thread safety: as Database (one thread at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "protocol/result.h"

namespace q11::device {

struct Photo {
  std::string id, report_id, role, sha256, mime;
  int64_t bytes = 0;
  std::optional<int> width, height;
  std::string author_role, created_at;
  // On this device: "unsent" (waiting to go up), "refused" (the server will not take it;
  // see message), "sent", "cached" (downloaded), or "" (not here; fetch it).
  std::string local;
  std::string message;
};

// Bytes moved so far in one UploadPhotos or FetchPhoto call.
struct PhotoProgress {
  int64_t bytes_done = 0, bytes_total = 0;
  int photos_done = 0, photos_total = 0;
};
using PhotoProgressFn = std::function<void(const PhotoProgress&)>;

struct PhotoTransferOptions {
  int64_t chunk_bytes = 256 * 1024;  // one request's worth: what a cut costs at most
  int max_attempts = 4;              // failed requests in a row (no byte moved) before giving up
  int initial_backoff_ms = 200;      // doubled after each failed request
  PhotoProgressFn progress;          // may be empty
};

// The default storage budget for photos (evictable ones; unsent photos never count against it).
inline constexpr int64_t kDefaultPhotoBudgetBytes = 200ll * 1024 * 1024;

// Checks a file before it is attached: readable, a JPEG, PNG, WebP or HEIC, and within
// photos::kMaxPhotoBytes. kInvalidArgument / kResourceExhausted with a clear message.
Status CheckPhotoFile(const std::string& path);

// Attaches the files to a report as ONE captured write (one outbox entry): their bytes are
// copied into the photo folder, their rows inserted. Role: `result` for a logged-in official,
// else `report`. Works offline and before login. All or nothing. Errors: kNotFound (no such
// report), kResourceExhausted (over photos::kMaxPhotosPerReport or the size limit),
// kInvalidArgument (not an image). Returns the new photo ids.
Result<std::vector<std::string>> AttachPhotos(Database& db, const std::string& report_id,
                                              const std::vector<std::string>& files);

// The photos of a report, oldest first.
Result<std::vector<Photo>> ListPhotos(Database& db, const std::string& report_id);

struct PhotoUploadResult {
  int uploaded = 0;      // sent now
  int deduplicated = 0;  // the server had them already
  int waiting = 0;       // still to send (their row has not reached the server, or the link broke)
  int refused = 0;       // the server will not take them (message kept on the photo)
  int64_t bytes_sent = 0;
  // Bytes of the waiting photos the server does not hold yet (what a resumed upload still
  // has to send; a photo whose row has not reached the server counts whole).
  int64_t bytes_waiting = 0;
  int thumbnails_fetched = 0;  // by Sync after the uploads (FetchMissingThumbnails)
  std::vector<std::string> messages;
};

// Sends the bytes of every unsent photo whose row the server has (Sync calls this after the
// push). Resumes each from the byte the server holds. kUnauthenticated when not logged in;
// other failures are per photo (waiting, with a message).
Result<PhotoUploadResult> UploadPhotos(Database& db, Transport& transport,
                                       const PhotoTransferOptions& options = {});

// A local file holding photo `photo_id`: its thumbnail (`thumb`) or the full photo (the
// original when it was taken here, else the server's cleaned copy). Downloads it when
// needed, resuming a download that broke before. kNotFound: no such photo on this device;
// kUnavailable: the server cannot be reached (the partial download is kept).
Result<std::string> FetchPhoto(Database& db, Transport& transport, const std::string& photo_id,
                               bool thumb, const PhotoTransferOptions& options = {});

// Downloads the thumbnails of the photos this device holds rows for but no bytes (other
// people's photos: an official's view of a report, a citizen's view of the result), at most
// `max_photos` of them, so the app shows them even offline; Sync calls it after the
// uploads. A photo not on the server yet is skipped. Returns how many were fetched; stops
// early (with what it fetched) when the server cannot be reached.
Result<int> FetchMissingThumbnails(Database& db, Transport& transport,
                                   const PhotoTransferOptions& options = {}, int max_photos = 50);

// The storage budget for evictable photos, in bytes (kDefaultPhotoBudgetBytes until set).
Result<int64_t> PhotoBudget(Database& db);
Status SetPhotoBudget(Database& db, int64_t bytes);

}  // namespace q11::device
