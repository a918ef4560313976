// The C API: a thin shell over the C++ API. Every entry point catches everything, so no
// C++ exception (std::bad_alloc, a Poco error) ever crosses into C.
#include "devicecore/devicecore.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "c_api_shell.h"
#include "devicecore/database.h"
#include "devicecore/json.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "devicecore/verify.h"

namespace {

using namespace q11::capi;

// The C constants are the enum's numbers; a change to either must show here.
static_assert(static_cast<int>(q11::device::SyncState::kSynced) == Q11_SYNC_STATE_SYNCED);
static_assert(static_cast<int>(q11::device::SyncState::kPending) == Q11_SYNC_STATE_PENDING);
static_assert(static_cast<int>(q11::device::SyncState::kParked) == Q11_SYNC_STATE_PARKED);
static_assert(static_cast<int>(q11::device::SyncState::kRejected) == Q11_SYNC_STATE_REJECTED);

}  // namespace

extern "C" {

int q11_open(const char* zPath, q11_db** ppDb) {
  if (ppDb == nullptr) return Q11_MISUSE;
  *ppDb = nullptr;
  q11_db* h = new (std::nothrow) q11_db;
  if (h == nullptr) return Q11_RESOURCE_EXHAUSTED;
  *ppDb = h;
  if (zPath == nullptr) return Misuse(h, "q11_open: path is NULL");
  return Guard(h, [&] {
    auto db = q11::device::Database::Open(zPath);
    if (!db.ok()) return Fail(h, db.status());
    h->db = std::move(db).value();
    return Ok(h);
  });
}

int q11_close(q11_db* db) {
  delete db;
  return Q11_OK;
}

const char* q11_errmsg(q11_db* db) {
  if (db == nullptr) return "out of memory or NULL handle";
  return db->errmsg.c_str();
}

void q11_free(char* p) { std::free(p); }

int q11_report_new(q11_db* db, const char* zKind, const char* zCategory, const char* zWard,
                   const char* zTitle, const char* zDescription, double lat, double lon,
                   int hasLocation, char** pzId) {
  if (!Usable(db)) return Misuse(db, "q11_report_new: database not open");
  if (pzId == nullptr) return Misuse(db, "q11_report_new: pzId is NULL");
  *pzId = nullptr;
  return Guard(db, [&] {
    q11::device::NewReport r;
    if (zKind != nullptr) r.kind = zKind;
    r.category_id = Str(zCategory);
    r.ward_id = Str(zWard);
    r.title = Str(zTitle);
    r.description = Str(zDescription);
    if (hasLocation) {
      r.lat = lat;
      r.lon = lon;
    }
    auto id = db->db->FileReport(r);
    if (!id.ok()) return Fail(db, id.status());
    *pzId = Dup(*id);
    return Ok(db);
  });
}

int q11_report_list_json(q11_db* db, char** pzJson) {
  if (!Usable(db)) return Misuse(db, "q11_report_list_json: database not open");
  if (pzJson == nullptr) return Misuse(db, "q11_report_list_json: pzJson is NULL");
  *pzJson = nullptr;
  return Guard(db, [&] {
    auto reports = db->db->ListReports();
    if (!reports.ok()) return Fail(db, reports.status());
    *pzJson = Dup(q11::device::ReportsToJson(*reports));
    return Ok(db);
  });
}

int q11_report_show_json(q11_db* db, const char* zId, char** pzJson) {
  if (!Usable(db)) return Misuse(db, "q11_report_show_json: database not open");
  if (pzJson == nullptr || zId == nullptr) return Misuse(db, "q11_report_show_json: NULL argument");
  *pzJson = nullptr;
  return Guard(db, [&] {
    auto report = db->db->GetReport(zId);
    if (!report.ok()) return Fail(db, report.status());
    *pzJson = Dup(q11::device::ReportToJson(*report));
    return Ok(db);
  });
}

int q11_case_status(q11_db* db, const char* zId, const char* zStatus, const char* zNote) {
  if (!Usable(db)) return Misuse(db, "q11_case_status: database not open");
  if (zId == nullptr || zStatus == nullptr) return Misuse(db, "q11_case_status: NULL argument");
  return Guard(db, [&] {
    Status s = db->db->SetStatus(zId, zStatus, Str(zNote));
    return s.ok() ? Ok(db) : Fail(db, s);
  });
}

int q11_case_assign(q11_db* db, const char* zId, const char* zUnit, const char* zNote) {
  if (!Usable(db)) return Misuse(db, "q11_case_assign: database not open");
  if (zId == nullptr || zUnit == nullptr) return Misuse(db, "q11_case_assign: NULL argument");
  return Guard(db, [&] {
    Status s = db->db->AssignUnit(zId, zUnit, Str(zNote));
    return s.ok() ? Ok(db) : Fail(db, s);
  });
}

int q11_case_deadline(q11_db* db, const char* zId, const char* zDueIso, const char* zNote) {
  if (!Usable(db)) return Misuse(db, "q11_case_deadline: database not open");
  if (zId == nullptr || zDueIso == nullptr) return Misuse(db, "q11_case_deadline: NULL argument");
  return Guard(db, [&] {
    Status s = db->db->SetDeadline(zId, zDueIso, Str(zNote));
    return s.ok() ? Ok(db) : Fail(db, s);
  });
}

int q11_report_rate(q11_db* db, const char* zId, int nStars, const char* zComment) {
  if (!Usable(db)) return Misuse(db, "q11_report_rate: database not open");
  if (zId == nullptr) return Misuse(db, "q11_report_rate: NULL argument");
  return Guard(db, [&] {
    Status s = db->db->RateResult(zId, nStars, Str(zComment));
    return s.ok() ? Ok(db) : Fail(db, s);
  });
}

int q11_report_reopen(q11_db* db, const char* zId, const char* zReason) {
  if (!Usable(db)) return Misuse(db, "q11_report_reopen: database not open");
  if (zId == nullptr || zReason == nullptr) return Misuse(db, "q11_report_reopen: NULL argument");
  return Guard(db, [&] {
    Status s = db->db->ReopenReport(zId, zReason);
    return s.ok() ? Ok(db) : Fail(db, s);
  });
}

int q11_case_progress(q11_db* db, const char* zId, const char* zNote, const char* zExpectedIso) {
  if (!Usable(db)) return Misuse(db, "q11_case_progress: database not open");
  if (zId == nullptr || zNote == nullptr || zExpectedIso == nullptr)
    return Misuse(db, "q11_case_progress: NULL argument");
  return Guard(db, [&] {
    Status s = db->db->PostProgress(zId, zNote, zExpectedIso);
    return s.ok() ? Ok(db) : Fail(db, s);
  });
}

int q11_report_withdraw(q11_db* db, const char* zId) {
  if (!Usable(db)) return Misuse(db, "q11_report_withdraw: database not open");
  if (zId == nullptr) return Misuse(db, "q11_report_withdraw: NULL argument");
  return Guard(db, [&] {
    Status s = db->db->WithdrawReport(zId);
    return s.ok() ? Ok(db) : Fail(db, s);
  });
}

int q11_report_edit(q11_db* db, const char* zId, const char* zTitle, const char* zDescription) {
  if (!Usable(db)) return Misuse(db, "q11_report_edit: database not open");
  if (zId == nullptr) return Misuse(db, "q11_report_edit: NULL argument");
  return Guard(db, [&] {
    auto opt = [](const char* z) {
      return z != nullptr ? std::optional<std::string>(z) : std::nullopt;
    };
    Status s = db->db->EditReport(zId, opt(zTitle), opt(zDescription));
    return s.ok() ? Ok(db) : Fail(db, s);
  });
}

int q11_report_sync_state(q11_db* db, const char* zId, int* pState) {
  if (!Usable(db)) return Misuse(db, "q11_report_sync_state: database not open");
  if (zId == nullptr || pState == nullptr)
    return Misuse(db, "q11_report_sync_state: NULL argument");
  return Guard(db, [&] {
    auto sync = db->db->GetReportSync(zId);
    if (!sync.ok()) return Fail(db, sync.status());
    *pState = static_cast<int>(sync->state);
    return Ok(db);
  });
}

int q11_login(q11_db* db, const char* zServerUrl, const char* zName, const char* zPassword) {
  return q11_login_v2(db, zServerUrl, nullptr, zName, zPassword);
}

int q11_login_v2(q11_db* db, const char* zServerUrl, const char* zCaPem, const char* zName,
                 const char* zPassword) {
  if (!Usable(db)) return Misuse(db, "q11_login: database not open");
  if (zServerUrl == nullptr || zName == nullptr || zPassword == nullptr)
    return Misuse(db, "q11_login: NULL argument");
  return Guard(db, [&] {
    const std::string ca = zCaPem != nullptr ? zCaPem : "";
    auto transport = Connect(zServerUrl, ca);
    if (!transport.ok()) return Fail(db, transport.status());
    auto account = q11::device::Login(*db->db, **transport, zServerUrl, zName, zPassword, ca);
    return account.ok() ? Ok(db) : Fail(db, account.status());
  });
}

int q11_register(q11_db* db, const char* zServerUrl, const char* zName, const char* zPassword,
                 const char* zPhone, const char* zEmail) {
  return q11_register_v2(db, zServerUrl, nullptr, zName, zPassword, zPhone, zEmail);
}

int q11_register_v2(q11_db* db, const char* zServerUrl, const char* zCaPem, const char* zName,
                    const char* zPassword, const char* zPhone, const char* zEmail) {
  if (!Usable(db)) return Misuse(db, "q11_register: database not open");
  if (zServerUrl == nullptr || zName == nullptr || zPassword == nullptr)
    return Misuse(db, "q11_register: NULL argument");
  return Guard(db, [&] {
    q11::device::Registration r{zName, zPassword, zPhone != nullptr ? zPhone : "",
                                zEmail != nullptr ? zEmail : ""};
    // Checked before the transport is made: a typo is answered offline, with no URL needed.
    if (Status s = q11::device::ValidateRegistration(r); !s.ok()) return Fail(db, s);
    const std::string ca = zCaPem != nullptr ? zCaPem : "";
    auto transport = Connect(zServerUrl, ca);
    if (!transport.ok()) return Fail(db, transport.status());
    auto account = q11::device::Register(*db->db, **transport, zServerUrl, r, ca);
    return account.ok() ? Ok(db) : Fail(db, account.status());
  });
}

int q11_logout(q11_db* db) {
  if (!Usable(db)) return Misuse(db, "q11_logout: database not open");
  return Guard(db, [&] {
    auto account = db->db->GetAccount();
    if (!account.ok()) return Fail(db, account.status());
    auto transport = Connect(account->server_url, account->server_ca_pem);
    if (!transport.ok()) {
      // A bad stored URL must not keep the user logged in: forget the tokens anyway.
      Status s = db->db->Logout();
      return s.ok() ? Ok(db) : Fail(db, s);
    }
    auto result = q11::device::Logout(*db->db, **transport);
    return result.ok() ? Ok(db) : Fail(db, result.status());
  });
}

int q11_sync(q11_db* db, char** pzSummary) {
  if (!Usable(db)) return Misuse(db, "q11_sync: database not open");
  if (pzSummary != nullptr) *pzSummary = nullptr;
  return Guard(db, [&] {
    auto account = db->db->GetAccount();
    if (!account.ok() && account.status().code() == q11::StatusCode::kNotFound)
      return Fail(db, Status(q11::StatusCode::kUnauthenticated, "not logged in: run q11 login"));
    if (!account.ok()) return Fail(db, account.status());  // a failing disk is not a logout
    auto transport = Connect(account->server_url, account->server_ca_pem);
    if (!transport.ok()) return Fail(db, transport.status());
    auto result = q11::device::Sync(*db->db, **transport);
    if (!result.ok()) return Fail(db, result.status());
    if (pzSummary != nullptr) *pzSummary = Dup(q11::device::SyncResultToJson(*result));
    return Ok(db);
  });
}

int q11_verify(q11_db* db, int bRepair, char** pzJson) {
  if (!Usable(db)) return Misuse(db, "q11_verify: database not open");
  if (pzJson == nullptr) return Misuse(db, "q11_verify: pzJson is NULL");
  *pzJson = nullptr;
  return Guard(db, [&] {
    auto account = db->db->GetAccount();
    if (!account.ok())
      return Fail(db, Status(q11::StatusCode::kUnauthenticated, "not logged in: run q11 login"));
    auto transport = Connect(account->server_url, account->server_ca_pem);
    if (!transport.ok()) return Fail(db, transport.status());
    q11::device::VerifyOptions options;
    options.repair = bRepair != 0;
    auto report = q11::device::Verify(*db->db, **transport, options);
    if (!report.ok()) return Fail(db, report.status());
    *pzJson = Dup(q11::device::VerifyReportToJson(*report));
    return Ok(db);
  });
}

int q11_outbox_count(q11_db* db, int64_t* pnCount) {
  if (!Usable(db)) return Misuse(db, "q11_outbox_count: database not open");
  if (pnCount == nullptr) return Misuse(db, "q11_outbox_count: pnCount is NULL");
  return Guard(db, [&] {
    auto n = db->db->OutboxCount();
    if (!n.ok()) return Fail(db, n.status());
    *pnCount = *n;
    return Ok(db);
  });
}

int q11_photo_attach(q11_db* db, const char* zReportId, const char* zFile, char** pzPhotoId) {
  if (!Usable(db)) return Misuse(db, "q11_photo_attach: database not open");
  if (zReportId == nullptr || zFile == nullptr)
    return Misuse(db, "q11_photo_attach: NULL argument");
  if (pzPhotoId != nullptr) *pzPhotoId = nullptr;
  return Guard(db, [&] {
    auto ids = q11::device::AttachPhotos(*db->db, zReportId, {zFile});
    if (!ids.ok()) return Fail(db, ids.status());
    if (pzPhotoId != nullptr) *pzPhotoId = Dup(ids->front());
    return Ok(db);
  });
}

int q11_photo_list_json(q11_db* db, const char* zReportId, char** pzJson) {
  if (!Usable(db)) return Misuse(db, "q11_photo_list_json: database not open");
  if (zReportId == nullptr || pzJson == nullptr)
    return Misuse(db, "q11_photo_list_json: NULL argument");
  *pzJson = nullptr;
  return Guard(db, [&] {
    auto photos = q11::device::ListPhotos(*db->db, zReportId);
    if (!photos.ok()) return Fail(db, photos.status());
    *pzJson = Dup(q11::device::PhotosToJson(*photos));
    return Ok(db);
  });
}

int q11_photo_fetch(q11_db* db, const char* zPhotoId, int bThumb, char** pzPath) {
  if (!Usable(db)) return Misuse(db, "q11_photo_fetch: database not open");
  if (zPhotoId == nullptr || pzPath == nullptr) return Misuse(db, "q11_photo_fetch: NULL argument");
  *pzPath = nullptr;
  return Guard(db, [&] {
    auto account = db->db->GetAccount();
    // Not logged in: only photos already on the device can be had (port 1 answers nothing).
    auto transport = account.ok() ? Connect(account->server_url, account->server_ca_pem)
                                  : Connect("http://127.0.0.1:1", "");
    if (!transport.ok()) return Fail(db, transport.status());
    auto path = q11::device::FetchPhoto(*db->db, **transport, zPhotoId, bThumb != 0);
    if (!path.ok()) return Fail(db, path.status());
    *pzPath = Dup(*path);
    return Ok(db);
  });
}

const char* q11_libversion(void) { return "0.1.0"; }

}  // extern "C"
