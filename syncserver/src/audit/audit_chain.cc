#include "audit/audit_chain.h"

#include <array>

#include "protocol/sha256.h"

namespace q11::server::audit_chain {
namespace {

constexpr std::array<std::string_view, 5> kPrunable = {
    "http.refused", "login.failed", "login.succeeded", "refresh.refused", "push.rejected"};

void Field(Sha256& h, std::string_view f) {
  std::string len = std::to_string(f.size()) + ":";
  h.Update(len);
  h.Update(f);
}

}  // namespace

std::string ContentHash(std::string_view actor, std::string_view subject,
                        std::string_view details) {
  Sha256 h;
  Field(h, actor);
  Field(h, subject);
  Field(h, details);
  return Sha256::Hex(h.Finish());
}

std::string ChainHash(std::string_view previous, int64_t id, std::string_view at,
                      std::string_view action, std::string_view content_hash) {
  Sha256 h;
  Field(h, previous);
  Field(h, std::to_string(id));
  Field(h, at);
  Field(h, action);
  Field(h, content_hash);
  return Sha256::Hex(h.Finish());
}

bool IsPrunable(std::string_view action) {
  for (std::string_view a : kPrunable)
    if (a == action) return true;
  return false;
}

std::string PrunableActionsSql() {
  std::string out;
  for (std::string_view a : kPrunable) {
    if (!out.empty()) out += ", ";
    out += "'";
    out += a;
    out += "'";
  }
  return out;
}

std::optional<std::string> Checker::Next(const Record& r) {
  const std::string name = "record " + std::to_string(r.id) + " (" + r.at + ", " + r.action + ")";
  if (r.id <= head_id_) return name + ": out of order after record " + std::to_string(head_id_);
  if (r.chain_hash.empty()) {
    // Records of a version without the chain may only come before the chain's first.
    if (chained_) return name + ": has no hash, inside the chain (inserted or altered)";
    ++before_chain_;
    head_id_ = r.id;
    return std::nullopt;
  }
  if (r.pruned) {
    if (!IsPrunable(r.action))
      return name + ": its content was erased, and this kind of record is never pruned";
    ++pruned_;
  } else if (ContentHash(r.actor, r.subject, r.details) != r.content_hash) {
    return name + ": its content was changed (who, subject or details)";
  }
  if (ChainHash(head_, r.id, r.at, r.action, r.content_hash) != r.chain_hash) {
    return name +
           ": its hash does not follow from the record before (a record was removed, "
           "inserted or changed)";
  }
  chained_ = true;
  head_ = r.chain_hash;
  head_id_ = r.id;
  ++checked_;
  return std::nullopt;
}

}  // namespace q11::server::audit_chain
