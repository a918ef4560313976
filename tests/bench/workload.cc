#include "workload.h"

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>
#include <zstd.h>

#include <fstream>
#include <map>
#include <sstream>

namespace q11::bench {
namespace {

const std::map<std::string, std::string>& CategoryMap() {
  static const std::map<std::string, std::string> m = {
      {"Vệ sinh môi trường", "rac-thai"},
      {"Lấn chiếm vỉa hè", "lan-chiem-via-he"},
      {"Cấp thoát nước", "ngap-nuoc"},
      {"Chiếu sáng công cộng", "chieu-sang"},
      {"Xây dựng trái phép", "trat-tu-xay-dung"},
      {"Ô nhiễm tiếng ồn", "tieng-on"},
      {"Cây xanh", "cay-xanh"},
      {"Giao thông", "ha-tang-giao-thong"},
      {"An ninh trật tự", "an-ninh-trat-tu"},
      {"Trật tự đô thị", "trat-tu-do-thi"},
      {"An toàn thực phẩm", "an-toan-thuc-pham"},
      {"Thủ tục hành chính", "thu-tuc-hanh-chinh"},
  };
  return m;
}

Result<std::string> WardId(const std::string& name) {
  const std::string prefix = "Phường ";
  if (name.rfind(prefix, 0) != 0) return InvalidArgument("unknown ward " + name);
  int n = std::stoi(name.substr(prefix.size()));
  if (n < 1 || n > 16) return InvalidArgument("unknown ward " + name);
  return std::string(n < 10 ? "p0" : "p") + std::to_string(n);
}

}  // namespace

Result<std::vector<WorkloadReport>> LoadWorkload(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read workload " + path);
  std::string compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ull << 30))
    return DataLoss("workload is not a sized zstd frame");
  std::string text(size, '\0');
  size_t n = ZSTD_decompress(text.data(), text.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != size) return DataLoss("workload does not decompress");

  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(text.data(), static_cast<unsigned>(text.size()));
  std::string digest = Poco::DigestEngine::digestToHex(sha.digest());
  if (digest != kWorkloadSha256)
    return DataLoss("workload SHA-256 " + digest + " differs from the published one");

  std::vector<WorkloadReport> out;
  std::istringstream lines(text);
  std::string line;
  std::map<int, int> per_device;
  Poco::JSON::Parser parser;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    parser.reset();
    auto o = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    WorkloadReport r;
    r.id = o->getValue<std::string>("id");
    r.device_id = o->getValue<std::string>("device_id");
    r.device = std::stoi(r.device_id.substr(4));
    auto cat = CategoryMap().find(o->getValue<std::string>("category"));
    if (cat == CategoryMap().end())
      return InvalidArgument("unknown category " + o->getValue<std::string>("category"));
    r.category_id = cat->second;
    auto ward = WardId(o->getValue<std::string>("ward"));
    if (!ward.ok()) return ward.status();
    r.ward_id = *ward;
    r.title = o->getValue<std::string>("title");
    r.description = o->getValue<std::string>("description");
    r.lat = o->getValue<double>("lat");
    r.lon = o->getValue<double>("lon");
    r.created_at = o->getValue<std::string>("created_at");
    r.index = r.device * 100 + per_device[r.device]++;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace q11::bench
