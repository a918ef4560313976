// A FileSync that simulates a power cut, for crash tests of the photo files on both sides.
//
// It watches some folders. What is in them when watched counts as durable; afterwards a
// file's bytes become durable only through SyncFile (up to its size then) and a name only
// through SyncDir of its folder. Crash() then does to the watched folders what a power cut
// may do: removes every file whose name was never synced and cuts every other file back to
// the size it had when last synced (nothing, when never synced). A test can also make the
// Nth call and all later ones fail (the power went just before it, or the disk failed).
//
// Limits: removals are not undone (a file removed but not synced away stays removed), and a
// name synced for one file but now holding another is treated as lost. Thread-safe.
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "filesync/file_sync.h"

namespace q11::test {

class CrashFileSync final : public FileSync {
 public:
  // Watches `dir` (created when missing): what it holds now is durable.
  void Watch(const std::string& dir);

  // Calls number `n` (1-based, counted from now) and later fail with `err` and make
  // nothing durable; 0 turns failing off.
  void FailFrom(int n, int err = EIO);
  // How many calls were made since the last FailFrom or Crash.
  int calls() const;
  // Folders synced since the last FailFrom or Crash, in order (for tests of the order).
  std::vector<std::string> log() const;

  Status SyncFile(int fd, const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

  // The power cut (see above), then power back on: what is left is durable, and calls
  // succeed again.
  void Crash();
  // Whether `path` would come through a Crash() now whole: its name and all its bytes
  // were synced.
  bool Durable(const std::string& path) const;

 private:
  using Inode = std::pair<dev_t, ino_t>;
  struct Folder {
    std::map<std::string, Inode> names;  // the durable entries: name → file
  };
  Status Call(const std::string& what);   // counts a call; the failure when it is one
  void Snapshot(const std::string& dir);  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  std::map<std::string, Folder> folders_;  // by canonical path
  std::map<Inode, off_t> synced_size_;
  std::vector<std::string> log_;
  int calls_ = 0, fail_from_ = 0, err_ = EIO;
};

}  // namespace q11::test
