// A clock that tests can move, for the real `syncserver` binary (`serve --clock-file=PATH`,
// off by default): the server's "now" is the system clock plus an offset in milliseconds
// written as a decimal integer (optionally negative, optionally followed by a newline) in
// PATH. Integration tests use it to let a token expire or a deadline pass without waiting.
//
// Tests write the file whole and rename it into place; the file is stat()ed at every read
// and re-read when its inode, size or modification time changes (a rename always brings
// a new inode, so two writes within one timestamp tick are still seen). A missing file is
// an offset of 0; an unreadable or malformed one keeps the last offset and says so once on
// stderr. Not for production: every clock read costs a stat().
//
// Thread safety: NowMs() may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace q11::server {

class ClockFile {
 public:
  explicit ClockFile(std::string path) : path_(std::move(path)) {}

  // Unix milliseconds: the system clock plus the file's offset.
  int64_t NowMs();

 private:
  struct Stamp {  // what tells that the file changed
    uint64_t dev = 0, ino = 0;
    int64_t size = -1, mtime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };

  const std::string path_;
  std::mutex mu_;
  Stamp seen_;
  int64_t offset_ms_ = 0;
};

}  // namespace q11::server
