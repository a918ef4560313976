// Sync(): round trips until the server has nothing more to send and the outbox has nothing
// unsent. Each round trip is: build the request, POST it with retries, decode, and apply
// the response in one transaction (pull_applier). Nothing local changes before a response
// has been received and decoded.
#include <algorithm>

#include "certificate_refusal.h"
#include "devicecore/sync.h"
#include "epoch_heal.h"
#include "local_writer.h"
#include "photo_folder.h"
#include "protocol/sync_messages.h"
#include "pull_applier.h"
#include "scope_repair.h"
#include "server_call.h"
#include "status_macros.h"
#include "sync_exchange.h"
#include "sync_request.h"
#include "token_refresh.h"

namespace q11::device {
namespace {

// "... (3 thay đổi đang chờ / 3 changes waiting)": the user's question when sync fails is
// "is my report safe?", so every failure says what is still queued.
Status WithWaiting(DatabaseImpl& db, const Status& s) {
  Result<int64_t> waiting = db.PendingCount();
  if (!waiting.ok()) return s;
  std::string n = std::to_string(*waiting);
  return Status(s.code(),
                s.message() + " (" + n + " thay đổi đang chờ / " + n + " changes waiting)");
}

// A failure of the phone's own database, with what still waits: a full or failing disk says
// that it is the phone's storage (not the server, not the network). The sync's local
// transaction rolled back, so what the device held before is intact.
Status LocalFailure(DatabaseImpl& db, const Status& s) {
  if (sql::IsStorageFull(s)) return WithWaiting(db, PhoneStorageFull());
  if (sql::IsStorageError(s))
    return WithWaiting(db, PhoneStorageFailed("chưa đồng bộ xong", "the sync did not finish"));
  return WithWaiting(db, s);
}

bool IsSyncContentType(const std::string& ct) {
  return ct.compare(0, sizeof(kSyncContentType) - 1, kSyncContentType) == 0;
}

}  // namespace

Result<SyncResult> Sync(Database& database, Transport& transport, const SyncOptions& options) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("Sync needs a Database made by Database::Open");
  Q11_ASSIGN_OR_RETURN(ExchangeOutcome outcome, Exchange(db, transport, options, ExchangeMode{}));
  return std::move(outcome.result);
}

Result<ExchangeOutcome> Exchange(DatabaseImpl* db, Transport& transport, const SyncOptions& options,
                                 const ExchangeMode& mode) {
  ExchangeOutcome outcome;
  SyncResult& result = outcome.result;
  Result<Account> account = db->GetAccount();
  if (!account.ok()) {
    if (account.status().code() == StatusCode::kNotFound)
      return WithWaiting(*db, Unauthenticated("not logged in: run q11 login"));
    return LocalFailure(*db, account.status());
  }
  const RetryPolicy retry{options.max_attempts, options.initial_backoff_ms};
  if (!mode.push) {
    // A pull only (Verify): a device rebuilding its copy after a restore must sync first.
    Q11_ASSIGN_OR_RETURN(bool healing, HealPending(*db));
    if (healing)
      return FailedPrecondition(
          "thiết bị đang tải lại dữ liệu sau khi máy chủ được khôi phục: hãy chạy q11 sync / "
          "this device is reloading after the server was restored: run q11 sync");
  }

  bool renewed = false;  // a 401 earns one token refresh per Sync, not a loop
  for (int page = 0; page < std::max(1, options.max_pages); ++page) {
    // Token refresh (token_refresh.h): renew an access token about to expire before sending.
    Result<Account> fresh = FreshAccount(*db, transport, *account, retry);
    if (!fresh.ok()) return WithWaiting(*db, fresh.status());
    *account = std::move(fresh).value();

    Result<BuiltRequest> request =
        BuildSyncRequest(*db, options.max_pull_rows, kMaxPushBytesPerRequest, mode.push);
    if (!request.ok()) return LocalFailure(*db, request.status());
    BuiltRequest built = std::move(request).value();
    std::string body = wire::EncodeSyncRequest(built.request);

    CallStats stats;
    Result<HttpReply> reply = PostWithRetry(transport, db->env(), "/v1/sync", kSyncContentType,
                                            body, account->token, retry, &stats);
    // Token refresh: a 401 (revoked, or the clocks disagree) gets one refresh and one resend
    // of the same request (idempotent by local_seq). Without a refresh token (an older login)
    // the 401 stands.
    if (!reply.ok() && reply.status().code() == StatusCode::kUnauthenticated && !renewed &&
        !account->refresh_token.empty()) {
      renewed = true;
      Result<Account> renewed_account = RefreshTokens(*db, transport, *account, retry);
      if (!renewed_account.ok()) return WithWaiting(*db, renewed_account.status());
      *account = std::move(renewed_account).value();
      reply = PostWithRetry(transport, db->env(), "/v1/sync", kSyncContentType, body,
                            account->token, retry, &stats);
    }
    result.bytes_up += stats.bytes_up;
    result.bytes_down += stats.bytes_down;
    if (!reply.ok()) {
      const Status& s = reply.status();
      if (s.code() == StatusCode::kUnavailable)
        return WithWaiting(*db, Unavailable("the server is unavailable: " + s.message()));
      // Refused by us, not the server: say so as it is, never retried (certificate_refusal.h).
      if (IsCertificateRefusal(s)) return WithWaiting(*db, s);
      if (s.code() == StatusCode::kUnauthenticated)
        return WithWaiting(*db, Unauthenticated("the server refused the login token (" +
                                                s.message() + "): run q11 login"));
      return WithWaiting(*db, Status(s.code(), "the server refused the sync: " + s.message()));
    }
    if (!IsSyncContentType(reply->content_type))
      return WithWaiting(*db, DataLoss("the server answered with " + reply->content_type +
                                       ", not a sync response"));
    Result<wire::SyncResponse> response = wire::DecodeSyncResponse(reply->body);
    if (!response.ok())
      return WithWaiting(*db, DataLoss("malformed sync response: " + response.status().message()));

    // Another epoch than the one the device last synced with: the server was restored
    // from a backup (epoch_heal.h). This answer belongs to the old history (its pull starts
    // at our old cursor): drop it, start over from zero, and exchange again at once. The
    // entries it pushed stay pending; the server's ledger repeats their verdicts.
    if (!response->epoch.empty()) {
      Result<std::optional<std::string>> stored = db->meta().Get(kServerEpochKey);
      if (!stored.ok()) return LocalFailure(*db, stored.status());
      const std::optional<std::string>& known = *stored;
      if (known && !known->empty() && *known != response->epoch) {
        if (!mode.push)
          return FailedPrecondition(
              "máy chủ đã được khôi phục từ bản sao lưu: hãy chạy q11 sync trước / the server "
              "was restored from a backup: run q11 sync first");
        Status restarted = RestartFromNewEpoch(*db, response->epoch);
        if (!restarted.ok()) return LocalFailure(*db, restarted);
        ++result.round_trips;
        result.new_epoch = true;
        result.has_more = true;
        continue;
      }
    }
    Result<ApplyOutcome> applied =
        ApplySyncResponse(*db, built.sent, *response, built.request.drift);
    if (!applied.ok()) return LocalFailure(*db, applied.status());

    ++result.round_trips;
    result.pushed += static_cast<int>(built.sent.size());
    result.applied += applied->applied;
    result.merged += applied->merged;
    result.parked += applied->parked;
    result.rejected += applied->rejected;
    result.retried += applied->retry;
    result.pulled_rows += response->pull_rows;
    result.pull_omitted += applied->pull_omitted;
    result.cursor = response->cursor;
    if (!response->notice.empty()) result.notice = response->notice;
    for (std::string& m : applied->messages) result.messages.push_back(std::move(m));
    for (SettledChange& s : applied->settled) result.settled.push_back(std::move(s));
    for (std::string& m : applied->retry_messages) result.retry_messages.push_back(std::move(m));
    result.has_more = response->has_more || built.more_unsent;
    if (!response->has_more) outcome.last_checks = applied->checks;
    // Verify (scope_repair.h): a scope whose rows did not add up is repaired now, and one
    // more round trip tells the server (and checks that the repair held).
    for (const ApplyOutcome::ScopeCheck& check : applied->checks) {
      if (check.equal() || !mode.repair) continue;
      bool reported = false;
      Result<ScopeDrift> drift =
          HandleScopeDrift(*db, transport, *account, check.audience, retry, options.max_pull_rows,
                           options.max_pages, &reported);
      if (!drift.ok()) {
        // The repair could not run (the network, say): the sync itself went through; the
        // next one finds the drift again.
        ScopeDrift failed;
        failed.audience = check.audience;
        failed.message = "chưa sửa được / could not repair: " + drift.status().message();
        result.drift.push_back(std::move(failed));
        continue;
      }
      if (reported) result.has_more = true;
      // One line per scope for the user: a later round's word replaces an earlier one,
      // except a plain "still backing off" after the attempt it follows.
      auto same = std::find_if(result.drift.begin(), result.drift.end(),
                               [&](const ScopeDrift& d) { return d.audience == check.audience; });
      if (same == result.drift.end())
        result.drift.push_back(std::move(*drift));
      else if (reported || !drift->backing_off)
        *same = std::move(*drift);
    }
    if (!response->has_more) {
      // The rebuild's pull reached the end: queue what the server lacks, and push it.
      Result<bool> healing = HealPending(*db);
      if (!healing.ok()) return LocalFailure(*db, healing.status());
      Result<bool> leftovers = *healing ? Result<bool>(false) : HealLeftovers(*db);
      if (!leftovers.ok()) return LocalFailure(*db, leftovers.status());
      if (*healing || *leftovers) {
        Result<int> queued = FinishHeal(*db);
        if (!queued.ok()) return LocalFailure(*db, queued.status());
        result.requeued += *queued;
        if (*queued > 0) result.has_more = true;
      }
    }
    if (!result.has_more) break;
  }
  Result<int64_t> pending = db->PendingCount();
  if (!pending.ok()) return LocalFailure(*db, pending.status());
  result.pending_after = *pending;
  if (!mode.photos) return outcome;
  // Photos never fail the sync: the report went out already.
  bool uploaded = false;
  if (options.upload_photos) {
    // After the push: the rows the photos belong to are on the server now, and a report is
    // never held back by its photos. A failure here only leaves photos waiting.
    PhotoTransferOptions photo_options;
    photo_options.max_attempts = options.max_attempts;
    photo_options.initial_backoff_ms = options.initial_backoff_ms;
    photo_options.progress = options.photo_progress;
    Result<PhotoUploadResult> photos = UploadPhotos(*db, transport, photo_options);
    uploaded = photos.ok();
    if (photos.ok())
      result.photos = std::move(*photos);
    else
      result.photos.messages.push_back(photos.status().message());
  }
  if (!uploaded) {
    // Not tried, or failed as a whole: every queued photo still waits, and the user is told.
    PhotoFolder folder(*db);
    Q11_ASSIGN_OR_RETURN(std::vector<PhotoFolder::Entry> unsent, folder.Unsent());
    result.photos.waiting = static_cast<int>(unsent.size());
    for (const PhotoFolder::Entry& e : unsent) result.photos.bytes_waiting += e.bytes;
  }
  if (options.fetch_thumbnails) {
    PhotoTransferOptions thumb_options;
    thumb_options.max_attempts = options.max_attempts;
    thumb_options.initial_backoff_ms = options.initial_backoff_ms;
    Result<int> thumbs = FetchMissingThumbnails(*db, transport, thumb_options);
    if (thumbs.ok())
      result.photos.thumbnails_fetched = *thumbs;
    else
      result.photos.messages.push_back("thumbnails / ảnh thu nhỏ: " + thumbs.status().message());
  }
  return outcome;
}

}  // namespace q11::device
