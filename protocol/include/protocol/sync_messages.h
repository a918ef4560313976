// The two messages of a sync exchange: one request (push + pull cursor) and one response
// (a verdict per pushed entry, the pull changeset, the new cursor). One HTTP round trip.
//
// A pushed entry is one local transaction's SQLite changeset, identified by the device id
// and the device's local sequence number so that a retried request is recognised by the
// server and never applied twice. Field-by-field layout: docs/protocol.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/envelope.h"
#include "protocol/result.h"
#include "protocol/scope_digest.h"

namespace q11::wire {

// Section type numbers (docs/protocol.md, "Sections").
enum SectionType : uint8_t {
  kRequestHeader = 1,
  kPush = 2,
  kSchemaVersions = 3,  // the device's synced schema version and each entry's
  kFullPull = 4,        // the device rebuilds its copy: leave none of its own writes out
  kKnownEpoch = 5,      // the server epoch the device last synced with
  kScopeOnly = 6,       // pull only this one of the device's audiences (a scope repair)
  kDriftReport = 7,     // scopes the device found different from the server's checksums
  kResponseHeader = 16,
  kVerdicts = 17,
  kPull = 18,
  kNotice = 19,     // a message for the user from the server (an app version near its cut-off)
  kEpoch = 20,      // the server's epoch: changes when the server is restored from a backup
  kScopeSums = 21,  // per audience read: its current row count and checksum (scope_digest.h)
};

struct PushEntry {
  uint64_t local_seq = 0;  // strictly increasing per device
  std::string changeset;   // a SQLite changeset (not a patchset)
  // The synced schema version it was captured under (protocol/schema_versions.h); 0 when the
  // request declared none (then the server tells it from the tables' column counts).
  uint16_t schema_version = 0;
};

// What a device found when it compared its copy of one scope with the server's checksum
// (docs/protocol.md, "Verified convergence"). The server only counts these (a metric and a
// log line): a device's word is never evidence about the server's data.
struct DriftReport {
  std::string audience;         // one the device reads
  uint32_t rows_differing = 0;  // rows missing, extra or changed on the device
  bool repaired = false;        // the repair converged (the checksums now agree)
};

struct SyncRequest {
  std::string device_id;       // 1..64 bytes, printable ASCII
  uint64_t cursor = 0;         // last change-log sequence the device has applied
  uint32_t max_pull_rows = 0;  // 0: server default
  std::string client;          // free text, e.g. "q11/0.1.0"
  std::vector<PushEntry> push;
  // The synced schema version of the device's tables: its pull is built in it. 0: not
  // declared (apps before the declaration), taken as version 2.
  uint16_t schema_version = 0;
  // The device is rebuilding its copy after the server's epoch changed (docs/backup.md):
  // the pull leaves out none of the device's own writes (no echo suppression), since the
  // device no longer holds them. Older servers ignore the section.
  bool full_pull = false;
  // The epoch of the server the device last synced with (empty: none yet). When the
  // server's is another, it applies nothing and answers only with its epoch: the device's
  // queued changes wait until it has rebuilt its copy (docs/backup.md).
  std::string known_epoch;
  // A scope repair: the pull carries only this audience (which must be one the account
  // reads), and with full_pull from cursor 0 every current row of it, for the device to
  // compare with its copy. Empty: the account's audiences, as usual.
  std::string scope_only;
  std::vector<DriftReport> drift;  // at most kMaxDriftReports
};

enum class Verdict : uint8_t {
  kApplied = 1,   // applied as sent
  kMerged = 2,    // applied, merged column by column with newer server values
  kParked = 3,    // a real conflict kept for an admin; server value stays meanwhile
  kRejected = 4,  // permanently refused (rule, bad data); message says why
  kRetry = 5,     // transient server-side failure: send it again later
};
const char* VerdictName(Verdict v);

struct EntryVerdict {
  uint64_t local_seq = 0;
  Verdict verdict = Verdict::kApplied;
  // Highest change-log sequence that the entry's effect was written at (0: no effect). The
  // device keeps replaying the entry locally until its cursor has passed this sequence.
  uint64_t server_seq = 0;
  std::string message;
};

struct SyncResponse {
  uint64_t cursor = 0;    // the cursor to send next time
  bool has_more = false;  // more pull pages wait: sync again at once
  int64_t server_time_ms = 0;
  uint32_t pull_rows = 0;  // rows carried in pull_changeset
  std::vector<EntryVerdict> verdicts;
  std::string pull_changeset;  // a SQLite changeset (may be empty)
  std::string notice;          // for the user, English then Vietnamese; empty: none
  // The server's epoch (docs/backup.md): 1..64 printable ASCII bytes, the same until the
  // server is restored from a backup. Empty: a server older than epochs.
  std::string epoch;
  // Per audience the pull read: its rows and checksum at the answer's cursor. Sent only
  // when the pull is complete (has_more false); empty from older servers.
  struct ScopeCheck {
    std::string audience;
    ScopeSum sum;
    friend bool operator==(const ScopeCheck&, const ScopeCheck&) = default;
  };
  std::vector<ScopeCheck> scope_sums;
};

// Hard caps applied while decoding, on top of the envelope's DecodeLimits.
inline constexpr size_t kMaxDeviceIdBytes = 64;
inline constexpr size_t kMaxPushEntries = 10000;
inline constexpr size_t kMaxMessageBytes = 4096;
inline constexpr size_t kMaxEpochBytes = 64;
inline constexpr size_t kMaxAudienceBytes = 128;
inline constexpr size_t kMaxDriftReports = 8;
inline constexpr size_t kMaxScopeSums = 8;

std::string EncodeSyncRequest(const SyncRequest& req, int zstd_level = 3);
Result<SyncRequest> DecodeSyncRequest(std::string_view bytes, const DecodeLimits& limits = {});
std::string EncodeSyncResponse(const SyncResponse& resp, int zstd_level = 3);
Result<SyncResponse> DecodeSyncResponse(std::string_view bytes, const DecodeLimits& limits = {});

}  // namespace q11::wire
