#include "open311/open311_filer.h"

#include "auth/accounts.h"
#include "auth/password_hash.h"
#include "auth/secure_random.h"
#include "privacy/contact_vault.h"
#include "protocol/ids.h"
#include "protocol/schema.h"
#include "q11sqlite/sqlite.h"
#include "syncserver/store.h"

namespace q11::server {
namespace {

// The report INSERT as a phone's session records it: a changeset of one row in a scratch
// in-memory database with the synced tables. The server stamps what it owns.
Result<std::string> CaptureInsert(const Open311Submission& s, const std::string& id,
                                  const std::string& now) {
  Result<sql::Db> db = sql::Db::Open(":memory:");
  if (!db.ok()) return db.status();
  Q11_RETURN_IF_ERROR(db->Exec(schema::SyncedTablesSql()));
  Result<sql::Session> session = sql::Session::Create(*db, {"reports"});
  if (!session.ok()) return session.status();
  Result<sql::Statement> st = db->Prepare(
      "INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, "
      "address, status, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'new', ?10, ?10)");
  if (!st.ok()) return st.status();
  st->Bind(1, id).Bind(2, s.kind).Bind(3, s.service_code).Bind(4, s.ward_id);
  st->Bind(5, s.title).Bind(6, s.description).Bind(7, s.lat).Bind(8, s.lon);
  if (s.address.empty())
    st->BindNull(9);
  else
    st->Bind(9, s.address);
  st->Bind(10, now);
  Q11_RETURN_IF_ERROR(st->Run());
  return session->Changeset();
}

}  // namespace

Result<FiledRequest> FileOpen311Request(Store& store, ContactVault& contacts,
                                        const Open311Submission& s, int64_t now_ms) {
  const std::string now = FormatUtc(now_ms);
  StoredAccount reporter;
  reporter.account.id = NewUuid7(now_ms);
  reporter.account.name = "o311-" + RandomBase32(12);
  reporter.account.role = Role::kCitizen;
  reporter.account.reporter_ref = NewReporterRef();
  reporter.account.created_at = now;
  // Nobody logs in as it: disabled, and its verifier is random bytes no password hashes to.
  reporter.account.disabled = true;
  reporter.pw_hash = RandomBytes(32);
  reporter.salt = RandomBytes(16);
  reporter.iterations = kPasswordIterations;
  Q11_RETURN_IF_ERROR(store.AddAccount(reporter));
  const Account& account = reporter.account;
  const std::string device = "open311:" + account.id;
  Q11_RETURN_IF_ERROR(store.BindDevice(device, account));

  const std::string report_id = NewUuid7(now_ms);
  Result<std::string> changeset = CaptureInsert(s, report_id, now);
  if (!changeset.ok()) return changeset.status();
  Result<std::vector<wire::EntryVerdict>> verdicts =
      store.Push(account, device, {wire::PushEntry{1, std::move(*changeset)}});
  if (!verdicts.ok()) return verdicts.status();
  if (verdicts->size() != 1) return Internal("the push gave no verdict");
  const wire::EntryVerdict& v = verdicts->front();
  if (v.verdict == wire::Verdict::kRetry) return Unavailable(v.message);
  if (v.verdict != wire::Verdict::kApplied && v.verdict != wire::Verdict::kMerged)
    return InvalidArgument(v.message);

  // After the report: a contact without a report would be a dangling secret.
  if (!s.first_name.empty() || !s.last_name.empty() || !s.email.empty() || !s.phone.empty()) {
    std::string name = s.first_name;
    if (!s.last_name.empty()) name += (name.empty() ? "" : " ") + s.last_name;
    Q11_RETURN_IF_ERROR(contacts.Put(account.id, Contact{name, s.phone, s.email}, now));
  }
  return FiledRequest{report_id, account.name};
}

}  // namespace q11::server
