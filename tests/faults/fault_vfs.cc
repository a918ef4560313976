#include "fault_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <string>

namespace q11::test::faults {

namespace {

constexpr int64_t kSector = 512;

// What the disk is sure to hold of one file: its size at the last sync and the old bytes of
// every sector changed since (the sector's index → its bytes as synced, cut at the synced
// size).
struct Durable {
  int64_t size = 0;
  std::map<int64_t, std::string> undo;
};

struct State {
  std::mutex mu;
  sqlite3_vfs* real = nullptr;
  std::string prefix;
  std::map<std::string, Durable> files;  // by path, kept across close until Recover
  int open = 0;                          // watched handles open

  std::array<int64_t, static_cast<size_t>(Call::kCount_)> counts{};
  int64_t durable_calls = 0;

  int64_t crash_at = 0;        // 0: not armed
  Call crash_on = Call::kAny;  // which calls crash_at counts (kAny: write, sync, truncate)
  bool crashed = false;
  std::string crash_site;

  Call error_call = Call::kAny;
  int64_t error_at = 0;  // 0: not armed
  int error_rc = 0;
  bool error_persistent = false;
  int64_t errors_returned = 0;
  std::string first_error;

  bool Watched(const char* path) const {
    return path != nullptr && !prefix.empty() &&
           std::strncmp(path, prefix.c_str(), prefix.size()) == 0;
  }
};

State& S() {
  static State s;
  return s;
}

bool EndsWith(const std::string& s, const char* tail) {
  size_t n = std::strlen(tail);
  return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;  // allocated after this struct (szOsFile of the real VFS)
  bool watched;
  std::string* path;  // watched files only
};

// Counts a call of `kind` and says which error to return instead of doing it (0: none).
// Holds S().mu.
int Injected(Call kind, const std::string* path = nullptr) {
  State& s = S();
  ++s.counts[static_cast<size_t>(kind)];
  ++s.counts[static_cast<size_t>(Call::kAny)];
  if (s.crashed) return DefaultError(kind);
  if (kind == Call::kWrite || kind == Call::kSync || kind == Call::kTruncate) {
    ++s.durable_calls;
    const int64_t n =
        s.crash_on == Call::kAny ? s.durable_calls : s.counts[static_cast<size_t>(s.crash_on)];
    if (s.crash_at > 0 && (s.crash_on == Call::kAny || s.crash_on == kind) && n >= s.crash_at) {
      s.crashed = true;
      const std::string file = path ? *path : "";
      s.crash_site = std::string(CallName(kind)) + (EndsWith(file, "-wal")       ? " wal"
                                                    : EndsWith(file, "-journal") ? " journal"
                                                                                 : " database");
      return DefaultError(kind);
    }
  }
  if (s.error_at > 0) {
    int64_t n = s.counts[static_cast<size_t>(s.error_call)];
    bool kind_matches = s.error_call == Call::kAny || s.error_call == kind;
    if (kind_matches && (n == s.error_at || (s.error_persistent && n > s.error_at))) {
      // SQLITE_FULL is what a write (or a file growing) answers; other calls keep theirs.
      int rc = s.error_rc;
      if ((rc & 0xff) == SQLITE_FULL && kind != Call::kWrite && kind != Call::kTruncate)
        rc = DefaultError(kind);
      if (rc == 0) rc = DefaultError(kind);
      if (s.errors_returned++ == 0)
        s.first_error = std::string(CallName(kind)) + " #" + std::to_string(n) + " → " +
                        sqlite3_errstr(rc) + " (" + std::to_string(rc) + ")";
      return rc;
    }
  }
  return 0;
}

// Before bytes [from, to) of a watched file change: keeps the synced bytes of each sector
// there not kept yet. Holds S().mu.
void KeepOld(ShimFile* f, int64_t from, int64_t to) {
  Durable& d = S().files[*f->path];
  if (to > d.size) to = d.size;
  for (int64_t sector = from / kSector; sector * kSector < to; ++sector) {
    if (d.undo.count(sector)) continue;
    int64_t start = sector * kSector;
    int64_t len = std::min(kSector, d.size - start);
    std::string old(static_cast<size_t>(len), '\0');
    // A short read leaves zeros: what the file held there.
    (void)f->real->pMethods->xRead(f->real, old.data(), static_cast<int>(len), start);
    d.undo.emplace(sector, std::move(old));
  }
}

int Close(sqlite3_file* file) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  if (f->watched) {
    std::lock_guard<std::mutex> lock(S().mu);
    --S().open;
    delete f->path;
    f->path = nullptr;
  }
  return rc;
}

int Read(sqlite3_file* file, void* buf, int amt, sqlite3_int64 off) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (!f->watched) return f->real->pMethods->xRead(f->real, buf, amt, off);
  std::lock_guard<std::mutex> lock(S().mu);
  if (int rc = Injected(Call::kRead)) return rc;
  return f->real->pMethods->xRead(f->real, buf, amt, off);
}

int Write(sqlite3_file* file, const void* buf, int amt, sqlite3_int64 off) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (!f->watched) return f->real->pMethods->xWrite(f->real, buf, amt, off);
  std::lock_guard<std::mutex> lock(S().mu);
  if (int rc = Injected(Call::kWrite, f->path)) return rc;
  KeepOld(f, off, off + amt);
  return f->real->pMethods->xWrite(f->real, buf, amt, off);
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (!f->watched) return f->real->pMethods->xTruncate(f->real, size);
  std::lock_guard<std::mutex> lock(S().mu);
  if (int rc = Injected(Call::kTruncate, f->path)) return rc;
  KeepOld(f, size, INT64_MAX);
  return f->real->pMethods->xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (!f->watched) return f->real->pMethods->xSync(f->real, flags);
  std::lock_guard<std::mutex> lock(S().mu);
  if (int rc = Injected(Call::kSync, f->path)) return rc;
  int rc = f->real->pMethods->xSync(f->real, flags);
  if (rc != SQLITE_OK) return rc;
  sqlite3_int64 size = 0;
  if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK) return SQLITE_IOERR_FSTAT;
  Durable& d = S().files[*f->path];
  d.size = size;
  d.undo.clear();  // an fsync makes the whole file durable, whichever handle asks
  return SQLITE_OK;
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (!f->watched) return f->real->pMethods->xFileSize(f->real, size);
  std::lock_guard<std::mutex> lock(S().mu);
  if (int rc = Injected(Call::kFileSize)) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int Lock(sqlite3_file* file, int level) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (!f->watched) return f->real->pMethods->xLock(f->real, level);
  std::lock_guard<std::mutex> lock(S().mu);
  if (int rc = Injected(Call::kLock)) return rc;
  return f->real->pMethods->xLock(f->real, level);
}

// Releasing a lock always goes through: a dead process holds none.
int Unlock(sqlite3_file* file, int level) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  return f->real->pMethods->xUnlock(f->real, level);
}

int CheckReservedLock(sqlite3_file* file, int* out) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (f->watched) {
    std::lock_guard<std::mutex> lock(S().mu);
    if (S().crashed) return SQLITE_IOERR_CHECKRESERVEDLOCK;
  }
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (f->watched) {
    std::lock_guard<std::mutex> lock(S().mu);
    if (S().crashed) return SQLITE_IOERR;
    // Growing a file ahead (size hint, chunk size) writes past the synced size: Recover
    // cuts it back like any unsynced growth. Nothing to keep.
  }
  int rc = f->real->pMethods->xFileControl(f->real, op, arg);
  if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK && arg != nullptr) {
    char** name = static_cast<char**>(arg);
    char* mine = sqlite3_mprintf("q11-fault/%z", *name);
    *name = mine;
  }
  return rc;
}

int SectorSize(sqlite3_file* file) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  return f->real->pMethods->xSectorSize(f->real);
}

int DeviceCharacteristics(sqlite3_file* file) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  // No promise of atomic or ordered writes: a power cut may drop any unsynced one.
  return f->real->pMethods->xDeviceCharacteristics(f->real) &
         ~(SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_ATOMIC512 | SQLITE_IOCAP_ATOMIC1K |
           SQLITE_IOCAP_ATOMIC2K | SQLITE_IOCAP_ATOMIC4K | SQLITE_IOCAP_ATOMIC8K |
           SQLITE_IOCAP_ATOMIC16K | SQLITE_IOCAP_ATOMIC32K | SQLITE_IOCAP_ATOMIC64K |
           SQLITE_IOCAP_SEQUENTIAL | SQLITE_IOCAP_BATCH_ATOMIC);
}

int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** pp) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (f->watched) {
    std::lock_guard<std::mutex> lock(S().mu);
    if (int rc = Injected(Call::kShmMap)) return rc;
  }
  return f->real->pMethods->xShmMap(f->real, region, size, extend, pp);
}

int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (f->watched && (flags & SQLITE_SHM_LOCK)) {
    std::lock_guard<std::mutex> lock(S().mu);
    if (int rc = Injected(Call::kShmLock)) return rc;
  }
  return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

void ShmBarrier(sqlite3_file* file) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  f->real->pMethods->xShmBarrier(f->real);
}

int ShmUnmap(sqlite3_file* file, int delete_flag) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (f->watched) {
    std::lock_guard<std::mutex> lock(S().mu);
    if (S().crashed) delete_flag = 0;  // the dead process deletes nothing
  }
  return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

int Fetch(sqlite3_file* file, sqlite3_int64 off, int amt, void** pp) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  if (f->watched) {
    std::lock_guard<std::mutex> lock(S().mu);
    if (S().crashed) {
      *pp = nullptr;  // "read it": the read fails
      return SQLITE_OK;
    }
  }
  return f->real->pMethods->xFetch(f->real, off, amt, pp);
}

int Unfetch(sqlite3_file* file, sqlite3_int64 off, void* p) {
  auto* f = reinterpret_cast<ShimFile*>(file);
  return f->real->pMethods->xUnfetch(f->real, off, p);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  State& s = S();
  auto* f = reinterpret_cast<ShimFile*>(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->real->pMethods = nullptr;
  f->path = nullptr;
  f->watched = false;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    f->watched = s.Watched(name);
    if (f->watched) {
      if (int rc = Injected(Call::kOpen)) return rc == SQLITE_IOERR ? SQLITE_CANTOPEN : rc;
    }
  }
  int rc = s.real->xOpen(s.real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // The real VFS may have set methods that need closing even on failure.
    if (f->real->pMethods != nullptr) f->real->pMethods->xClose(f->real);
    f->real->pMethods = nullptr;
    return rc;
  }
  if (f->watched) {
    std::lock_guard<std::mutex> lock(s.mu);
    f->path = new std::string(name);
    ++s.open;
    if (!s.files.count(*f->path)) {
      // First sight of the file since the last Recover: what it holds now is on the disk.
      sqlite3_int64 size = 0;
      (void)f->real->pMethods->xFileSize(f->real, &size);
      s.files[*f->path].size = size;
    }
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.Watched(name)) {
    if (int rc = Injected(Call::kDelete)) return rc;
    // Taken as durable at once: a deleted WAL or journal that came back would hold only
    // what was synced before, which SQLite copes with either way.
    s.files.erase(name);
  }
  return s.real->xDelete(s.real, name, sync_dir);
}

int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  State& s = S();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.Watched(name)) {
      if (int rc = Injected(Call::kAccess)) return rc;
    }
  }
  return s.real->xAccess(s.real, name, flags, out);
}

int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return S().real->xFullPathname(S().real, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return S().real->xDlOpen(S().real, name); }
void DlError(sqlite3_vfs*, int n, char* out) { S().real->xDlError(S().real, n, out); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return S().real->xDlSym(S().real, h, sym);
}
void DlClose(sqlite3_vfs*, void* h) { S().real->xDlClose(S().real, h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return S().real->xRandomness(S().real, n, out); }
int Sleep(sqlite3_vfs*, int us) { return S().real->xSleep(S().real, us); }
int CurrentTime(sqlite3_vfs*, double* t) { return S().real->xCurrentTime(S().real, t); }
int GetLastError(sqlite3_vfs*, int n, char* out) {
  return S().real->xGetLastError ? S().real->xGetLastError(S().real, n, out) : 0;
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* t) {
  return S().real->xCurrentTimeInt64(S().real, t);
}

// Puts one file back as the disk holds it: every unsynced sector dropped, or (keep > 0)
// each kept with that probability. Holds S().mu.
bool Restore(const std::string& path, const Durable& d, double keep, std::mt19937& rng,
             std::string* error) {
  int fd = ::open(path.c_str(), O_RDWR);
  if (fd < 0) return true;  // gone: nothing to put back (deletes are durable here)
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  auto kept = [&] { return keep > 0 && coin(rng) < keep; };
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  const int64_t now = st.st_size;
  const int64_t size = now != d.size && kept() ? now : d.size;
  if (ok && size == now && now > d.size) {
    // Grown past the synced size, and the new size reached the disk: each new sector
    // holds its bytes, or zeros when they did not make it.
    const std::string zeros(kSector, '\0');
    for (int64_t from = d.size; ok && from < now;) {
      const int64_t to = std::min(now, (from / kSector + 1) * kSector);
      if (!kept())
        ok = ::pwrite(fd, zeros.data(), to - from, from) == static_cast<ssize_t>(to - from);
      from = to;
    }
  }
  ok = ok && ::ftruncate(fd, size) == 0;
  for (const auto& [sector, bytes] : d.undo) {
    if (!ok) break;
    if (sector * kSector >= size || kept()) continue;
    ok = ::pwrite(fd, bytes.data(), bytes.size(), sector * kSector) ==
         static_cast<ssize_t>(bytes.size());
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok && error) *error = "cannot restore " + path + ": " + std::strerror(errno);
  return ok;
}

}  // namespace

const char* CallName(Call call) {
  switch (call) {
    case Call::kAny:
      return "any";
    case Call::kOpen:
      return "open";
    case Call::kRead:
      return "read";
    case Call::kWrite:
      return "write";
    case Call::kTruncate:
      return "truncate";
    case Call::kSync:
      return "sync";
    case Call::kFileSize:
      return "file size";
    case Call::kLock:
      return "lock";
    case Call::kShmMap:
      return "shm map";
    case Call::kShmLock:
      return "shm lock";
    case Call::kDelete:
      return "delete";
    case Call::kAccess:
      return "access";
    case Call::kCount_:
      break;
  }
  return "?";
}

int DefaultError(Call call) {
  switch (call) {
    case Call::kOpen:
      return SQLITE_CANTOPEN;
    case Call::kRead:
      return SQLITE_IOERR_READ;
    case Call::kWrite:
      return SQLITE_IOERR_WRITE;
    case Call::kTruncate:
      return SQLITE_IOERR_TRUNCATE;
    case Call::kSync:
      return SQLITE_IOERR_FSYNC;
    case Call::kFileSize:
      return SQLITE_IOERR_FSTAT;
    case Call::kLock:
      return SQLITE_IOERR_LOCK;
    case Call::kShmMap:
      return SQLITE_IOERR_SHMMAP;
    case Call::kShmLock:
      return SQLITE_IOERR_SHMLOCK;
    case Call::kDelete:
      return SQLITE_IOERR_DELETE;
    case Call::kAccess:
      return SQLITE_IOERR_ACCESS;
    case Call::kAny:
    case Call::kCount_:
      break;
  }
  return SQLITE_IOERR;
}

FaultVfs& FaultVfs::Install() {
  static FaultVfs* vfs = [] {
    static sqlite3_vfs shim;
    sqlite3_initialize();
    State& s = S();
    s.real = sqlite3_vfs_find(nullptr);
    shim = *s.real;
    shim.iVersion = 3;
    shim.szOsFile = static_cast<int>(sizeof(ShimFile)) + s.real->szOsFile;
    shim.zName = "q11-fault";
    shim.pAppData = nullptr;
    shim.pNext = nullptr;
    shim.xOpen = Open;
    shim.xDelete = Delete;
    shim.xAccess = Access;
    shim.xFullPathname = FullPathname;
    shim.xDlOpen = DlOpen;
    shim.xDlError = DlError;
    shim.xDlSym = DlSym;
    shim.xDlClose = DlClose;
    shim.xRandomness = Randomness;
    shim.xSleep = Sleep;
    shim.xCurrentTime = CurrentTime;
    shim.xGetLastError = GetLastError;
    shim.xCurrentTimeInt64 = CurrentTimeInt64;
    shim.xSetSystemCall = nullptr;
    shim.xGetSystemCall = nullptr;
    shim.xNextSystemCall = nullptr;
    sqlite3_vfs_register(&shim, 1);
    return new FaultVfs();
  }();
  return *vfs;
}

void FaultVfs::Watch(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(S().mu);
  S().prefix = prefix;
  S().files.clear();
  S().crashed = false;
}

void FaultVfs::Reset() {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  s.counts.fill(0);
  s.durable_calls = 0;
  s.crash_at = 0;
  s.crashed = false;
  s.crash_site.clear();
  s.error_at = 0;
  s.errors_returned = 0;
  s.first_error.clear();
}

void FaultVfs::ArmCrash(int64_t nth, Call on) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  s.crash_on = on;
  s.crash_at = (on == Call::kAny ? s.durable_calls : s.counts[static_cast<size_t>(on)]) + nth;
}

std::string FaultVfs::crash_site() const {
  std::lock_guard<std::mutex> lock(S().mu);
  return S().crash_site;
}

bool FaultVfs::crashed() const {
  std::lock_guard<std::mutex> lock(S().mu);
  return S().crashed;
}

bool FaultVfs::Recover(std::string* error, double keep, uint32_t seed) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.open != 0) {
    if (error) *error = std::to_string(s.open) + " watched file(s) still open";
    return false;
  }
  std::mt19937 rng(seed);
  for (const auto& [path, d] : s.files) {
    if (!Restore(path, d, keep, rng, error)) return false;
    if (!EndsWith(path, "-wal") && !EndsWith(path, "-journal")) ::unlink((path + "-shm").c_str());
  }
  s.files.clear();
  s.crash_at = 0;
  s.crashed = false;
  return true;
}

void FaultVfs::ArmError(Call call, int64_t nth, int rc, bool persistent) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  s.error_call = call;
  s.error_at = s.counts[static_cast<size_t>(call)] + nth;
  s.error_rc = rc;
  s.error_persistent = persistent;
  s.errors_returned = 0;
  s.first_error.clear();
}

int64_t FaultVfs::errors_returned() const {
  std::lock_guard<std::mutex> lock(S().mu);
  return S().errors_returned;
}

std::string FaultVfs::first_error() const {
  std::lock_guard<std::mutex> lock(S().mu);
  return S().first_error;
}

int64_t FaultVfs::calls(Call call) const {
  std::lock_guard<std::mutex> lock(S().mu);
  return S().counts[static_cast<size_t>(call)];
}

int64_t FaultVfs::durable_calls() const {
  std::lock_guard<std::mutex> lock(S().mu);
  return S().durable_calls;
}

int FaultVfs::open_files() const {
  std::lock_guard<std::mutex> lock(S().mu);
  return S().open;
}

}  // namespace q11::test::faults
