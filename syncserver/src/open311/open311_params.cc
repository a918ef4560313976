#include "open311/open311_params.h"

#include "open311/open311_time.h"
#include "protocol/ids.h"

namespace q11::server {
namespace {

constexpr int64_t kWindowMs = 90LL * 24 * 3600 * 1000;
constexpr size_t kMaxListItems = 100;

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    // Spaces around items are forgiven ("a, b").
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

Status ParsePaging(const std::map<std::string, std::string>& params, int* limit, int* offset) {
  auto number = [&](const char* name, int fallback, int max, int* out) -> Status {
    auto it = params.find(name);
    if (it == params.end() || it->second.empty()) {
      *out = fallback;
      return Status::Ok();
    }
    const std::string& v = it->second;
    bool digits = v.size() <= 7;
    for (char c : v) digits = digits && c >= '0' && c <= '9';
    int n = digits ? std::stoi(v) : 0;
    if (n < 1 || n > max)
      return InvalidArgument(std::string(name) + " must be a whole number from 1 to " +
                             std::to_string(max) + " / " + name + " phải là số nguyên từ 1 đến " +
                             std::to_string(max));
    *out = n;
    return Status::Ok();
  };
  int page = 1, size = kOpen311MaxPageSize;
  Q11_RETURN_IF_ERROR(number("page_size", kOpen311MaxPageSize, kOpen311MaxPageSize, &size));
  Q11_RETURN_IF_ERROR(number("page", 1, 1000000, &page));
  *limit = size;
  *offset = (page - 1) * size;
  return Status::Ok();
}

Status ParseDates(const std::map<std::string, std::string>& params, int64_t now_ms, bool windowed,
                  std::string* since, std::string* until) {
  std::optional<int64_t> start, end;
  for (auto [name, target] : {std::pair{"start_date", &start}, std::pair{"end_date", &end}}) {
    auto it = params.find(name);
    if (it == params.end() || it->second.empty()) continue;
    *target = ParseOpen311Time(it->second);
    if (!*target)
      return InvalidArgument(
          std::string(name) +
          " must be ISO-8601 with a time zone, e.g. 2026-11-27T08:00:00+07:00 / " + name +
          " phải theo ISO-8601 có múi giờ");
  }
  if (start && end && *end < *start)
    return InvalidArgument("end_date is before start_date / end_date trước start_date");
  if (start && end && *end - *start > kWindowMs)
    return InvalidArgument(
        "start_date and end_date may not span more than 90 days / khoảng thời gian tối đa 90 "
        "ngày");
  if (windowed) {
    if (start && !end) end = *start + kWindowMs;
    if (end && !start) start = *end - kWindowMs;
    if (!start && !end) start = now_ms - kWindowMs;
  }
  if (start) *since = FormatUtc(*start);
  if (end) *until = FormatUtc(*end);
  return Status::Ok();
}

Result<std::vector<std::string>> ListParam(const std::map<std::string, std::string>& params,
                                           const char* name) {
  auto it = params.find(name);
  if (it == params.end()) return std::vector<std::string>();
  std::vector<std::string> items = SplitCommas(it->second);
  if (items.size() > kMaxListItems)
    return InvalidArgument(std::string(name) + " lists more than 100 values / " + name +
                           " có quá 100 giá trị");
  for (const std::string& v : items)
    if (v.size() > 64)
      return InvalidArgument(std::string(name) + " has a value longer than 64 bytes / " + name +
                             " có giá trị quá dài");
  return items;
}

}  // namespace q11::server
