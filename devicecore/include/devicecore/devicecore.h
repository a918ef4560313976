/*
** devicecore C API: the Quận 11 device database for apps written in other languages
** (Kotlin/JNI, Swift). Plain C99; the C++ API (database.h, sync.h) is the same library.
**
** ERROR RULE. Every function that returns int returns Q11_OK (0) on success or one of the
** Q11_* codes below, which mirror q11::StatusCode and say what to do next (for example
** Q11_UNAVAILABLE: the server could not be reached, try again later; the change is safe
** in the outbox). After a failure, q11_errmsg(db) describes it until the next call on the
** same handle. OUT parameters are left untouched (or set to NULL/0) on failure; they
** are written only on success unless stated otherwise.
**
** MEMORY. Strings this API returns through "char**" OUT parameters are allocated by the
** library and must be released with q11_free(). Strings passed in are copied; the caller
** keeps ownership. q11_errmsg() returns memory owned by the handle.
**
** THREADS. A q11_db handle is used by one thread at a time. Several handles (in one or
** more processes) may open the same file.
**
** TEXT. All text, in and out, is UTF-8. JSON output is UTF-8 (Vietnamese is not escaped).
**
** TRANSPORT. The server URL is "https://host[:port]": its certificate is checked in the TLS
** handshake (chain, dates, host name or IP address) against the system's CA store, or
** against a private CA given at login (q11_login_v2), before any request byte is sent. A
** certificate that fails is Q11_FAILED_PRECONDITION with q11_errmsg() naming the problem
** ("the server's certificate is not trusted: certificate has expired (...)"); it is not
** worth retrying until the server or the CA is fixed. Plain "http://" is accepted only for
** this machine (127.0.0.0/8, ::1, localhost): any other host is Q11_INVALID_ARGUMENT,
** refused before any name lookup or connection.
*/
#ifndef DEVICECORE_DEVICECORE_H_
#define DEVICECORE_DEVICECORE_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes (same numbers as q11::StatusCode). */
#define Q11_OK 0
#define Q11_INVALID_ARGUMENT 1    /* bad input: fix it and call again */
#define Q11_NOT_FOUND 2           /* no such report / not logged in */
#define Q11_ALREADY_EXISTS 3      /* e.g. q11_register: the name is taken */
#define Q11_PERMISSION_DENIED 4   /* the server forbids it for this account */
#define Q11_UNAUTHENTICATED 5     /* log in (again) with q11_login */
#define Q11_FAILED_PRECONDITION 6 /* the state does not allow it; do not retry as is */
#define Q11_ABORTED 7
#define Q11_UNAVAILABLE 8        /* server unreachable or database busy: retry later */
#define Q11_RESOURCE_EXHAUSTED 9 /* e.g. rate limited: q11_errmsg says when to retry */
#define Q11_DATA_LOSS 10         /* corrupt database file or malformed server answer */
#define Q11_INTERNAL 11
#define Q11_MISUSE 21 /* NULL handle or NULL required argument */

/* An open device database. Opaque. */
typedef struct q11_db q11_db;

/*
** Opens (creating if needed) the device database at zPath. On success *ppDb is a new handle.
** As with sqlite3_open(), *ppDb is set even on most failures, to a handle whose
** q11_errmsg() explains the error; it must be closed with q11_close() in every case.
** *ppDb is NULL only when memory ran out or ppDb was NULL.
*/
int q11_open(const char* zPath, q11_db** ppDb /* OUT: new handle */);

/* Closes the handle and frees everything it owns. q11_close(NULL) is a harmless no-op. */
int q11_close(q11_db* db);

/*
** The message of the last failed call on db ("" after a success). Owned by db: valid until
** the next call on db or q11_close(). q11_errmsg(NULL) returns a static string.
*/
const char* q11_errmsg(q11_db* db);

/* Frees a string returned through a char** OUT parameter. q11_free(NULL) is a no-op. */
void q11_free(char* p);

/*
** Files a new report locally (works offline and before any login) and queues it for the
** server. zKind is "phan_anh" (a problem) or "gop_y" (a suggestion); NULL means phan_anh.
** zCategory and zWard are ids from the reference data (q11 ref list). zDescription may be
** NULL (empty). lat/lon are used only when hasLocation is non-zero.
** On success *pzId receives the new report's id (free with q11_free()).
*/
int q11_report_new(q11_db* db, const char* zKind, const char* zCategory, const char* zWard,
                   const char* zTitle, const char* zDescription, double lat, double lon,
                   int hasLocation, char** pzId /* OUT: report id */);

/*
** All reports on the device, newest first, as a JSON array (free with q11_free()). Each
** carries "sync_state" (see q11_report_sync_state), as a string.
*/
int q11_report_list_json(q11_db* db, char** pzJson /* OUT: JSON array */);

/*
** One report with its events, "pending_changes", "sync_state" and "sync" ({"pending": N,
** "parked": [...], "rejected": [...], "merged_notes": [...]}, each item {"seq", "message",
** "settled_at"}), as a JSON object (free with q11_free()). Q11_NOT_FOUND when the device
** has no such report.
*/
int q11_report_show_json(q11_db* db, const char* zId, char** pzJson /* OUT: JSON object */);

/*
** Where a report stands with the server, worst first. A UI shows REJECTED and PARKED with
** the server's message (q11_report_show_json), PENDING as "not sent yet".
*/
#define Q11_SYNC_STATE_SYNCED 0   /* nothing outstanding: the device holds the server's view */
#define Q11_SYNC_STATE_PENDING 1  /* local changes wait to be sent or answered */
#define Q11_SYNC_STATE_PARKED 2   /* a change is in conflict, kept for an administrator */
#define Q11_SYNC_STATE_REJECTED 3 /* the server refused a change (until the user discards it) */

/*
** Sets *pState to one of the Q11_SYNC_STATE_* values for report zId. Also answers for a
** report the device no longer holds while changes of it are kept (e.g. its filing was
** rejected). Q11_NOT_FOUND when neither the report nor any change of it is on the device.
*/
int q11_report_sync_state(q11_db* db, const char* zId, int* pState /* OUT: Q11_SYNC_STATE_* */);

/*
** A citizen withdraws their own report while it is still "new" (one queued change).
** Q11_FAILED_PRECONDITION: already being handled; Q11_PERMISSION_DENIED: not theirs.
*/
int q11_report_withdraw(q11_db* db, const char* zId);

/*
** A citizen edits their own "new" report: zTitle and/or zDescription (NULL: unchanged; at
** least one must be given). The server has the final word; a refusal shows as REJECTED.
*/
int q11_report_edit(q11_db* db, const char* zId, const char* zTitle, const char* zDescription);

/*
** The citizen rates the result of their own resolved (or closed) report: nStars 1-5 and a
** comment zComment (NULL: none), as one queued local change. Q11_FAILED_PRECONDITION: no
** result yet; Q11_INVALID_ARGUMENT: stars out of range; Q11_PERMISSION_DENIED: not theirs.
*/
int q11_report_rate(q11_db* db, const char* zId, int nStars, const char* zComment);

/*
** The citizen reopens their own resolved (or closed) report within the reopen period (7
** days after the result, docs/workflow.md), saying why in zReason (required), as one
** queued local change. Q11_FAILED_PRECONDITION: no result or the period has passed.
*/
int q11_report_reopen(q11_db* db, const char* zId, const char* zReason);

/*
** Sets a report's status (accepted, assigned, in_progress, resolved, closed, rejected,
** duplicate, reopened; docs/workflow.md) and records a status event with zNote (NULL: no
** note), as one queued local change. Q11_INVALID_ARGUMENT: an unknown status, or rejected,
** resolved or reopened without a note (the reason or the result text).
*/
int q11_case_status(q11_db* db, const char* zId, const char* zStatus, const char* zNote);

/*
** An official's progress note zNote (required) with a new expected completion date
** zExpectedIso (in the future; written as for q11_case_deadline), as one queued local
** change. An overdue case needs one before its status may change again.
*/
int q11_case_progress(q11_db* db, const char* zId, const char* zNote, const char* zExpectedIso);

/*
** Assigns a report to unit zUnit (an id of the reference data) with an assignment event
** carrying zNote (NULL: no note), as one queued local change. Q11_INVALID_ARGUMENT: no
** such unit.
*/
int q11_case_assign(q11_db* db, const char* zId, const char* zUnit, const char* zNote);

/*
** Sets a report's deadline to zDueIso (ISO-8601 with any offset, e.g.
** "2026-12-01T17:00:00+07:00" or "2026-12-01T10:00:00Z", or a date "2026-12-01" meaning
** 17:00 that day in Vietnam; stored in UTC as "2026-12-01T10:00:00.000Z") and records a
** comment "Hạn xử lý mới: ..." (plus zNote when not NULL), as one queued local change.
** Q11_INVALID_ARGUMENT: not such a time, or not in the future.
*/
int q11_case_deadline(q11_db* db, const char* zId, const char* zDueIso, const char* zNote);

/*
** Logs in to the server at zServerUrl ("https://host:port", see TRANSPORT) and stores the
** account on the device (the password is not stored). Q11_UNAUTHENTICATED: wrong name or
** password; Q11_UNAVAILABLE: server unreachable; Q11_FAILED_PRECONDITION: the server's
** certificate is not trusted (nothing was sent); Q11_INVALID_ARGUMENT: a malformed URL, or
** http:// to another machine. The same as q11_login_v2 with zCaPem NULL.
*/
int q11_login(q11_db* db, const char* zServerUrl, const char* zName, const char* zPassword);

/*
** q11_login for a server whose certificate is issued by a private certificate authority:
** zCaPem is the PEM text (not a file name) of that CA's certificate, or of a bundle; only
** those are trusted for this server, not the system's store. NULL or "": the system's CA
** store. It is stored with the account: q11_sync, q11_photo_fetch and q11_logout use it
** until the next login. Q11_INVALID_ARGUMENT also when zCaPem holds no PEM certificate.
*/
int q11_login_v2(q11_db* db, const char* zServerUrl, const char* zCaPem, const char* zName,
                 const char* zPassword);

/*
** Creates a citizen account on the server at zServerUrl and stores it on the device like
** q11_login. zPhone and zEmail may be NULL (not given); they go to the server, and the
** device keeps a copy for this user only (never synced). The input is checked first by the
** server's rules (name 3-64 of a-z 0-9 . _ -, password 8-1024 bytes, phone 8-15 digits or
** +, e-mail with @): Q11_INVALID_ARGUMENT without any network call. Q11_ALREADY_EXISTS: the
** name is taken; Q11_RESOURCE_EXHAUSTED: too many registrations, q11_errmsg() says when to
** retry; Q11_UNAVAILABLE: server unreachable.
*/
int q11_register(q11_db* db, const char* zServerUrl, const char* zName, const char* zPassword,
                 const char* zPhone, const char* zEmail);

/* q11_register with a private certificate authority's PEM, zCaPem, as for q11_login_v2. */
int q11_register_v2(q11_db* db, const char* zServerUrl, const char* zCaPem, const char* zName,
                    const char* zPassword, const char* zPhone, const char* zEmail);

/*
** Logs out: asks the server to revoke the session (one attempt; offline is not an error)
** and forgets the tokens on the device. Local data and queued changes stay.
** Q11_NOT_FOUND: nobody is logged in.
*/
int q11_logout(q11_db* db);

/*
** Synchronises with the server stored at login: pushes queued changes, pulls the server's.
** On success *pzSummary (may be NULL if not wanted) receives a JSON object with the counts
** (pushed, applied, merged, parked, rejected, pulled_rows, pending_after, messages, ...)
** and "settled": [{"seq","verdict","message","report_ids"}], one per change the server
** rejected, parked, or merged with a message, which the app must show the user; free it
** with q11_free(). On failure nothing local has changed and q11_errmsg() says how many
** changes wait in the outbox.
*/
int q11_sync(q11_db* db, char** pzSummary /* OUT: JSON summary, or NULL */);

/* Number of entries in the outbox (local changes the server has not fully settled). */
int q11_outbox_count(q11_db* db, int64_t* pnCount /* OUT: count */);

/*
** Photos (devicecore/photos.h). q11_photo_attach copies the file (JPEG, PNG, WebP or HEIC,
** at most 8 MiB; at most 6 per report) into the device's photo folder and queues it; works
** offline. Its bytes go up at the next q11_sync, after the report ("photos" in the summary).
** Q11_RESOURCE_EXHAUSTED: over a limit; Q11_INVALID_ARGUMENT: not an image; Q11_NOT_FOUND:
** no such report or file.
*/
int q11_photo_attach(q11_db* db, const char* zReportId, const char* zFile,
                     char** pzPhotoId /* OUT: the new photo id, or NULL */);
/* The photos of a report as a JSON array (id, role, sha256, mime, bytes, local, ...). */
int q11_photo_list_json(q11_db* db, const char* zReportId, char** pzJson /* OUT: JSON array */);
/*
** A local file path holding the photo: bThumb != 0 for its 320 px thumbnail, else the full
** photo. Downloads it when needed (resuming a broken download); Q11_UNAVAILABLE when the
** server cannot be reached (what arrived is kept for the next call).
*/
int q11_photo_fetch(q11_db* db, const char* zPhotoId, int bThumb,
                    char** pzPath /* OUT: file path */);

/* The library version, "0.1.0". Static string. */
const char* q11_libversion(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DEVICECORE_DEVICECORE_H_ */
