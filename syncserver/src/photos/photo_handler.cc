#include "photos/photo_handler.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <fstream>
#include <sstream>

#include "auth/bearer_auth.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "http/request_deadline.h"
#include "metrics/server_metrics.h"
#include "photos/photo_store.h"
#include "protocol/photo_limits.h"
#include "sync/access_scope.h"

namespace q11::server {
namespace {

constexpr std::string_view kPhotos = "/v1/photos/";
// How long an upload waits for the previous connection's upload of the same photo to wind up.
constexpr int kLockWaitMs = 5000;

std::string QueryParam(const Poco::Net::HTTPServerRequest& request, const std::string& name) {
  try {
    for (const auto& [k, v] : Poco::URI(request.getURI()).getQueryParameters())
      if (k == name) return v;
  } catch (const Poco::Exception&) {
  }
  return "";
}

std::optional<int64_t> ParseOffset(const std::string& s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// {"sha256","state","offset","bytes"} plus, for an error, {"error","message","message_vi"}.
void SendUploadState(Poco::Net::HTTPServerResponse& response, int http, const std::string& sha256,
                     PhotoState state, int64_t held, int64_t total, const Status* error) {
  Poco::JSON::Object o;
  o.set("sha256", sha256);
  o.set("state", std::string(PhotoStateName(state)));
  o.set("offset", held);
  o.set("bytes", total);
  if (error != nullptr) {
    std::string en = error->message(), vi;
    size_t split = en.find(" / ");
    if (split != std::string::npos) {
      vi = en.substr(split + 3);
      en.resize(split);
    }
    o.set("error", std::string(StatusCodeName(error->code())));
    o.set("message", en);
    o.set("message_vi", vi);
  }
  response.set("Upload-Offset", std::to_string(held));
  std::ostringstream out;
  o.stringify(out);
  SendJsonBody(response, out.str(), http);
}

// Parses "bytes=A-", "bytes=A-B" or "bytes=-N" against `size` into [*first, *last].
bool ParseRange(const std::string& header, int64_t size, int64_t* first, int64_t* last) {
  static constexpr std::string_view kBytes = "bytes=";
  if (header.compare(0, kBytes.size(), kBytes) != 0) return false;
  std::string spec = header.substr(kBytes.size());
  if (spec.find(',') != std::string::npos) return false;  // one range only
  size_t dash = spec.find('-');
  if (dash == std::string::npos) return false;
  std::optional<int64_t> a = ParseOffset(spec.substr(0, dash));
  std::optional<int64_t> b = ParseOffset(spec.substr(dash + 1));
  if (!a && !b) return false;
  if (!a) {  // the last N bytes
    if (*b == 0) return false;
    *first = std::max<int64_t>(0, size - *b);
    *last = size - 1;
  } else {
    *first = *a;
    *last = b ? std::min(*b, size - 1) : size - 1;
  }
  return *first <= *last && *first < size;
}

}  // namespace

void PhotoHandler::Handle(Poco::Net::HTTPServerRequest& request,
                          Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  response.set("X-Content-Type-Options", "nosniff");
  Result<Account> account = AuthorizeBearer(ctx, request.get("Authorization", ""));
  if (!account.ok()) {
    response.setKeepAlive(false);
    return SendStatusError(response, account.status());
  }
  if (ctx.photos == nullptr)
    return SendJsonError(response, 503, "unavailable", "photos are not enabled on this server",
                         "Máy chủ chưa bật chức năng ảnh");
  // Who may: a photo row of this hash on a report the account's pull may carry.
  Result<std::vector<PhotoHolder>> holders = ctx.store->FindPhotoHolders(sha256_);
  if (!holders.ok()) return SendStatusError(response, holders.status());
  const PhotoHolder* visible = nullptr;
  for (const PhotoHolder& h : *holders)
    if (SeesReport(*account, h.ward_id, h.assigned_unit, h.reporter_ref)) {
      visible = &h;
      break;
    }
  if (visible == nullptr) {
    if (action_ == Action::kUpload) DrainBody(request);
    response.setKeepAlive(false);  // an upload's body stays unread
    return SendJsonError(response, 404, "not_found",
                         "no photo with this SHA-256 on a report you can see (sync the report "
                         "and its photo first)",
                         "Không có ảnh này trong các phản ánh bạn được xem (hãy đồng bộ trước)");
  }
  switch (action_) {
    case Action::kStatus:
      return SendState(response, visible->bytes);
    case Action::kUpload:
      return Upload(request, response, visible->bytes);
    case Action::kDownload:
      return Download(request, response);
  }
}

void PhotoHandler::SendState(Poco::Net::HTTPServerResponse& response, int64_t total) {
  int64_t held = 0;
  PhotoState state = context().photos->State(sha256_, &held);
  SendUploadState(response, 200, sha256_, state, held, total, nullptr);
}

void PhotoHandler::Upload(Poco::Net::HTTPServerRequest& request,
                          Poco::Net::HTTPServerResponse& response, int64_t total) {
  PhotoStore& photos = *context().photos;
  int64_t held = 0;
  PhotoState state = photos.State(sha256_, &held);
  if (state == PhotoState::kComplete) {
    // Deduplicated: someone sent these bytes already. The body is not kept.
    DrainBody(request);
    response.setKeepAlive(false);
    return SendUploadState(response, 200, sha256_, state, held, total, nullptr);
  }
  std::optional<int64_t> offset = ParseOffset(QueryParam(request, "offset"));
  if (!offset) {
    DrainBody(request);
    response.setKeepAlive(false);
    return SendJsonError(response, 400, "invalid_argument",
                         "PATCH /v1/photos/{sha256} needs ?offset=N (the bytes the server holds)",
                         "Thiếu tham số offset");
  }
  if (request.getChunkedTransferEncoding() || !request.hasContentLength() ||
      request.getContentLength64() < 0)
    return SendBodyError(request, response, FailedPrecondition("Content-Length required"));
  int64_t length = request.getContentLength64();
  if (total > photos::kMaxPhotoBytes || *offset + length > total)
    return SendBodyError(
        request, response,
        ResourceExhausted("the photo is " + std::to_string(total) + " bytes (at most " +
                          std::to_string(photos::kMaxPhotoBytes) + "); bytes up to " +
                          std::to_string(*offset + length) + " were sent"));
  Result<PhotoStore::UploadLock> lock = photos.LockUpload(sha256_, kLockWaitMs);
  if (!lock.ok()) {
    DrainBody(request);
    response.setKeepAlive(false);
    return SendUploadState(response, 409, sha256_, state, held, total, &lock.status());
  }
  Result<int64_t> now_held = photos.Append(*lock, *offset, request.stream(), length, total);
  RequestArrived();  // cleaning the finished photo is the server's time, not the request's
  if (!now_held.ok()) {
    DrainBody(request);  // what Append did not read (a wrong offset reads nothing)
    response.setKeepAlive(false);
    Status s = now_held.status();
    state = photos.State(sha256_, &held);
    int http = s.code() == StatusCode::kFailedPrecondition ? 409 : HttpStatusFor(s.code());
    return SendUploadState(response, http, sha256_, state, held, total, &s);
  }
  if (*now_held < *offset + length) {
    // The connection broke mid-body: what arrived is kept; this answer likely goes nowhere.
    response.setKeepAlive(false);
    // 409 with the offset, like a wrong offset: the device goes on from there.
    Status s(StatusCode::kAborted,
             "the upload ended early; continue from the offset / kết nối bị ngắt giữa chừng, "
             "hãy gửi tiếp");
    return SendUploadState(response, 409, sha256_, PhotoState::kPartial, *now_held, total, &s);
  }
  if (*now_held == total) {
    Status done = photos.Complete(*lock);
    if (!done.ok()) {
      state = photos.State(sha256_, &held);
      return SendUploadState(response, HttpStatusFor(done.code()), sha256_, state, held, total,
                             &done);
    }
    if (context().metrics != nullptr) context().metrics->photo_bytes.Invalidate();
  }
  state = photos.State(sha256_, &held);
  SendUploadState(response, 200, sha256_, state, held, total, nullptr);
}

void PhotoHandler::Download(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  std::string size = QueryParam(request, "size");
  if (!size.empty() && size != "thumb" && size != "full")
    return SendJsonError(response, 400, "invalid_argument", "size must be thumb or full",
                         "Tham số size phải là thumb hoặc full");
  Result<std::optional<PhotoVariantFile>> file = context().photos->Find(sha256_, size == "thumb");
  if (!file.ok()) return SendStatusError(response, file.status());
  if (!file->has_value())
    return SendJsonError(response, 404, "not_found",
                         "the photo has not been fully uploaded yet; try again later",
                         "Ảnh chưa được tải lên đủ, hãy thử lại sau");
  const PhotoVariantFile& f = **file;
  std::ifstream in(f.path, std::ios::binary);
  if (!in) return SendJsonError(response, 500, "internal", "cannot read the photo", "Lỗi đọc ảnh");
  const std::string etag = "\"" + f.sha256 + "\"";
  response.set("ETag", etag);
  response.set("Accept-Ranges", "bytes");
  response.set("Cache-Control", "private, max-age=31536000, immutable");
  response.set("Q11-Width", std::to_string(f.width));
  response.set("Q11-Height", std::to_string(f.height));
  response.setContentType(f.mime);
  int64_t first = 0, last = f.size - 1;
  std::string range = request.get("Range", "");
  std::string if_range = request.get("If-Range", "");
  if (!range.empty() && (if_range.empty() || if_range == etag)) {
    if (!ParseRange(range, f.size, &first, &last)) {
      response.set("Content-Range", "bytes */" + std::to_string(f.size));
      return SendJsonError(
          response, 416, "invalid_argument",
          "range not satisfiable; the photo is " + std::to_string(f.size) + " bytes",
          "Khoảng byte yêu cầu không hợp lệ");
    }
    response.setStatus(Poco::Net::HTTPResponse::HTTP_PARTIAL_CONTENT);
    response.set("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                      "/" + std::to_string(f.size));
  } else {
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  }
  int64_t left = f.size == 0 ? 0 : last - first + 1;
  response.setContentLength64(left);
  in.seekg(first);
  std::ostream& out = response.send();
  char buf[64 * 1024];
  while (left > 0 && in && out) {
    in.read(buf, static_cast<std::streamsize>(std::min<int64_t>(left, sizeof buf)));
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    out.write(buf, got);
    left -= got;
  }
}

Poco::Net::HTTPRequestHandler* RoutePhoto(const HandlerContext& context, std::string_view path,
                                          const std::string& method) {
  if (path.substr(0, kPhotos.size()) != kPhotos) return nullptr;
  std::string_view rest = path.substr(kPhotos.size());
  std::string sha256(rest.substr(0, 64));
  std::string_view tail = rest.size() > 64 ? rest.substr(64) : "";
  if (!photos::IsSha256Hex(sha256) || (!tail.empty() && tail != "/status")) return nullptr;
  const char* allowed = tail == "/status" ? "GET" : "GET, PATCH";
  if (tail == "/status" && method == "GET")
    return new PhotoHandler(context, PhotoHandler::Action::kStatus, sha256);
  if (tail.empty() && method == "GET")
    return new PhotoHandler(context, PhotoHandler::Action::kDownload, sha256);
  if (tail.empty() && method == "PATCH")
    return new PhotoHandler(context, PhotoHandler::Action::kUpload, sha256);
  return new ErrorHandler(context, 405, "invalid_argument",
                          std::string(path) + " accepts " + allowed + " only",
                          "Phương thức không được hỗ trợ");
}

}  // namespace q11::server
