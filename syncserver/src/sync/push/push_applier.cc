#include "sync/push/push_applier.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "auth/secure_random.h"
#include "protocol/ids.h"
#include "protocol/receipt_code.h"
#include "protocol/sha256.h"
#include "sync/push/change_validator.h"
#include "sync/push/changeset_reader.h"
#include "sync/push/schema_upgrade.h"
#include "sync/push/server_stamps.h"

namespace q11::server {
namespace {

// Verdict messages are at most this long on the wire (docs/protocol.md).
std::string Clip(std::string m) {
  if (m.size() <= wire::kMaxMessageBytes) return m;
  size_t cut = wire::kMaxMessageBytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(m[cut]) & 0xC0) == 0x80) --cut;
  m.resize(cut);
  return m + "...";
}

std::string ParkedMessage(const std::vector<std::string>& parked) {
  std::string en = "conflict parked for an admin; the server keeps its value for ";
  for (size_t i = 0; i < parked.size(); ++i) {
    if (i > 0) en += ", ";
    en += parked[i];
  }
  return en + " / xung đột đang chờ quản trị viên xử lý; máy chủ giữ giá trị hiện tại";
}

// "<en>; <en> / <vi>; <vi>": what declared rules kept of the server's over the device's.
std::string OverruledMessage(const EntryOutcome& o) {
  std::string en, vi;
  for (size_t i = 0; i < o.overruled_en.size(); ++i) {
    if (i > 0) {
      en += "; ";
      vi += "; ";
    }
    en += o.overruled_en[i];
    vi += o.overruled_vi[i];
  }
  return en + " / " + vi;
}

// The audit record of one push (audit_log.h, action sync.push): each entry judged now, with
// the hash of the changeset it carried, so the trail shows what was sent, not only what
// was decided.
std::string PushAuditDetails(std::string_view device_id,
                             const std::vector<const wire::PushEntry*>& judged,
                             const std::vector<const wire::EntryVerdict*>& verdicts) {
  Poco::JSON::Object o;
  o.set("device", std::string(device_id));
  Poco::JSON::Array entries;
  for (size_t i = 0; i < judged.size(); ++i) {
    Poco::JSON::Object e;
    e.set("seq", judged[i]->local_seq);
    e.set("verdict", VerdictName(verdicts[i]->verdict));
    e.set("changeset_sha256", Sha256::HexOf(judged[i]->changeset));
    if (verdicts[i]->server_seq > 0) e.set("server_seq", verdicts[i]->server_seq);
    if (!verdicts[i]->message.empty()) e.set("message", verdicts[i]->message);
    entries.add(e);
  }
  o.set("entries", entries);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace

Result<std::unique_ptr<PushApplier>> PushApplier::Create(SqlConn& db, const TableShapes& shapes,
                                                         const ReferenceData& refs) {
  std::unique_ptr<PushApplier> p(new PushApplier(db, shapes, refs));
  Result<std::unique_ptr<ChangeLog>> log = ChangeLog::Create(db, shapes);
  if (!log.ok()) return log.status();
  p->log_ = std::move(*log);
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();
  p->audit_ = std::move(*audit);
  Result<std::unique_ptr<ConflictLog>> conflicts = ConflictLog::Create(db, *p->audit_);
  if (!conflicts.ok()) return conflicts.status();
  p->conflicts_ = std::move(*conflicts);
  Result<std::unique_ptr<RowArchive>> archive = RowArchive::Create(db, shapes);
  if (!archive.ok()) return archive.status();
  p->archive_ = std::move(*archive);
  Result<std::unique_ptr<VerdictLedger>> ledger = VerdictLedger::Create(db);
  if (!ledger.ok()) return ledger.status();
  p->ledger_ = std::move(*ledger);
  Result<std::unique_ptr<EntryRetries>> retries = EntryRetries::Create(db);
  if (!retries.ok()) return retries.status();
  p->retries_ = std::move(*retries);
  Result<std::unique_ptr<RowMerger>> merger =
      RowMerger::Create(db, shapes, *p->log_, *p->conflicts_, *p->archive_);
  if (!merger.ok()) return merger.status();
  p->merger_ = std::move(*merger);
  Result<SqlStmt> touch = db.Prepare("UPDATE devices SET last_seen = ?2 WHERE device_id = ?1");
  if (!touch.ok()) return touch.status();
  p->touch_device_ = std::move(*touch);
  Result<SqlStmt> receipt =
      db.Prepare("SELECT 1 FROM reports WHERE receipt_code = ?1 AND id <> ?2");
  if (!receipt.ok()) return receipt.status();
  p->receipt_taken_ = std::move(*receipt);
  return p;
}

Result<std::vector<wire::EntryVerdict>> PushApplier::Apply(
    const Account& account, std::string_view device_id, const std::vector<wire::PushEntry>& entries,
    int64_t now_ms, LateRefusals& late, std::optional<uint64_t> device_cursor) {
  device_cursor_ = device_cursor;
  std::vector<wire::EntryVerdict> verdicts;
  verdicts.reserve(entries.size());
  Q11_RETURN_IF_ERROR(log_->Begin());
  const std::string now_text = FormatUtc(now_ms);
  std::vector<size_t> judged;  // entries judged now (not answered from the ledger)
  for (const wire::PushEntry& entry : entries) {
    Result<std::optional<wire::EntryVerdict>> seen = ledger_->Find(device_id, entry.local_seq);
    if (!seen.ok()) return seen.status();
    if (seen->has_value()) {
      verdicts.push_back(std::move(**seen));
      continue;
    }
    Result<wire::EntryVerdict> v = ApplyEntry(account, device_id, entry, now_ms, late);
    if (!v.ok()) return v.status();
    // A retry is not final: the entry comes again and is then judged anew.
    if (v->verdict != wire::Verdict::kRetry) {
      Q11_RETURN_IF_ERROR(ledger_->Record(device_id, *v, account.id, now_text));
      judged.push_back(verdicts.size());
    }
    verdicts.push_back(std::move(*v));
  }
  Q11_RETURN_IF_ERROR(log_->Finish());
  if (!judged.empty()) {
    std::vector<const wire::PushEntry*> sent;
    std::vector<const wire::EntryVerdict*> decided;
    for (size_t i : judged) {
      sent.push_back(&entries[i]);
      decided.push_back(&verdicts[i]);
    }
    Q11_RETURN_IF_ERROR(audit_->Record(now_text, account.name, "sync.push",
                                       "device/" + std::string(device_id),
                                       PushAuditDetails(device_id, sent, decided)));
  }
  touch_device_.Bind(1, device_id).Bind(2, now_text);
  Q11_RETURN_IF_ERROR(touch_device_.Run());
  return verdicts;
}

Result<int64_t> PushApplier::CompactLog(int64_t limit) {
  Q11_RETURN_IF_ERROR(db_.BeginWrite());
  Result<int64_t> dropped = log_->Compact(limit);
  if (!dropped.ok()) {
    db_.Rollback();
    return dropped.status();
  }
  Q11_RETURN_IF_ERROR(db_.Commit());
  return dropped;
}

Result<wire::EntryVerdict> PushApplier::ApplyEntry(const Account& account,
                                                   std::string_view device_id,
                                                   const wire::PushEntry& entry, int64_t now_ms,
                                                   LateRefusals& late) {
  wire::EntryVerdict v;
  v.local_seq = entry.local_seq;
  v.verdict = wire::Verdict::kRejected;
  if (auto set_aside = late.find(entry.local_seq); set_aside != late.end()) {
    Q11_RETURN_IF_ERROR(Settle(device_id, set_aside->second, now_ms, &v));
    return v;
  }
  log_->BeginEntry();
  const int64_t writes_before = db_.TotalChanges();

  Status s;
  EntryOutcome outcome;
  Result<DecodedChangeset> cs = ReadChangeset(entry.changeset);
  if (!cs.ok()) {
    s = Refusal(cs.status().code(), cs.status().message(), "dữ liệu thay đổi bị hỏng");
  } else if (s = UpgradeToLiveShapes(&*cs, shapes_, entry.schema_version); !s.ok()) {
    // captured under a version this server no longer (or not yet) takes: refused, says why
  } else {
    ValidationContext ctx;
    ctx.account = &account;
    ctx.shapes = &shapes_;
    ctx.refs = &refs_;
    ctx.find_report = [this](std::string_view id) {
      return merger_->FindReport(id, /*include_deleted=*/true);
    };
    ctx.now_ms = now_ms;
    ctx.count_photos = [this](std::string_view report_id, std::string_view role) {
      return merger_->CountPhotos(report_id, role);
    };
    s = ValidateChangeset(*cs, ctx);
    if (s.ok()) {
      StampContext stamp;
      stamp.account = &account;
      stamp.shapes = &shapes_;
      stamp.refs = &refs_;
      stamp.now_ms = now_ms;
      stamp.find_report = [this](std::string_view id) { return merger_->FindReport(id); };
      stamp.receipt_taken = [this](std::string_view code,
                                   std::string_view report_id) -> Result<bool> {
        receipt_taken_.Bind(1, code).Bind(2, report_id);
        Result<bool> row = receipt_taken_.Step();
        receipt_taken_.Reset();
        return row;
      };
      stamp.new_receipt = [] {
        for (;;) {
          std::string bytes = RandomBytes(receipt::kRandomBytes);
          std::array<uint8_t, receipt::kRandomBytes> random{};
          std::copy(bytes.begin(), bytes.end(), random.begin());
          if (std::optional<std::string> code = receipt::MakeCode(random)) return *code;
        }
      };
      s = StampServerColumns(&*cs, stamp);
      if (!s.ok() && !IsRefusal(s.code())) return s;
      if (s.ok()) {
        MergeScope scope{&account, device_id, now_ms, entry.local_seq, device_cursor_};
        s = ApplyChanges(*cs, scope, &outcome);
      }
    }
  }
  if (!s.ok()) {
    LateVerdict set_aside;
    if (IsRefusal(s.code())) {
      set_aside.message = Clip(s.message());
    } else if (s.code() == StatusCode::kInternal || s.code() == StatusCode::kResourceExhausted) {
      Result<LateVerdict> failed = Failed(device_id, entry.local_seq, s);
      if (!failed.ok()) return failed.status();
      set_aside = std::move(*failed);
    } else {
      return s;  // the store failed: the caller rolls everything back
    }
    if (db_.TotalChanges() == writes_before) {
      Q11_RETURN_IF_ERROR(Settle(device_id, set_aside, now_ms, &v));
      return v;
    }
    late[entry.local_seq] = std::move(set_aside);
    return Aborted("entry " + std::to_string(entry.local_seq) +
                   " was set aside after it had written: apply the push again without it");
  }
  if (!outcome.parked.empty()) Q11_RETURN_IF_ERROR(log_->ForgetEchoes());
  v.server_seq = outcome.server_seq;
  if (!outcome.parked.empty()) {
    v.verdict = wire::Verdict::kParked;
    v.message = Clip(ParkedMessage(outcome.parked));
  } else {
    v.verdict = outcome.merged ? wire::Verdict::kMerged : wire::Verdict::kApplied;
    if (!outcome.overruled_en.empty()) v.message = Clip(OverruledMessage(outcome));
  }
  return v;
}

Result<PushApplier::LateVerdict> PushApplier::Failed(std::string_view device_id, uint64_t local_seq,
                                                     const Status& failure) {
  Result<int> before = retries_->Attempts(device_id, local_seq);
  if (!before.ok()) return before.status();
  LateVerdict out;
  out.attempts = *before + 1;
  out.error = failure.message();
  const std::string n = std::to_string(out.attempts), max = std::to_string(kMaxEntryAttempts);
  if (out.attempts >= kMaxEntryAttempts) {
    out.verdict = wire::Verdict::kRejected;
    out.message = Clip("the server failed to apply this change " + max +
                       " times; it is set aside so that the changes after it can go on (" +
                       out.error + ") / máy chủ không áp dụng được thay đổi này sau " + max +
                       " lần; thay đổi bị gác lại để các thay đổi sau vẫn được gửi");
  } else {
    out.verdict = wire::Verdict::kRetry;
    out.message = Clip("the server could not apply this change (attempt " + n + " of " + max +
                       "); it will be sent again at the next sync (" + out.error +
                       ") / máy chủ chưa áp dụng được thay đổi này (lần " + n + "/" + max +
                       "), sẽ gửi lại ở lần đồng bộ sau");
  }
  return out;
}

Status PushApplier::Settle(std::string_view device_id, const LateVerdict& late, int64_t now_ms,
                           wire::EntryVerdict* v) {
  v->verdict = late.verdict;
  v->message = late.message;
  v->server_seq = 0;
  if (late.attempts == 0) return Status::Ok();  // a refusal
  return retries_->Record(device_id, v->local_seq, late.attempts, late.error, FormatUtc(now_ms));
}

Status PushApplier::ApplyChanges(const DecodedChangeset& cs, const MergeScope& scope,
                                 EntryOutcome* outcome) {
  // Table by table in schema order, so a report lands before the case events about it
  // whatever order the device's session wrote them in.
  for (const TableShape& shape : shapes_.all()) {
    for (const TableChanges& t : cs.tables) {
      if (t.table != shape.name) continue;
      for (const RowChange& change : t.rows)
        Q11_RETURN_IF_ERROR(merger_->Apply(t, change, scope, outcome));
    }
  }
  return Status::Ok();
}

}  // namespace q11::server
