#include "app/clock_file.h"

#include <sys/stat.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "log/logger.h"

namespace q11::server {
namespace {

std::optional<int64_t> ParseOffset(const std::string& text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return std::nullopt;
  size_t begin = text.find_first_not_of(" \t\r\n");
  int64_t v = 0;
  const char* first = text.data() + begin;
  const char* last = text.data() + end + 1;
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return v;
}

}  // namespace

int64_t ClockFile::NowMs() {
  const int64_t real = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  struct stat st {};
  Stamp now;
  if (::stat(path_.c_str(), &st) == 0) {
    now = Stamp{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                static_cast<int64_t>(st.st_size),
                int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (now == seen_) return real + offset_ms_;
  seen_ = now;
  if (now.size < 0) {  // no file: no offset
    offset_ms_ = 0;
    return real;
  }
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  std::optional<int64_t> offset = in ? ParseOffset(text.str()) : std::nullopt;
  if (offset) {
    offset_ms_ = *offset;
  } else {
    log::Warn("--clock-file " + path_ +
              ": not a whole number of milliseconds; keeping the offset " +
              std::to_string(offset_ms_));
  }
  return real + offset_ms_;
}

}  // namespace q11::server
