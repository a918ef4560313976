// Moving photo bytes (devicecore/photos.h; the endpoints: docs/protocol.md, "Photos").
//
// Up: for each unsent original, ask the server how many bytes it holds, then PATCH the rest
// in chunks from there. A broken connection costs at most the chunk in flight, and not even
// that: the server keeps every byte that arrived, and the next status answer says where to
// go on. A photo the server already has (any device sent the same bytes) is skipped.
// Down: GET with Range from the size of the .part file, chunk by chunk, streaming into it;
// the finished file must hash to the server's ETag before it is used.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "database_impl.h"
#include "devicecore/photos.h"
#include "filesync/durable_file.h"
#include "photo_folder.h"
#include "protocol/json_value.h"
#include "server_call.h"
#include "status_macros.h"
#include "token_refresh.h"

namespace q11::device {
namespace {

constexpr char kPhotosPath[] = "/v1/photos/";
// How long a thumbnail the server did not have waits before it is asked for again.
constexpr int64_t kRetryNotFoundMs = 10 * 60 * 1000;

// The JSON upload state {"state","offset","bytes","error"?}.
struct UploadState {
  std::string state, error;
  int64_t offset = 0, bytes = 0;
};

std::optional<UploadState> ParseUploadState(const std::string& body) {
  Result<json::Value> o = json::Parse(body);
  if (!o.ok()) return std::nullopt;
  UploadState s;
  s.state = o->StringOr("state");
  s.error = o->StringOr("error");
  const json::Value* offset = o->Find("offset");
  const json::Value* bytes = o->Find("bytes");
  s.offset = offset != nullptr ? offset->ToInt().value_or(-1) : -1;
  s.bytes = bytes != nullptr ? bytes->ToInt().value_or(0) : 0;
  if (s.state.empty() || s.offset < 0) return std::nullopt;
  return s;
}

// The "error" code of a JSON error answer, "" when the body is not one.
std::string ErrorCode(const std::string& body) {
  Result<json::Value> o = json::Parse(body);
  return o.ok() ? o->StringOr("error") : "";
}

Result<std::string> ReadChunk(const std::string& path, int64_t offset, int64_t length) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("the photo file " + path + " is gone / mất tệp ảnh " + path);
  std::string out(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(out.data(), length);
  if (in.gcount() != length)
    return DataLoss("the photo file " + path + " is shorter than recorded");
  return out;
}

// Retries with backoff while requests fail without moving a byte.
class Patience {
 public:
  Patience(Env& env, const PhotoTransferOptions& o)
      : env_(env),
        left_(std::max(1, o.max_attempts)),
        backoff_(std::max(0, o.initial_backoff_ms)),
        initial_(backoff_),
        max_(left_) {}
  // After a failed request: false when it is time to give up.
  bool Failed() {
    if (--left_ <= 0) return false;
    env_.SleepMs(backoff_);
    backoff_ *= 2;
    return true;
  }
  void Progressed() {
    left_ = max_;
    backoff_ = initial_;
  }

 private:
  Env& env_;
  int left_, backoff_, initial_, max_;
};

class Uploader {
 public:
  Uploader(DatabaseImpl& db, Transport& transport, const Account& account,
           const PhotoTransferOptions& options)
      : db_(db), transport_(transport), account_(account), options_(options), folder_(db) {}

  Result<PhotoUploadResult> Run() {
    Q11_ASSIGN_OR_RETURN(std::vector<PhotoFolder::Entry> unsent, folder_.Unsent());
    progress_.photos_total = static_cast<int>(unsent.size());
    for (const PhotoFolder::Entry& e : unsent) progress_.bytes_total += e.bytes;
    Report();
    for (size_t i = 0; i < unsent.size(); ++i) {
      const PhotoFolder::Entry& e = unsent[i];
      const int64_t done_before = progress_.bytes_done;
      const int refused_before = result_.refused;
      Status s = UploadOne(e);
      if (!s.ok()) {
        ++result_.waiting;
        if (result_.refused == refused_before)  // still to send: what the server lacks
          result_.bytes_waiting +=
              std::max<int64_t>(0, e.bytes - (progress_.bytes_done - done_before));
        result_.messages.push_back(e.sha256.substr(0, 12) + ": " + s.message());
        // The link is down: the other photos would fail the same way; try at the next sync.
        if (s.code() == StatusCode::kUnavailable) {
          result_.waiting += static_cast<int>(unsent.size()) - progress_.photos_done - 1;
          for (size_t k = i + 1; k < unsent.size(); ++k) result_.bytes_waiting += unsent[k].bytes;
          break;
        }
      }
      ++progress_.photos_done;
      Report();
    }
    return result_;
  }

 private:
  void Report() {
    if (options_.progress) options_.progress(progress_);
  }

  HttpRequest Request(const std::string& method, const std::string& path) const {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.bearer = account_.token;
    return r;
  }

  // The server's state of one photo. nullopt: the server does not know it for us (its row
  // has not arrived, or was refused) → waiting.
  Result<std::optional<UploadState>> QueryState(const std::string& sha256) {
    Result<HttpReply> reply = transport_.Send(Request("GET", kPhotosPath + sha256 + "/status"));
    if (!reply.ok()) return reply.status();
    if (reply->status == 404) return std::optional<UploadState>();
    if (reply->status != 200)
      return reply->status >= 500 ? Unavailable(ServerMessage(*reply))
                                  : FailedPrecondition(ServerMessage(*reply));
    std::optional<UploadState> s = ParseUploadState(reply->body);
    if (!s) return DataLoss("malformed photo status from the server");
    return s;
  }

  Status UploadOne(const PhotoFolder::Entry& e) {
    const std::string file = folder_.FilePath(e.sha256, "original");
    const int64_t base_done = progress_.bytes_done;
    Patience patience(db_.env(), options_);
    std::optional<int64_t> offset;  // unknown until the server says
    for (;;) {
      if (!offset) {
        Result<std::optional<UploadState>> state = QueryState(e.sha256);
        if (!state.ok()) {
          if (state.status().code() == StatusCode::kUnavailable && patience.Failed()) continue;
          return state.status();
        }
        if (!state->has_value())
          return FailedPrecondition(
              "the server does not have this photo's report yet; it goes after the next push "
              "/ máy chủ chưa có phản ánh của ảnh này, ảnh sẽ được gửi sau");
        if ((*state)->state == "complete") {
          ++result_.deduplicated;
          progress_.bytes_done = base_done + e.bytes;
          return folder_.SetState(e.sha256, "original", "sent", "");
        }
        offset = (*state)->offset;
        progress_.bytes_done = base_done + *offset;
        Report();
      }
      int64_t length = std::min(options_.chunk_bytes, e.bytes - *offset);
      Q11_ASSIGN_OR_RETURN(std::string chunk,
                           ReadChunk(file, *offset, std::max<int64_t>(0, length)));
      HttpRequest r =
          Request("PATCH", kPhotosPath + e.sha256 + "?offset=" + std::to_string(*offset));
      r.content_type = "application/octet-stream";
      r.body = chunk;
      Result<HttpReply> reply = transport_.Send(r);
      if (!reply.ok()) {
        if (reply.status().code() != StatusCode::kUnavailable) return reply.status();
        offset.reset();  // the server kept what arrived: ask how much
        if (patience.Failed()) continue;
        return reply.status();
      }
      std::optional<UploadState> state = ParseUploadState(reply->body);
      if (reply->status == 200 && state) {
        result_.bytes_sent += std::max<int64_t>(0, state->offset - *offset);
        if (state->offset > *offset) patience.Progressed();
        if (state->state == "complete") {
          ++result_.uploaded;
          progress_.bytes_done = base_done + e.bytes;
          return folder_.SetState(e.sha256, "original", "sent", "");
        }
        offset = state->offset;
        progress_.bytes_done = base_done + *offset;
        Report();
        continue;
      }
      if (reply->status == 409 && state) {  // another offset, or a stale upload winding up
        offset = state->offset;
        if (patience.Failed()) continue;
        return Unavailable(ServerMessage(*reply));
      }
      if (reply->status == 404) return FailedPrecondition(ServerMessage(*reply));
      if (reply->status >= 500 || reply->status == 429) {
        offset.reset();
        if (patience.Failed()) continue;
        return Unavailable(ServerMessage(*reply));
      }
      const std::string code = ErrorCode(reply->body);
      // The bytes did not hash to their address: the server dropped them; send them again
      // (once more; the file itself may be damaged).
      if (code == "data_loss") {
        offset.reset();
        progress_.bytes_done = base_done;
        if (patience.Failed()) continue;
      }
      // Not a usable photo, over the limits: the server will never take it. Kept, with why.
      if ((reply->status == 400 || reply->status == 413) &&
          (code == "invalid_argument" || code == "resource_exhausted" || code == "data_loss")) {
        std::string why = ServerMessage(*reply);
        ++result_.refused;
        --result_.waiting;  // counted by the caller as waiting; it is refused instead
        Q11_RETURN_IF_ERROR(folder_.SetState(e.sha256, "original", "refused", why));
        return FailedPrecondition(why);
      }
      // Anything else (a proxy's or captive portal's page, a token that just expired) is
      // not the photo's fault: it stays unsent for the next sync.
      offset.reset();
      if (patience.Failed()) continue;
      return Unavailable(ServerMessage(*reply));
    }
  }

  DatabaseImpl& db_;
  Transport& transport_;
  const Account& account_;
  const PhotoTransferOptions& options_;
  PhotoFolder folder_;
  PhotoUploadResult result_;
  PhotoProgress progress_;
};

// "bytes A-B/TOTAL" → TOTAL, or -1.
int64_t RangeTotal(const std::string& content_range) {
  size_t slash = content_range.rfind('/');
  if (slash == std::string::npos) return -1;
  try {
    return std::stoll(content_range.substr(slash + 1));
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

Result<PhotoUploadResult> UploadPhotos(Database& database, Transport& transport,
                                       const PhotoTransferOptions& options) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("UploadPhotos needs a Database made by Database::Open");
  {
    PhotoFolder folder(*db);
    Q11_ASSIGN_OR_RETURN(std::vector<PhotoFolder::Entry> unsent, folder.Unsent());
    if (unsent.empty()) return PhotoUploadResult();  // the common case: no request at all
  }
  Q11_ASSIGN_OR_RETURN(Account account, SignedIn(*db, transport));
  Uploader up(*db, transport, account, options);
  Result<PhotoUploadResult> r = up.Run();
  if (r.ok()) r->waiting = std::max(0, r->waiting);
  return r;
}

Result<std::string> FetchPhoto(Database& database, Transport& transport,
                               const std::string& photo_id, bool thumb,
                               const PhotoTransferOptions& options) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("FetchPhoto needs a Database made by Database::Open");
  std::string sha256;
  {
    Q11_ASSIGN_OR_RETURN(auto st, db->cache().Get("SELECT sha256 FROM photos WHERE id = ?"));
    st->Bind(1, photo_id);
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row)
      return NotFound("no photo " + photo_id + " on this device (sync first?) / không có ảnh " +
                      photo_id + " trên thiết bị");
    sha256 = st->Text(0);
  }
  PhotoFolder folder(*db);
  Q11_RETURN_IF_ERROR(folder.EnsureDir());
  const std::string variant = thumb ? "thumb" : "full";
  // Taken here: the original is the full photo (the user's own, as they took it).
  for (const std::string& v :
       thumb ? std::vector<std::string>{"thumb"} : std::vector<std::string>{"original", "full"}) {
    Q11_ASSIGN_OR_RETURN(std::optional<PhotoFolder::Entry> have, folder.Find(sha256, v));
    std::error_code ec;
    if (have && have->state != "partial" &&
        std::filesystem::exists(folder.FilePath(sha256, v), ec)) {
      Q11_RETURN_IF_ERROR(folder.Touch(sha256, v));
      return folder.FilePath(sha256, v);
    }
  }
  Q11_ASSIGN_OR_RETURN(Account account, SignedIn(*db, transport));
  Q11_ASSIGN_OR_RETURN(std::optional<PhotoFolder::Entry> partial, folder.Find(sha256, variant));
  std::string etag = partial ? partial->etag : "";
  const std::string part = folder.PartPath(sha256, variant);
  std::error_code ec;
  int64_t held = std::filesystem::exists(part, ec)
                     ? static_cast<int64_t>(std::filesystem::file_size(part, ec))
                     : 0;
  if (etag.empty()) held = 0;  // bytes of unknown origin: start over
  int64_t total = -1;
  PhotoProgress progress;
  progress.photos_total = 1;
  Patience patience(db->env(), options);
  for (;;) {
    if (total >= 0 && held >= total) break;
    int64_t last = held + std::max<int64_t>(1, options.chunk_bytes) - 1;
    if (total >= 0) last = std::min(last, total - 1);
    HttpRequest r;
    r.method = "GET";
    r.path = kPhotosPath + sha256 + (thumb ? "?size=thumb" : "");
    r.bearer = account.token;
    r.headers.emplace_back("Range", "bytes=" + std::to_string(held) + "-" + std::to_string(last));
    if (!etag.empty()) r.headers.emplace_back("If-Range", etag);
    // The body streams into the .part file, so what arrives before a break is kept.
    std::FILE* out = nullptr;
    int64_t got = 0;
    r.on_body = [&](std::string_view bytes) {
      if (out == nullptr) out = std::fopen(part.c_str(), held == 0 ? "wb" : "ab");
      if (out != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size())
        got += static_cast<int64_t>(bytes.size());
    };
    Result<HttpReply> reply = transport.Send(r);
    if (out != nullptr) std::fclose(out);
    if (!reply.ok()) {
      if (reply.status().code() != StatusCode::kUnavailable) return reply.status();
      held += got;  // kept: the next request resumes after them
      if (got > 0) patience.Progressed();
      if (!etag.empty())
        Q11_RETURN_IF_ERROR(
            folder.Put(PhotoFolder::Entry{sha256, variant, "partial", "", etag, held}));
      if (patience.Failed()) continue;
      return Unavailable(reply.status().message() + " (" + std::to_string(held) +
                         " bytes kept; run again to continue / đã giữ phần đã tải, chạy lại để "
                         "tải tiếp)");
    }
    if (reply->status == 404 || reply->status == 403)
      return Status(reply->status == 404 ? StatusCode::kNotFound : StatusCode::kPermissionDenied,
                    ServerMessage(*reply));
    if (reply->status == 416) {  // our .part is longer than the photo: start over
      std::filesystem::remove(part, ec);
      held = 0;
      etag.clear();
      if (patience.Failed()) continue;
      return DataLoss("the server refused the byte range of the photo");
    }
    if (reply->status != 200 && reply->status != 206) {
      if (reply->status >= 500 && patience.Failed()) continue;
      return reply->status >= 500 ? Unavailable(ServerMessage(*reply))
                                  : FailedPrecondition(ServerMessage(*reply));
    }
    std::string new_etag = reply->Header("ETag");
    if (reply->status == 200 || (!etag.empty() && new_etag != etag)) {
      // The whole photo came instead of the range (our ETag no longer matched): the bytes
      // went after the old ones, so start over with the new ETag.
      std::filesystem::remove(part, ec);
      held = 0;
      etag = new_etag;
      total = -1;
      if (patience.Failed()) continue;
      return DataLoss("the server sent the photo whole instead of the asked range");
    }
    etag = new_etag;
    total = RangeTotal(reply->Header("Content-Range"));
    held += got;
    patience.Progressed();
    Q11_RETURN_IF_ERROR(folder.Put(PhotoFolder::Entry{sha256, variant, "partial", "", etag, held}));
    progress.bytes_done = held;
    progress.bytes_total = std::max<int64_t>(total, 0);
    if (options.progress) options.progress(progress);
    if (total < 0) return DataLoss("the server's answer has no Content-Range");
  }
  // Whole: it must be exactly the bytes the server means (the ETag is their SHA-256).
  Q11_ASSIGN_OR_RETURN(std::string actual, Sha256OfFile(part));
  std::string want = etag;
  if (want.size() >= 2 && want.front() == '"') want = want.substr(1, want.size() - 2);
  if (actual != want) {
    Q11_RETURN_IF_ERROR(folder.Forget(sha256, variant));
    return DataLoss(
        "the downloaded photo does not match its checksum; it was dropped, run again "
        "/ ảnh tải về bị lỗi, đã xóa, hãy tải lại");
  }
  // Synced, renamed and the folder synced before the row says "cached": after a power cut
  // a cached row never names a partial file.
  const std::string final_path = folder.FilePath(sha256, variant);
  Q11_RETURN_IF_ERROR(RenameDurably(db->file_sync(), part, final_path));
  Q11_RETURN_IF_ERROR(folder.Put(PhotoFolder::Entry{sha256, variant, "cached", "", etag, total}));
  progress.photos_done = 1;
  if (options.progress) options.progress(progress);
  Q11_ASSIGN_OR_RETURN(int64_t budget, PhotoBudget(database));
  Q11_RETURN_IF_ERROR(folder.Evict(budget, sha256, variant));
  return final_path;
}

Result<int> FetchMissingThumbnails(Database& database, Transport& transport,
                                   const PhotoTransferOptions& options, int max_photos) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr)
    return InvalidArgument("FetchMissingThumbnails needs a Database made by Database::Open");
  std::vector<std::pair<std::string, std::string>> missing;  // photo id, sha256
  {
    // Photos with neither a local original nor a finished thumbnail, newest first; one the
    // server did not have a moment ago (etag NULL: no byte came) waits kRetryNotFoundMs.
    Q11_ASSIGN_OR_RETURN(
        auto st,
        db->cache().Get("SELECT p.id, p.sha256 FROM photos p WHERE NOT EXISTS (SELECT 1 FROM "
                        "photo_files f WHERE f.sha256 = p.sha256 AND (f.variant = 'original' OR "
                        "(f.variant = 'thumb' AND (f.state = 'cached' OR (f.etag IS NULL AND "
                        "f.last_used_ms > ?))))) ORDER BY p.created_at DESC LIMIT ?"));
    st->Bind(1, db->env().NowMs() - kRetryNotFoundMs).Bind(2, max_photos);
    for (;;) {
      Q11_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      missing.emplace_back(st->Text(0), st->Text(1));
    }
  }
  PhotoFolder folder(*db);
  int fetched = 0;
  for (const auto& [id, sha256] : missing) {
    Result<std::string> path = FetchPhoto(database, transport, id, /*thumb=*/true, options);
    if (path.ok()) {
      ++fetched;
      continue;
    }
    StatusCode c = path.status().code();
    if (c == StatusCode::kNotFound) {
      // Not uploaded yet (or never will be): remember when we asked, so a 2G phone does not
      // ask again at every sync.
      Q11_ASSIGN_OR_RETURN(std::optional<PhotoFolder::Entry> have, folder.Find(sha256, "thumb"));
      if (!have || have->etag.empty())
        Q11_RETURN_IF_ERROR(folder.Put(
            PhotoFolder::Entry{sha256, "thumb", "partial", path.status().message(), "", 0}));
      continue;
    }
    if (c == StatusCode::kUnavailable || c == StatusCode::kUnauthenticated) {
      if (fetched > 0) return fetched;
      return path.status();
    }
    // Another failure of one photo does not stop the others.
  }
  return fetched;
}

}  // namespace q11::device
