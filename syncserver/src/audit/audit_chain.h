// The audit trail as a hash chain: each record carries the hash of the one before, so an
// edit, an insertion or a deletion anywhere in the trail breaks every hash after it and
// `syncserver audit verify` names the first broken record (docs/security.md, "Audit chain").
//
// A record's hash covers its number, time and action and a hash of its content (who, on
// what, the details). Retention may prune old security records (logins, refusals): their
// content is erased but both hashes stay, so the chain still holds and only an action of
// the prunable kinds can be erased. The newest records can still be cut off the end
// unnoticed; the head (number and hash) that verify prints, kept elsewhere, catches that.
//
// Pure functions and a checker on values; audit_log.cc writes, audit_verifier.cc reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace q11::server::audit_chain {

// The hash before the first record.
inline constexpr std::string_view kGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

// SHA-256 hex of the record's content, each field length-prefixed (no two contents share
// an encoding).
std::string ContentHash(std::string_view actor, std::string_view subject, std::string_view details);
// SHA-256 hex of the previous record's hash, this one's number, time, action and content
// hash.
std::string ChainHash(std::string_view previous, int64_t id, std::string_view at,
                      std::string_view action, std::string_view content_hash);

// Security records that retention may prune (--audit-retention-days): frequent and of no
// use once old. Everything else (conflicts, pushes, accounts, contact reads, admin
// actions) is kept for good.
bool IsPrunable(std::string_view action);
// The same list as SQL: "'a', 'b', ...".
std::string PrunableActionsSql();

struct Record {
  int64_t id = 0;
  std::string at, actor, action, subject, details;
  std::string content_hash, chain_hash;  // empty: written before the chain existed
  bool pruned = false;
};

// Checks records given in increasing id order; stops at the first break.
class Checker {
 public:
  // Empty when `r` holds; else why it is broken, naming the record.
  std::optional<std::string> Next(const Record& r);

  int64_t checked() const { return checked_; }
  int64_t before_chain() const { return before_chain_; }  // older, unhashed records
  int64_t pruned() const { return pruned_; }
  int64_t head_id() const { return head_id_; }
  const std::string& head_hash() const { return head_; }

 private:
  std::string head_ = std::string(kGenesis);
  int64_t head_id_ = 0;
  bool chained_ = false;
  int64_t checked_ = 0, before_chain_ = 0, pruned_ = 0;
};

}  // namespace q11::server::audit_chain
