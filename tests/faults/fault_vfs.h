// A SQLite VFS for tests that plays a power cut or a failing disk under the real code.
//
// FaultVfs::Install() registers "q11-fault" over the default (unix) VFS and makes it the
// process's default, so every sqlite3_open of the device library or the server store goes
// through it without a product change. Only files under the watched folder (Watch) are
// counted and faulted; every other file (the test reading a server database, temp files)
// passes straight through.
//
// Power loss. The shim keeps, per file, what the disk is sure to hold: the size at the last
// xSync and the old bytes of every 512-byte sector written or truncated away since then
// (an undo log; the writes themselves reach the file at once, so reads, locks, mmap and the
// WAL index behave as usual). ArmCrash(n) cuts the power just before the nth
// xWrite/xSync/xTruncate on a watched file: from then on every call on a watched file fails
// (SQLITE_IOERR_*, SQLITE_CANTOPEN), as if the process had died. Once the test has closed
// every handle, Recover() leaves on disk what a power cut leaves: each file back at its
// last synced size and bytes (every unsynced write dropped, the WAL's and journal's too) and
// the -shm files removed (SQLite rebuilds the WAL index from the WAL).
//
// Recover(error, keep, seed) can also play a disk that wrote part of its cache, in any
// order: each unsynced sector kept or dropped at random (torn writes).
//
// Errors. ArmError(call, n, rc) makes the nth call of that kind (or of any kind) on a
// watched file fail with `rc` without doing it: SQLITE_IOERR_READ for a read, _WRITE or
// SQLITE_FULL for a write, _FSYNC, _TRUNCATE, _FSTAT, _LOCK, _SHMMAP, _SHMLOCK, _DELETE,
// _ACCESS, SQLITE_CANTOPEN for an open; once, or for every later call too (`persistent`,
// a disk that stays full) until Reset().
//
// Thread-safe: one mutex around the shim's state and the calls it wraps (the server's
// writer, readers and checkpointer share it). Test-only; never linked into a product.
#pragma once

#include <cstdint>
#include <string>

namespace q11::test::faults {

// The calls the shim counts on watched files.
enum class Call {
  kAny,  // in ArmError: the nth counted call whatever its kind
  kOpen,
  kRead,
  kWrite,
  kTruncate,
  kSync,
  kFileSize,
  kLock,
  kShmMap,
  kShmLock,
  kDelete,
  kAccess,
  kCount_,
};
const char* CallName(Call call);
// The error a failing call of this kind returns (SQLITE_IOERR_READ for kRead...).
int DefaultError(Call call);

class FaultVfs {
 public:
  // Registers the shim as the default VFS (once; later calls return the same object).
  static FaultVfs& Install();

  // Only files whose path starts with `prefix` are counted and faulted ("" : none). Also
  // forgets every fault, count and crash state (Reset).
  void Watch(const std::string& prefix);
  // Disarms everything and zeroes the counts; the undo log stays (the disk is unchanged).
  void Reset();

  // Power loss at the nth xWrite/xSync/xTruncate (1-based) from now on a watched file, or
  // at the nth call of one of those kinds (`on`: kWrite, kSync or kTruncate).
  void ArmCrash(int64_t nth, Call on = Call::kAny);
  bool crashed() const;
  // Where the power went: "write wal", "sync database", "truncate journal"... ("" before).
  std::string crash_site() const;
  // Once every watched handle is closed: puts the disk in the state a power cut at the
  // crash leaves (see above) and lets calls through again. Also usable without a crash (a
  // power cut now). False with `error` when handles are still open.
  // `keep` > 0 plays a disk that wrote some of its cache before the power went, in any
  // order: each unsynced 512-byte sector survives with that probability (the others hold
  // their synced bytes, or zeros past the synced size), and a file that grew or shrank
  // keeps its new size with it too; drawn from `seed`.
  bool Recover(std::string* error, double keep = 0.0, uint32_t seed = 0);

  // The nth call of kind `call` (kAny: of any counted kind) from now fails with `rc`;
  // with `persistent`, every later call of that kind too.
  void ArmError(Call call, int64_t nth, int rc, bool persistent = false);
  // How many injected errors were returned since the last Reset/ArmError.
  int64_t errors_returned() const;
  // What the first injected error was: "write #12 → SQLITE_IOERR_WRITE" ("" when none).
  std::string first_error() const;

  // Calls of this kind on watched files since the last Reset (kAny: all counted kinds).
  int64_t calls(Call call) const;
  // xWrite + xSync + xTruncate since the last Reset: what ArmCrash counts.
  int64_t durable_calls() const;
  // Watched files open now.
  int open_files() const;

 private:
  FaultVfs() = default;
};

}  // namespace q11::test::faults
