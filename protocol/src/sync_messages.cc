#include "protocol/sync_messages.h"

#include "coding.h"

namespace q11::wire {

using internal::ByteReader;
using internal::ByteWriter;

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kApplied:
      return "applied";
    case Verdict::kMerged:
      return "merged";
    case Verdict::kParked:
      return "parked";
    case Verdict::kRejected:
      return "rejected";
    case Verdict::kRetry:
      return "retry";
  }
  return "unknown";
}

namespace {

Result<Envelope> DecodeOfType(std::string_view bytes, MessageType want,
                              const DecodeLimits& limits) {
  Result<Envelope> env = DecodeEnvelope(bytes, limits);
  if (!env.ok()) return env;
  if (env->type != want)
    return InvalidArgument(want == MessageType::kSyncRequest ? "expected a sync request"
                                                             : "expected a sync response");
  return env;
}

bool PrintableAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

}  // namespace

std::string EncodeSyncRequest(const SyncRequest& req, int zstd_level) {
  Envelope env;
  env.type = MessageType::kSyncRequest;
  ByteWriter h;
  h.Bytes(req.device_id);
  h.U64(req.cursor);
  h.U32(req.max_pull_rows);
  h.Bytes(req.client);
  env.sections.push_back({kRequestHeader, std::move(h.str())});
  if (!req.push.empty()) {
    ByteWriter p;
    p.U32(static_cast<uint32_t>(req.push.size()));
    for (const PushEntry& e : req.push) {
      p.U64(e.local_seq);
      p.Bytes(e.changeset);
    }
    env.sections.push_back({kPush, std::move(p.str())});
  }
  if (req.schema_version != 0) {
    ByteWriter v;
    v.U16(req.schema_version);
    v.U32(static_cast<uint32_t>(req.push.size()));
    for (const PushEntry& e : req.push) v.U16(e.schema_version);
    env.sections.push_back({kSchemaVersions, std::move(v.str())});
  }
  if (req.full_pull) env.sections.push_back({kFullPull, std::string(1, '\1')});
  if (!req.known_epoch.empty()) env.sections.push_back({kKnownEpoch, req.known_epoch});
  if (!req.scope_only.empty()) env.sections.push_back({kScopeOnly, req.scope_only});
  if (!req.drift.empty()) {
    ByteWriter d;
    d.U32(static_cast<uint32_t>(req.drift.size()));
    for (const DriftReport& r : req.drift) {
      d.Bytes(r.audience);
      d.U32(r.rows_differing);
      d.U8(r.repaired ? 1 : 0);
    }
    env.sections.push_back({kDriftReport, std::move(d.str())});
  }
  return EncodeEnvelope(env, zstd_level);
}

Result<SyncRequest> DecodeSyncRequest(std::string_view bytes, const DecodeLimits& limits) {
  Result<Envelope> env = DecodeOfType(bytes, MessageType::kSyncRequest, limits);
  if (!env.ok()) return env.status();
  const Section* hs = env->Find(kRequestHeader);
  if (hs == nullptr) return InvalidArgument("sync request has no header section");
  SyncRequest req;
  ByteReader h(hs->bytes);
  req.device_id = std::string(h.Bytes(kMaxDeviceIdBytes));
  req.cursor = h.U64();
  req.max_pull_rows = h.U32();
  req.client = std::string(h.Bytes(kMaxMessageBytes));
  if (!h.ok()) return DataLoss("sync request header is truncated or has an oversized field");
  if (req.device_id.empty() || !PrintableAscii(req.device_id))
    return InvalidArgument("device id must be 1-64 printable ASCII characters");

  if (const Section* ps = env->Find(kPush)) {
    ByteReader p(ps->bytes);
    uint32_t n = p.U32();
    if (!p.ok()) return DataLoss("push section truncated");
    if (n > kMaxPushEntries)
      return ResourceExhausted("push has " + std::to_string(n) + " entries, limit " +
                               std::to_string(kMaxPushEntries));
    // Each entry needs at least 12 bytes: refuse a count the section cannot hold before
    // reserving anything for it.
    if (static_cast<size_t>(n) * 12 > p.remaining())
      return DataLoss("push entry count exceeds section size");
    req.push.reserve(n);
    uint64_t last_seq = 0;
    for (uint32_t i = 0; i < n; ++i) {
      PushEntry e;
      e.local_seq = p.U64();
      e.changeset = std::string(p.Bytes(ps->bytes.size()));
      if (!p.ok()) return DataLoss("push entry " + std::to_string(i) + " truncated");
      if (e.local_seq == 0 || e.local_seq <= last_seq)
        return InvalidArgument("push entry " + std::to_string(i) +
                               ": local sequences must be > 0 and increasing");
      last_seq = e.local_seq;
      req.push.push_back(std::move(e));
    }
    if (p.remaining() != 0) return DataLoss("trailing bytes in push section");
  }
  if (const Section* vs = env->Find(kSchemaVersions)) {
    ByteReader v(vs->bytes);
    req.schema_version = v.U16();
    uint32_t n = v.U32();
    if (!v.ok()) return DataLoss("schema version section truncated");
    if (req.schema_version == 0) return InvalidArgument("schema version 0 is not a version");
    if (n != req.push.size())
      return InvalidArgument("schema version section names " + std::to_string(n) +
                             " entries, the push has " + std::to_string(req.push.size()));
    for (PushEntry& e : req.push) {
      e.schema_version = v.U16();
      if (!v.ok()) return DataLoss("schema version section truncated");
      if (e.schema_version == 0) return InvalidArgument("entry schema version 0 is not a version");
    }
    if (v.remaining() != 0) return DataLoss("trailing bytes in schema version section");
  }
  if (const Section* fs = env->Find(kFullPull)) {
    if (fs->bytes != std::string_view("\1", 1)) return DataLoss("full pull section must be 0x01");
    req.full_pull = true;
  }
  if (const Section* es = env->Find(kKnownEpoch)) {
    if (es->bytes.empty() || es->bytes.size() > kMaxEpochBytes || !PrintableAscii(es->bytes))
      return InvalidArgument("known epoch must be 1-64 printable ASCII bytes");
    req.known_epoch = es->bytes;
  }
  if (const Section* ss = env->Find(kScopeOnly)) {
    if (ss->bytes.empty() || ss->bytes.size() > kMaxAudienceBytes || !PrintableAscii(ss->bytes))
      return InvalidArgument("scope must be 1-128 printable ASCII bytes");
    req.scope_only = ss->bytes;
  }
  if (const Section* ds = env->Find(kDriftReport)) {
    ByteReader d(ds->bytes);
    const uint32_t n = d.U32();
    if (!d.ok()) return DataLoss("drift report section truncated");
    if (n > kMaxDriftReports)
      return InvalidArgument("drift report names " + std::to_string(n) + " scopes, limit " +
                             std::to_string(kMaxDriftReports));
    for (uint32_t i = 0; i < n; ++i) {
      DriftReport r;
      r.audience = std::string(d.Bytes(kMaxAudienceBytes));
      r.rows_differing = d.U32();
      const uint8_t repaired = d.U8();
      if (!d.ok()) return DataLoss("drift report " + std::to_string(i) + " truncated");
      if (r.audience.empty() || !PrintableAscii(r.audience) || repaired > 1)
        return InvalidArgument("drift report " + std::to_string(i) + " is malformed");
      r.repaired = repaired == 1;
      req.drift.push_back(std::move(r));
    }
    if (d.remaining() != 0) return DataLoss("trailing bytes in drift report section");
  }
  return req;
}

std::string EncodeSyncResponse(const SyncResponse& resp, int zstd_level) {
  Envelope env;
  env.type = MessageType::kSyncResponse;
  ByteWriter h;
  h.U64(resp.cursor);
  h.U8(resp.has_more ? 1 : 0);
  h.U64(static_cast<uint64_t>(resp.server_time_ms));
  h.U32(resp.pull_rows);
  env.sections.push_back({kResponseHeader, std::move(h.str())});
  if (!resp.verdicts.empty()) {
    ByteWriter v;
    v.U32(static_cast<uint32_t>(resp.verdicts.size()));
    for (const EntryVerdict& e : resp.verdicts) {
      v.U64(e.local_seq);
      v.U8(static_cast<uint8_t>(e.verdict));
      v.U64(e.server_seq);
      v.Bytes(e.message.size() > kMaxMessageBytes ? e.message.substr(0, kMaxMessageBytes)
                                                  : e.message);
    }
    env.sections.push_back({kVerdicts, std::move(v.str())});
  }
  if (!resp.pull_changeset.empty()) env.sections.push_back({kPull, resp.pull_changeset});
  if (!resp.notice.empty())
    env.sections.push_back({kNotice, resp.notice.size() > kMaxMessageBytes
                                         ? resp.notice.substr(0, kMaxMessageBytes)
                                         : resp.notice});
  if (!resp.epoch.empty()) env.sections.push_back({kEpoch, resp.epoch});
  if (!resp.scope_sums.empty()) {
    ByteWriter c;
    c.U32(static_cast<uint32_t>(resp.scope_sums.size()));
    for (const SyncResponse::ScopeCheck& sc : resp.scope_sums) {
      c.Bytes(sc.audience);
      c.U64(sc.sum.rows);
      c.U64(sc.sum.sum.hi);
      c.U64(sc.sum.sum.lo);
    }
    env.sections.push_back({kScopeSums, std::move(c.str())});
  }
  return EncodeEnvelope(env, zstd_level);
}

Result<SyncResponse> DecodeSyncResponse(std::string_view bytes, const DecodeLimits& limits) {
  Result<Envelope> env = DecodeOfType(bytes, MessageType::kSyncResponse, limits);
  if (!env.ok()) return env.status();
  const Section* hs = env->Find(kResponseHeader);
  if (hs == nullptr) return InvalidArgument("sync response has no header section");
  SyncResponse resp;
  ByteReader h(hs->bytes);
  resp.cursor = h.U64();
  uint8_t more = h.U8();
  resp.server_time_ms = static_cast<int64_t>(h.U64());
  resp.pull_rows = h.U32();
  if (!h.ok()) return DataLoss("sync response header truncated");
  if (more > 1) return DataLoss("has_more must be 0 or 1");
  resp.has_more = more == 1;

  if (const Section* vs = env->Find(kVerdicts)) {
    ByteReader v(vs->bytes);
    uint32_t n = v.U32();
    if (!v.ok() || static_cast<size_t>(n) * 21 > v.remaining())
      return DataLoss("verdict count exceeds section size");
    resp.verdicts.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      EntryVerdict e;
      e.local_seq = v.U64();
      uint8_t code = v.U8();
      e.server_seq = v.U64();
      e.message = std::string(v.Bytes(kMaxMessageBytes));
      if (!v.ok()) return DataLoss("verdict " + std::to_string(i) + " truncated");
      if (code < 1 || code > 5)
        return DataLoss("verdict " + std::to_string(i) + ": unknown code " + std::to_string(code));
      e.verdict = static_cast<Verdict>(code);
      resp.verdicts.push_back(std::move(e));
    }
    if (v.remaining() != 0) return DataLoss("trailing bytes in verdict section");
  }
  if (const Section* ps = env->Find(kPull)) resp.pull_changeset = ps->bytes;
  if (const Section* ns = env->Find(kNotice)) {
    if (ns->bytes.size() > kMaxMessageBytes) return DataLoss("notice longer than 4096 bytes");
    resp.notice = ns->bytes;
  }
  if (const Section* es = env->Find(kEpoch)) {
    if (es->bytes.empty() || es->bytes.size() > kMaxEpochBytes || !PrintableAscii(es->bytes))
      return DataLoss("epoch must be 1-64 printable ASCII bytes");
    resp.epoch = es->bytes;
  }
  if (const Section* cs = env->Find(kScopeSums)) {
    ByteReader c(cs->bytes);
    const uint32_t n = c.U32();
    if (!c.ok()) return DataLoss("scope checksum section truncated");
    if (n > kMaxScopeSums) return DataLoss("too many scope checksums");
    for (uint32_t i = 0; i < n; ++i) {
      SyncResponse::ScopeCheck sc;
      sc.audience = std::string(c.Bytes(kMaxAudienceBytes));
      sc.sum.rows = c.U64();
      sc.sum.sum.hi = c.U64();
      sc.sum.sum.lo = c.U64();
      if (!c.ok() || sc.audience.empty())
        return DataLoss("scope checksum " + std::to_string(i) + " truncated");
      resp.scope_sums.push_back(std::move(sc));
    }
    if (c.remaining() != 0) return DataLoss("trailing bytes in scope checksum section");
  }
  return resp;
}

}  // namespace q11::wire
