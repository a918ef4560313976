// Photos end to end against the real server: uploads cut at random byte offsets by a
// loopback proxy and resumed, deduplication, metadata stripping and thumbnails checked with
// libvips itself, the limits on both sides, and who may move whose photos.
#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "cutting_proxy.h"
#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "noise_jpeg.h"
#include "protocol/photo_limits.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

struct VipsUnref {
  void operator()(VipsImage* i) const { g_object_unref(i); }
};
using Image = std::unique_ptr<VipsImage, VipsUnref>;

// The GPS latitude 10° 45' 48.12" as EXIF RATIONALs (little-endian): what must not leak.
const std::string kGpsLatitude =
    std::string("\x0A\0\0\0\x01\0\0\0\x2D\0\0\0\x01\0\0\0\xCC\x12\0\0\x64\0\0\0", 24);

// Puts an EXIF APP1 segment with a GPS IFD (latitude ref N, latitude above) right after
// the JPEG's SOI marker, as a phone camera does.
std::string WithGpsExif(const std::string& jpeg) {
  auto u16 = [](uint16_t v) { return std::string{char(v & 0xFF), char(v >> 8)}; };
  auto u32 = [](uint32_t v) {
    return std::string{char(v & 0xFF), char((v >> 8) & 0xFF), char((v >> 16) & 0xFF),
                       char(v >> 24)};
  };
  std::string tiff = std::string("II") + u16(42) + u32(8);
  tiff += u16(1) + u16(0x8825) + u16(4) + u32(1) + u32(26) + u32(0);  // IFD0: GPSInfo → 26
  tiff += u16(2);                                                     // GPS IFD at 26
  tiff += u16(1) + u16(2) + u32(2) + std::string("N\0\0\0", 4);       // GPSLatitudeRef
  tiff += u16(2) + u16(5) + u32(3) + u32(56) + u32(0);                // GPSLatitude → 56
  tiff += kGpsLatitude;
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  uint16_t len = static_cast<uint16_t>(payload.size() + 2);
  std::string app1 = std::string("\xFF\xE1") + char(len >> 8) + char(len & 0xFF) + payload;
  REQUIRE(jpeg.substr(0, 2) == "\xFF\xD8");
  return jpeg.substr(0, 2) + app1 + jpeg.substr(2);
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  REQUIRE(out.good());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

NewReport Pothole() {
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = "p04";
  r.title = "Đèn đường hỏng trước chợ";
  r.description = "Đèn tắt ba đêm liền, có ảnh kèm theo.";
  return r;
}

// Syncs until every photo is sent (bounded: a broken link is expected on the way).
void SyncUntilPhotosSent(Database& db, Transport& transport, int rounds) {
  SyncOptions options;
  options.max_attempts = 3;
  options.initial_backoff_ms = 1;
  for (int i = 0; i < rounds; ++i) {
    auto r = Sync(db, transport, options);
    if (r.ok() && r->pending_after == 0 && r->photos.waiting == 0) {
      bool all_sent = true;
      // (Results held in variables: a range-for over *temporary would dangle.)
      auto reports = db.ListReports();
      REQUIRE(reports.ok());
      for (const Report& rep : *reports) {
        auto photos = ListPhotos(db, rep.id);
        REQUIRE(photos.ok());
        for (const Photo& p : *photos) all_sent = all_sent && p.local != "unsent";
      }
      if (all_sent) return;
    }
  }
  FAIL("photos still unsent after " << rounds << " syncs");
}

Result<HttpReply> Raw(Transport& t, const std::string& method, const std::string& path,
                      const std::string& token, std::string_view body = {}) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.bearer = token;
  r.body = body;
  if (method == "PATCH") r.content_type = "application/octet-stream";
  return t.Send(r);
}

// Counts the photo requests that go through.
class CountingTransport : public Transport {
 public:
  explicit CountingTransport(Transport& inner) : inner_(inner) {}
  Result<HttpReply> Post(std::string_view path, std::string_view type, std::string_view body,
                         std::string_view bearer) override {
    return inner_.Post(path, type, body, bearer);
  }
  Result<HttpReply> Send(const HttpRequest& request) override {
    ++sends;
    return inner_.Send(request);
  }
  int sends = 0;

 private:
  Transport& inner_;
};

}  // namespace

TEST_CASE("Photos: uploads cut at random byte offsets resume and arrive whole, once") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("hoa", "mat-khau-hoa", "citizen"));
  REQUIRE(server.Start());
  CuttingProxy::Options cut;
  cut.seed = 20261127;
  cut.cuts = 30;
  cut.min_bytes = 1;
  cut.max_bytes = 96 * 1024;
  CuttingProxy proxy(server.port(), cut);
  REQUIRE(proxy.Start());

  auto db = OpenDevice(tmp.File("lan.db"));
  auto direct = Connect(server.url());
  REQUIRE(Login(*db, *direct, server.url(), "lan", "mat-khau-lan").ok());
  std::vector<std::string> files;
  for (int i = 0; i < 3; ++i) {
    files.push_back(tmp.File("photo" + std::to_string(i) + ".jpg"));
    WriteFile(files.back(), WithGpsExif(NoiseJpeg(700 + 50 * i, 500)));
  }
  std::string report = *db->FileReport(Pothole());
  auto ids = AttachPhotos(*db, report, files);
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 3);

  auto flaky = Connect(proxy.url());
  SyncUntilPhotosSent(*db, *flaky, 200);
  // A planned cut never happens on a connection that closes before reaching its byte
  // (e.g. one that carried only a status query); most do.
  CHECK(proxy.cuts_done() >= 20);
  std::set<int64_t> distinct;
  for (int64_t at : proxy.cut_points()) distinct.insert(at);
  CHECK(distinct.size() >= 15);  // cut at many different byte offsets

  // Complete on the server means the bytes hashed to their address: byte-identical.
  auto photos = ListPhotos(*db, report);
  REQUIRE(photos.ok());
  REQUIRE(photos->size() == 3);
  const std::string dir = server.data_dir() + "/photos";
  for (const Photo& p : *photos) {
    CHECK(p.local == "sent");
    CHECK(std::filesystem::exists(dir + "/" + p.sha256 + ".meta"));
    CHECK(std::filesystem::exists(dir + "/" + p.sha256 + ".full"));
    CHECK(std::filesystem::exists(dir + "/" + p.sha256 + ".thumb"));
    auto status =
        Raw(*direct, "GET", "/v1/photos/" + p.sha256 + "/status", db->GetAccount()->token);
    REQUIRE(status.ok());
    CHECK(status->body.find("\"complete\"") != std::string::npos);
    CHECK(status->body.find("\"offset\":" + std::to_string(p.bytes)) != std::string::npos);
  }
  // None partial, none twice: the partial folder is empty, one set of files per photo.
  CHECK(std::filesystem::is_empty(dir + "/partial"));
  int fulls = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    fulls += e.path().extension() == ".full";
  CHECK(fulls == 3);

  // The same bytes from another citizen: deduplicated, not a byte sent.
  auto other = OpenDevice(tmp.File("hoa.db"));
  REQUIRE(Login(*other, *direct, server.url(), "hoa", "mat-khau-hoa").ok());
  std::string own = *other->FileReport(Pothole());
  REQUIRE(AttachPhotos(*other, own, {files[0]}).ok());
  auto r = Sync(*other, *direct);
  REQUIRE(r.ok());
  CHECK(r->photos.deduplicated == 1);
  CHECK(r->photos.uploaded == 0);
  CHECK(r->photos.bytes_sent == 0);
}

TEST_CASE("Photos: officials get them without EXIF or GPS, and valid thumbnails, over a cut link") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  REQUIRE(server.Start());
  auto http = Connect(server.url());
  auto citizen = OpenDevice(tmp.File("lan.db"));
  REQUIRE(Login(*citizen, *http, server.url(), "lan", "mat-khau-lan").ok());
  const std::string original = WithGpsExif(NoiseJpeg(800, 600));
  WriteFile(tmp.File("gps.jpg"), original);
  // The fixture really carries GPS EXIF as libvips reads it.
  {
    StartVipsOnce();
    Image in(vips_image_new_from_buffer(original.data(), original.size(), "", nullptr));
    REQUIRE(in);
    CHECK(vips_image_get_typeof(in.get(), "exif-data") != 0);
    CHECK(vips_image_get_typeof(in.get(), "exif-ifd3-GPSLatitude") != 0);
  }
  std::string report = *citizen->FileReport(Pothole());
  REQUIRE(AttachPhotos(*citizen, report, {tmp.File("gps.jpg")}).ok());
  auto sent = Sync(*citizen, *http);
  REQUIRE(sent.ok());
  REQUIRE(sent->photos.uploaded == 1);

  auto official = OpenDevice(tmp.File("canbo.db"));
  REQUIRE(Login(*official, *http, server.url(), "canbo.p04", "mat-khau-p04").ok());
  SyncOptions rows_only;  // thumbnails are fetched below, through a cut link
  rows_only.fetch_thumbnails = false;
  REQUIRE(Sync(*official, *http, rows_only).ok());
  auto photos = ListPhotos(*official, report);
  REQUIRE(photos.ok());
  REQUIRE(photos->size() == 1);
  CHECK(photos->front().local.empty());  // not on the official's phone until fetched

  CuttingProxy::Options cut;
  cut.seed = 7;
  cut.cuts = 12;
  cut.min_bytes = 200;
  cut.max_bytes = 40 * 1024;
  cut.direction = CuttingProxy::Direction::kDown;
  CuttingProxy proxy(server.port(), cut);
  REQUIRE(proxy.Start());
  auto flaky = Connect(proxy.url());
  PhotoTransferOptions options;
  options.chunk_bytes = 64 * 1024;
  options.initial_backoff_ms = 1;
  options.max_attempts = 50;
  auto thumb = FetchPhoto(*official, *flaky, photos->front().id, /*thumb=*/true, options);
  REQUIRE(thumb.ok());
  auto full = FetchPhoto(*official, *flaky, photos->front().id, /*thumb=*/false, options);
  REQUIRE(full.ok());
  CHECK(proxy.cuts_done() > 0);

  for (const std::string& path : {*thumb, *full}) {
    std::string bytes = ReadFile(path);
    CHECK(bytes.find("Exif") == std::string::npos);
    CHECK(bytes.find(kGpsLatitude) == std::string::npos);
    CHECK(bytes.find("http://ns.adobe.com/xap") == std::string::npos);  // no XMP either
    Image img(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "fail_on",
                                         VIPS_FAIL_ON_TRUNCATED, nullptr));
    REQUIRE(img);
    CHECK(vips_image_get_typeof(img.get(), "exif-data") == 0);
    Image decoded(vips_image_copy_memory(img.get()));  // every pixel: truncation fails here
    REQUIRE(decoded);
  }
  Image t(vips_image_new_from_file(thumb->c_str(), nullptr));
  REQUIRE(t);
  CHECK(std::max(vips_image_get_width(t.get()), vips_image_get_height(t.get())) ==
        photos::kThumbEdge);
  Image f(vips_image_new_from_file(full->c_str(), nullptr));
  REQUIRE(f);
  CHECK(vips_image_get_width(f.get()) == 800);
  CHECK(vips_image_get_height(f.get()) == 600);

  // The official's result photo reaches the citizen's phone like the report's events.
  WriteFile(tmp.File("result.jpg"), NoiseJpeg(400, 300));
  auto result = AttachPhotos(*official, report, {tmp.File("result.jpg")});
  REQUIRE(result.ok());
  auto pushed = Sync(*official, *http);
  REQUIRE(pushed.ok());
  CHECK(pushed->rejected == 0);
  CHECK(pushed->photos.uploaded == 1);
  auto citizen_sync = Sync(*citizen, *http);
  REQUIRE(citizen_sync.ok());
  CHECK(citizen_sync->photos.thumbnails_fetched == 1);  // the result photo, small, at once
  auto seen = ListPhotos(*citizen, report);
  REQUIRE(seen.ok());
  REQUIRE(seen->size() == 2);
  int results = 0;
  for (const Photo& p : *seen)
    if (p.role == "result") {
      ++results;
      CHECK(p.author_role == "official");
      CHECK(p.local == "cached");
      CHECK(FetchPhoto(*citizen, *http, p.id, /*thumb=*/true).ok());
    }
  CHECK(results == 1);

  // Past the storage budget, downloaded photos go (least recently used first); a photo not
  // sent yet never does.
  WriteFile(tmp.File("later.jpg"), NoiseJpeg(300, 300));
  REQUIRE(AttachPhotos(*citizen, report, {tmp.File("later.jpg")}).ok());
  REQUIRE(SetPhotoBudget(*citizen, 0).ok());
  auto after = ListPhotos(*citizen, report);
  REQUIRE(after.ok());
  int unsent = 0;
  for (const Photo& p : *after) {
    if (p.role == "result") CHECK(p.local.empty());  // the cached thumbnail was evicted
    unsent += p.local == "unsent";
  }
  CHECK(unsent == 1);
  auto later = Sync(*citizen, *http);
  REQUIRE(later.ok());
  CHECK(later->photos.uploaded == 1);
}

TEST_CASE("Photos: the q11 command line attaches, sends and fetches photos") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.Start());
  WriteFile(tmp.File("a.jpg"), NoiseJpeg(500, 400));
  WriteFile(tmp.File("b.jpg"), NoiseJpeg(400, 500));
  const std::string db = "--db=" + tmp.File("lan.db");
  // Offline and before login: the report and its photos are saved; the id is the last line.
  auto filed =
      Run({Q11Bin(), db, "report", "new", "--category=chieu-sang", "--ward=p04", "--title=Đèn hỏng",
           "--description=Có ảnh", "--photo=" + tmp.File("a.jpg"), "--photo=" + tmp.File("b.jpg")});
  REQUIRE(filed.exit_code == 0);
  std::string last = filed.out.substr(0, filed.out.find_last_not_of('\n') + 1);
  std::string id = last.substr(last.find_last_of('\n') + 1);  // the last line
  auto refused = Run({Q11Bin(), db, "report", "new", "--category=chieu-sang", "--ward=p04",
                      "--title=x", "--description=y", "--photo=" + tmp.File("missing.jpg")});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("missing.jpg") != std::string::npos);
  REQUIRE(Run({Q11Bin(), db, "login", "--server=" + server.url(), "--name=lan",
               "--password=mat-khau-lan"})
              .exit_code == 0);
  auto synced = Run({Q11Bin(), db, "sync"});
  REQUIRE(synced.exit_code == 0);
  CHECK(synced.out.find("sent 2") != std::string::npos);
  auto listed = Run({Q11Bin(), db, "photo", "list", id, "--json"});
  REQUIRE(listed.exit_code == 0);
  CHECK(listed.out.find("\"local\":\"sent\"") != std::string::npos);
  std::string photo_id = listed.out.substr(listed.out.find("\"id\":\"") + 6, 36);
  auto got = Run({Q11Bin(), db, "photo", "get", photo_id, "--thumb", "--out=" + tmp.File("t.jpg")});
  REQUIRE(got.exit_code == 0);
  StartVipsOnce();
  Image t(vips_image_new_from_file(tmp.File("t.jpg").c_str(), nullptr));
  REQUIRE(t);
  CHECK(std::max(vips_image_get_width(t.get()), vips_image_get_height(t.get())) ==
        photos::kThumbEdge);
}

TEST_CASE("Photos: size and count limits are refused on the device and on the server") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.Start());
  auto http = Connect(server.url());
  auto db = OpenDevice(tmp.File("lan.db"));
  REQUIRE(Login(*db, *http, server.url(), "lan", "mat-khau-lan").ok());
  std::string report = *db->FileReport(Pothole());

  // Device: too big, not an image, too many.
  WriteFile(tmp.File("big.jpg"), "\xFF\xD8\xFF" + std::string(photos::kMaxPhotoBytes, 'x'));
  Status big = CheckPhotoFile(tmp.File("big.jpg"));
  CHECK(big.code() == StatusCode::kResourceExhausted);
  CHECK(big.message().find("8 MiB") != std::string::npos);
  WriteFile(tmp.File("notes.txt"), "not a photo at all");
  CHECK(CheckPhotoFile(tmp.File("notes.txt")).code() == StatusCode::kInvalidArgument);
  std::vector<std::string> seven;
  for (int i = 0; i < 7; ++i) {
    seven.push_back(tmp.File("p" + std::to_string(i) + ".jpg"));
    WriteFile(seven.back(), NoiseJpeg(40 + i, 40));
  }
  auto refused = AttachPhotos(*db, report, seven);
  CHECK(refused.status().code() == StatusCode::kResourceExhausted);
  CHECK(refused.status().message().find("at most 6") != std::string::npos);
  CHECK(ListPhotos(*db, report)->empty());  // all or nothing

  // Server: a modified phone that skips the device checks.
  auto insert = [&](int n, int64_t bytes) {
    char sha[65];
    std::snprintf(sha, sizeof sha, "%064x", n);
    return "INSERT INTO photos(id, report_id, role, sha256, mime, bytes, created_at) VALUES ('ph-" +
           std::to_string(n) + "', '" + report + "', 'report', '" + sha + "', 'image/jpeg', " +
           std::to_string(bytes) + ", '2026-11-27T10:00:00Z')";
  };
  REQUIRE(db->ExecCaptured(insert(1, photos::kMaxPhotoBytes + 1)).ok());
  auto r = Sync(*db, *http);
  REQUIRE(r.ok());
  REQUIRE(r->rejected == 1);
  CHECK(r->settled.back().message.find("8 MiB") != std::string::npos);
  std::string seven_rows;
  for (int i = 10; i < 17; ++i) seven_rows += insert(i, 1000) + ";";
  REQUIRE(db->ExecCaptured(seven_rows).ok());
  r = Sync(*db, *http);
  REQUIRE(r.ok());
  REQUIRE(r->rejected == 1);
  CHECK(r->settled.back().message.find("at most 6") != std::string::npos);
}

TEST_CASE("Photos: a citizen cannot attach, upload or download photos of another's report") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("hoa", "mat-khau-hoa", "citizen"));
  REQUIRE(server.Start());
  auto http = Connect(server.url());
  auto lan = OpenDevice(tmp.File("lan.db"));
  REQUIRE(Login(*lan, *http, server.url(), "lan", "mat-khau-lan").ok());
  WriteFile(tmp.File("a.jpg"), NoiseJpeg(300, 200));
  std::string report = *lan->FileReport(Pothole());
  REQUIRE(AttachPhotos(*lan, report, {tmp.File("a.jpg")}).ok());
  SyncOptions no_photos;
  no_photos.upload_photos = false;
  REQUIRE(Sync(*lan, *http, no_photos).ok());
  const Photo photo = ListPhotos(*lan, report)->front();
  const std::string bytes = ReadFile(tmp.File("a.jpg"));

  auto hoa = OpenDevice(tmp.File("hoa.db"));
  REQUIRE(Login(*hoa, *http, server.url(), "hoa", "mat-khau-hoa").ok());
  const std::string token = hoa->GetAccount()->token;
  // Knowing the hash is not enough: 404 for status, upload and download alike.
  for (const char* path : {"/status", ""}) {
    auto reply = Raw(*http, "GET", "/v1/photos/" + photo.sha256 + path, token);
    REQUIRE(reply.ok());
    CHECK(reply->status == 404);
  }
  auto upload = Raw(*http, "PATCH", "/v1/photos/" + photo.sha256 + "?offset=0", token, bytes);
  REQUIRE(upload.ok());
  CHECK(upload->status == 404);
  // Nor attach a photo row to it from a modified phone.
  REQUIRE(hoa->ExecCaptured("INSERT INTO photos(id, report_id, role, sha256, mime, bytes, "
                            "created_at) VALUES ('ph-x', '" +
                            report + "', 'report', '" + photo.sha256 +
                            "', 'image/jpeg', 10, '2026-11-27T10:00:00Z')")
              .ok());
  auto r = Sync(*hoa, *http);
  REQUIRE(r.ok());
  CHECK(r->rejected == 1);

  // The owner's bytes with a wrong byte: refused at completion, the partial upload dropped.
  const std::string lan_token = lan->GetAccount()->token;
  std::string wrong = bytes;
  wrong[wrong.size() / 2] ^= 0x01;
  auto bad = Raw(*http, "PATCH", "/v1/photos/" + photo.sha256 + "?offset=0", lan_token, wrong);
  REQUIRE(bad.ok());
  CHECK(bad->status == 400);
  CHECK(bad->body.find("data_loss") != std::string::npos);
  auto status = Raw(*http, "GET", "/v1/photos/" + photo.sha256 + "/status", lan_token);
  REQUIRE(status.ok());
  CHECK(status->body.find("\"absent\"") != std::string::npos);
  auto none = Raw(*http, "GET", "/v1/photos/" + photo.sha256, lan_token);
  REQUIRE(none.ok());
  CHECK(none->status == 404);
  // A first piece by hand, then a PATCH at the wrong offset: 409 says where to go on.
  auto first = Raw(*http, "PATCH", "/v1/photos/" + photo.sha256 + "?offset=0", lan_token,
                   std::string_view(bytes).substr(0, 100));
  REQUIRE(first.ok());
  CHECK(first->status == 200);
  CHECK(first->body.find("\"offset\":100") != std::string::npos);
  auto wrong_offset = Raw(*http, "PATCH", "/v1/photos/" + photo.sha256 + "?offset=50", lan_token,
                          std::string_view(bytes).substr(50, 10));
  REQUIRE(wrong_offset.ok());
  CHECK(wrong_offset->status == 409);
  CHECK(wrong_offset->Header("Upload-Offset") == "100");
  auto partial = Raw(*http, "GET", "/v1/photos/" + photo.sha256, lan_token);
  REQUIRE(partial.ok());
  CHECK(partial->status == 404);  // never a partial photo
  // The owner's phone continues from byte 100.
  auto good = Sync(*lan, *http);
  REQUIRE(good.ok());
  CHECK(good->photos.uploaded == 1);
  CHECK(good->photos.bytes_sent == static_cast<int64_t>(bytes.size()) - 100);

  // Downloads by range.
  HttpRequest range;
  range.path = "/v1/photos/" + photo.sha256;
  range.bearer = lan_token;
  range.headers = {{"Range", "bytes=0-9"}};
  auto head = http->Send(range);
  REQUIRE(head.ok());
  CHECK(head->status == 206);
  CHECK(head->body.size() == 10);
  CHECK(head->Header("Content-Range").rfind("bytes 0-9/", 0) == 0);
  range.headers = {{"Range", "bytes=99999999-"}};
  auto beyond = http->Send(range);
  REQUIRE(beyond.ok());
  CHECK(beyond->status == 416);
  auto bogus = Raw(*http, "GET", "/v1/photos/" + photo.sha256 + "?size=huge", lan_token);
  REQUIRE(bogus.ok());
  CHECK(bogus->status == 400);
  // Sending a complete photo again costs nothing: the server answers it is complete.
  auto again = Raw(*http, "GET", "/v1/photos/" + photo.sha256 + "/status", lan_token);
  REQUIRE(again.ok());
  CHECK(again->body.find("\"complete\"") != std::string::npos);
}

TEST_CASE("Photos: PNG with transparency and WebP are cleaned in their own format") {
  StartVipsOnce();
  // A 4-band (RGBA) noise image saved as PNG and as WebP.
  VipsImage* noise = nullptr;
  REQUIRE(vips_gaussnoise(&noise, 600, 400, "mean", 128.0, "sigma", 60.0, nullptr) == 0);
  Image n(noise);
  VipsImage* u = nullptr;
  REQUIRE(vips_cast_uchar(n.get(), &u, nullptr) == 0);
  Image grey(u);
  VipsImage* bands[4] = {grey.get(), grey.get(), grey.get(), grey.get()};
  VipsImage* joined = nullptr;
  REQUIRE(vips_bandjoin(bands, &joined, 4, nullptr) == 0);
  Image rgba(joined);
  VipsImage* srgb = nullptr;
  REQUIRE(vips_copy(rgba.get(), &srgb, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr) == 0);
  Image colour(srgb);
  auto save = [&](bool png) {
    void* buf = nullptr;
    size_t len = 0;
    int rc = png ? vips_pngsave_buffer(colour.get(), &buf, &len, nullptr)
                 : vips_webpsave_buffer(colour.get(), &buf, &len, nullptr);
    REQUIRE(rc == 0);
    std::string out(static_cast<const char*>(buf), len);
    g_free(buf);
    return out;
  };
  TempDir tmp;
  WriteFile(tmp.File("a.png"), save(true));
  WriteFile(tmp.File("b.webp"), save(false));
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.Start());
  auto http = Connect(server.url());
  auto db = OpenDevice(tmp.File("lan.db"));
  REQUIRE(Login(*db, *http, server.url(), "lan", "mat-khau-lan").ok());
  std::string report = *db->FileReport(Pothole());
  REQUIRE(AttachPhotos(*db, report, {tmp.File("a.png"), tmp.File("b.webp")}).ok());
  auto r = Sync(*db, *http);
  REQUIRE(r.ok());
  CHECK(r->photos.uploaded == 2);
  CHECK(r->photos.refused == 0);
  auto photos = ListPhotos(*db, report);
  REQUIRE(photos.ok());
  const std::string token = db->GetAccount()->token;
  for (const Photo& p : *photos) {
    auto full = Raw(*http, "GET", "/v1/photos/" + p.sha256, token);
    REQUIRE(full.ok());
    REQUIRE(full->status == 200);
    CHECK(full->content_type == p.mime);  // PNG stays PNG, WebP stays WebP
    auto thumb = Raw(*http, "GET", "/v1/photos/" + p.sha256 + "?size=thumb", token);
    REQUIRE(thumb.ok());
    REQUIRE(thumb->status == 200);
    CHECK(thumb->content_type == "image/jpeg");
    Image t(vips_image_new_from_buffer(thumb->body.data(), thumb->body.size(), "", nullptr));
    REQUIRE(t);
    CHECK(vips_image_get_width(t.get()) == photos::kThumbEdge);
    CHECK(vips_image_get_bands(t.get()) == 3);  // the transparency was put on white
  }
}

TEST_CASE("Photos: a thumbnail not on the server yet is not asked for at every sync") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  REQUIRE(server.Start());
  auto http = Connect(server.url());
  auto citizen = OpenDevice(tmp.File("lan.db"));
  REQUIRE(Login(*citizen, *http, server.url(), "lan", "mat-khau-lan").ok());
  WriteFile(tmp.File("a.jpg"), NoiseJpeg(400, 300));
  std::string report = *citizen->FileReport(Pothole());
  REQUIRE(AttachPhotos(*citizen, report, {tmp.File("a.jpg")}).ok());
  SyncOptions rows_only;
  rows_only.upload_photos = false;
  REQUIRE(Sync(*citizen, *http, rows_only).ok());  // the row goes; the bytes wait (2G)

  auto official = OpenDevice(tmp.File("canbo.db"));
  REQUIRE(Login(*official, *http, server.url(), "canbo.p04", "mat-khau-p04").ok());
  CountingTransport counting(*http);
  auto first = Sync(*official, counting);
  REQUIRE(first.ok());
  CHECK(first->photos.thumbnails_fetched == 0);
  CHECK(counting.sends == 1);  // asked once: 404
  auto second = Sync(*official, counting);
  REQUIRE(second.ok());
  CHECK(counting.sends == 1);  // not again right away
  // Once the bytes are there, asking on demand works at once.
  REQUIRE(Sync(*citizen, *http).ok());
  auto photos = ListPhotos(*official, report);
  REQUIRE(photos.ok());
  REQUIRE(photos->size() == 1);
  CHECK(FetchPhoto(*official, *http, photos->front().id, /*thumb=*/true).ok());
}

TEST_CASE(
    "Photos: another account on the same phone neither drops unsent photos nor sees cached ones") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("hoa", "mat-khau-hoa", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  REQUIRE(server.Start());
  auto http = Connect(server.url());
  auto phone = OpenDevice(tmp.File("lan.db"));
  REQUIRE(Login(*phone, *http, server.url(), "lan", "mat-khau-lan").ok());
  WriteFile(tmp.File("a.jpg"), NoiseJpeg(400, 300));
  std::string report = *phone->FileReport(Pothole());
  REQUIRE(AttachPhotos(*phone, report, {tmp.File("a.jpg")}).ok());
  SyncOptions rows_only;
  rows_only.upload_photos = false;
  REQUIRE(Sync(*phone, *http, rows_only).ok());
  // The photo's bytes have not gone up: another account may not take the phone over yet.
  auto refused = Login(*phone, *http, server.url(), "hoa", "mat-khau-hoa");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("photos of the previous account") != std::string::npos);
  REQUIRE(Sync(*phone, *http).ok());

  // A tablet that cached a thumbnail for its official; another account logs in on it: the
  // cached photo files go with the old replica.
  auto tablet = OpenDevice(tmp.File("tablet.db"));
  REQUIRE(Login(*tablet, *http, server.url(), "canbo.p04", "mat-khau-p04").ok());
  auto synced = Sync(*tablet, *http);
  REQUIRE(synced.ok());
  REQUIRE(synced->photos.thumbnails_fetched == 1);
  const std::string folder = tmp.File("tablet.db") + ".photos";
  REQUIRE_FALSE(std::filesystem::is_empty(folder));
  REQUIRE(Login(*tablet, *http, server.url(), "hoa", "mat-khau-hoa").ok());
  CHECK(std::filesystem::is_empty(folder));
}

TEST_CASE("Photos: the bytes of a withdrawn report's photos are pruned, others kept") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.Start());
  auto http = Connect(server.url());
  auto db = OpenDevice(tmp.File("lan.db"));
  REQUIRE(Login(*db, *http, server.url(), "lan", "mat-khau-lan").ok());
  WriteFile(tmp.File("keep.jpg"), NoiseJpeg(300, 200));
  WriteFile(tmp.File("gone.jpg"), NoiseJpeg(200, 300));
  std::string kept = *db->FileReport(Pothole());
  std::string withdrawn = *db->FileReport(Pothole());
  REQUIRE(AttachPhotos(*db, kept, {tmp.File("keep.jpg")}).ok());
  REQUIRE(AttachPhotos(*db, withdrawn, {tmp.File("gone.jpg")}).ok());
  auto r = Sync(*db, *http);
  REQUIRE(r.ok());
  REQUIRE(r->photos.uploaded == 2);
  const std::string keep_sha = ListPhotos(*db, kept)->front().sha256;
  const std::string gone_sha = ListPhotos(*db, withdrawn)->front().sha256;
  REQUIRE(db->WithdrawReport(withdrawn).ok());
  REQUIRE(Sync(*db, *http).ok());
  CHECK(ListPhotos(*db, withdrawn)->empty());  // the server deleted the row with its report

  const std::string dir = server.data_dir() + "/photos/";
  auto recent = Run({SyncserverBin(), "photos", "prune", "--data=" + server.data_dir()});
  REQUIRE(recent.exit_code == 0);
  CHECK(std::filesystem::exists(dir + gone_sha + ".full"));  // within the grace period
  auto pruned =
      Run({SyncserverBin(), "photos", "prune", "--data=" + server.data_dir(), "--grace-hours=0"});
  REQUIRE(pruned.exit_code == 0);
  CHECK(pruned.out.find("removed 1 photos") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + gone_sha + ".full"));
  CHECK_FALSE(std::filesystem::exists(dir + gone_sha + ".meta"));
  CHECK(std::filesystem::exists(dir + keep_sha + ".full"));
  auto still = Raw(*http, "GET", "/v1/photos/" + keep_sha + "?size=thumb", db->GetAccount()->token);
  REQUIRE(still.ok());
  CHECK(still->status == 200);
}

TEST_CASE(
    "Photos: a captive portal's page instead of an answer leaves the photo unsent, not refused") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.Start());
  auto http = Connect(server.url());
  auto db = OpenDevice(tmp.File("lan.db"));
  REQUIRE(Login(*db, *http, server.url(), "lan", "mat-khau-lan").ok());
  WriteFile(tmp.File("a.jpg"), NoiseJpeg(300, 200));
  std::string report = *db->FileReport(Pothole());
  REQUIRE(AttachPhotos(*db, report, {tmp.File("a.jpg")}).ok());
  // Every photo request answered by a hotel Wi-Fi login page.
  class Portal : public Transport {
   public:
    explicit Portal(Transport& inner) : inner_(inner) {}
    Result<HttpReply> Post(std::string_view path, std::string_view type, std::string_view body,
                           std::string_view bearer) override {
      return inner_.Post(path, type, body, bearer);
    }
    Result<HttpReply> Send(const HttpRequest&) override {
      HttpReply r;
      r.status = request_status;
      r.content_type = "text/html";
      r.body = "<html><body>Đăng nhập Wi-Fi khách sạn</body></html>";
      return r;
    }
    int request_status = 200;

   private:
    Transport& inner_;
  } portal(*http);
  SyncOptions quick;
  quick.initial_backoff_ms = 1;
  for (int status : {200, 400, 413}) {
    portal.request_status = status;
    auto r = Sync(*db, portal, quick);
    REQUIRE(r.ok());
    CHECK(r->photos.refused == 0);
    CHECK(ListPhotos(*db, report)->front().local == "unsent");
  }
  auto r = Sync(*db, *http);
  REQUIRE(r.ok());
  CHECK(r->photos.uploaded == 1);
}
