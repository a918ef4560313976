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
** rejected, parked, or merged with a message, which the app must show the user, and
** "drift": [{"audience","rows_differing","repaired","backing_off","next_try_ms","message"}],
** one per scope whose rows did not add up to the server's checksum after the pull (it is
** repaired then: an app may say so); free it with q11_free(). On failure nothing local
** has changed and q11_errmsg() says how many changes wait in the outbox.
*/
int q11_sync(q11_db* db, char** pzSummary /* OUT: JSON summary, or NULL */);

/*
** Verifies that the device holds exactly what the server says it should (devicecore/
** verify.h; "q11 verify"): pulls the server's latest changes (pushing nothing), compares
** each scope the account reads with the server's checksum, without the device's pending
** changes, and for a scope that differs lists each row missing on the device, extra on it,
** or changed. bRepair != 0 also makes the rows equal (the pending changes are kept and
** still go up); the server hears of it at the next q11_sync. (q11_sync verifies and
** repairs by itself after each complete pull; its summary lists "drift".)
** On success *pzJson (free with q11_free()) receives {"equal": true|false,"cursor",
** "scopes":[{"audience","equal","device_rows","server_rows","device_checksum",
** "server_checksum","repaired","problem" (when any),"differences":[{"table","id",
** "kind": "missing"|"extra"|"changed"}]}]}: Q11_OK whether or not the device is equal.
** Q11_UNAUTHENTICATED: not logged in; Q11_UNAVAILABLE: server unreachable;
** Q11_FAILED_PRECONDITION: the server sends no checksums (older than this library) or was
** restored from a backup (q11_sync first).
*/
int q11_verify(q11_db* db, int bRepair, char** pzJson /* OUT: JSON report */);

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

/*
** APPS. The calls below serve an app's screens (the web app's worker, a native app):
** input and output as JSON objects, so a binding passes one string each way.
*/

/*
** Files a new report like q11_report_new, described by the JSON object zJson:
**   {"kind": "phan_anh"|"gop_y" (optional, phan_anh), "category": id, "ward": id,
**    "title": text, "description": text (required: the server takes no report without
**    one), "lat": number, "lon": number
**    (optional, both or neither), "address": text (optional, e.g. typed by hand)}.
** Q11_INVALID_ARGUMENT: zJson is not such an object (malformed JSON, a key not listed
** here, a value of the wrong type, lat without lon) or the report breaks a rule (unknown
** category or ward, empty title, ...); q11_errmsg() says which. On success *pzId receives
** the new report's id (free with q11_free()); its receipt code is in q11_report_show_json
** at once, offline.
*/
int q11_report_new_v2(q11_db* db, const char* zJson, char** pzId /* OUT: report id */);

/*
** The reference data an app's forms and actions choose from, as one JSON object (free with
** q11_free()): {"units": [{"id","parent_id","kind","name_vi","name_en"}],
** "categories": [{"id","name_vi","name_en","default_unit","deadline_hours","level",
** "deadline_amount","deadline_unit"}], "templates": [{"id","status","title_vi","body_vi"}]}
** (wards are the units of kind "ward"; templates are officials' canned replies by status).
*/
int q11_reference_json(q11_db* db, char** pzJson /* OUT: JSON object */);

/*
** Who is logged in, as a JSON object (free with q11_free()): {"server_url","user_id","name",
** "role" ("citizen" | "official" | "admin"),"unit","reporter_ref","contact_phone",
** "contact_email"} (null when not known). Never the tokens. Q11_NOT_FOUND: nobody is logged
** in (also after q11_logout).
*/
int q11_account_json(q11_db* db, char** pzJson /* OUT: JSON object */);

/*
** The reports matching the filter zFilterJson, as a JSON array like q11_report_list_json
** (free with q11_free()). zFilterJson (NULL or "{}": every report, by deadline):
**   {"status": text, "ward": id, "category": id, "overdue": true|false,
**    "search": text in the title, description or receipt code (ASCII case ignored),
**    "order": "deadline" (soonest current deadline first, none last; the default) |
**             "newest"}
** Every condition given must hold; empty texts and false mean "any".
** Q11_INVALID_ARGUMENT: malformed JSON, an unknown key, a wrong type or order.
*/
int q11_report_find_json(q11_db* db, const char* zFilterJson, char** pzJson /* OUT */);

/*
** The id of the report a person named in zText: a report id (returned as given), or a
** receipt code in any spelling ("q11-7kxm-42pa", "7KXM42PA"), or the start of one of 4 or
** more characters when only one report's code starts so. Q11_NOT_FOUND: no report on this
** device has that code; Q11_FAILED_PRECONDITION: several do (q11_errmsg() names them).
*/
int q11_resolve_report_id(q11_db* db, const char* zText, char** pzId /* OUT: report id */);

/*
** An official marks report zId a duplicate of zOriginal (its id or receipt code, as for
** q11_resolve_report_id), with zNote (NULL: none), as one queued local change.
** Q11_NOT_FOUND: no such original on the device; Q11_INVALID_ARGUMENT: zOriginal is zId.
*/
int q11_case_duplicate(q11_db* db, const char* zId, const char* zOriginal, const char* zNote);

/*
** Adds the comment zNote (required, not empty) to report zId, as one queued local change.
** On success *pzEventId, when pzEventId is not NULL, receives the new event's id (free with
** q11_free()).
*/
int q11_case_comment(q11_db* db, const char* zId, const char* zNote,
                     char** pzEventId /* OUT: event id, or NULL */);

/*
** What waits for the server, as a JSON array, oldest first (free with q11_free()):
** [{"seq","state": "pending" | "acked" (applied, waiting for the pull),"created_at",
**   "bytes","tables"}].
*/
int q11_outbox_json(q11_db* db, char** pzJson /* OUT: JSON array */);

/*
** The changes the server rejected, parked or merged with a message, kept until the user
** discards them, as a JSON array (free with q11_free()):
** [{"seq","verdict": "rejected" | "parked" | "merged","message","settled_at","report_ids"}].
*/
int q11_settled_json(q11_db* db, char** pzJson /* OUT: JSON array */);

/*
** Forgets the settled change nSeq (the user has read it; a rejected change stays undone).
** Q11_NOT_FOUND: no settled change has that seq.
*/
int q11_settled_discard(q11_db* db, int64_t nSeq);

/*
** The long-poll request q11_wait_for_changes would send, for an app that sends it itself
** without blocking (the web app's worker uses fetch()), as a JSON object (free with
** q11_free()): {"path": "/v1/changes/wait","content_type": "application/json",
** "body": the request body (text),"bearer": the access token}. Send it as POST to the
** server's URL + path with "Authorization: Bearer <bearer>"; the answer {"changed": true}
** means: call q11_sync. The server holds it at most timeoutSeconds (it caps them at 60).
** Refreshes the access token first when it expires within a minute (a network call).
** Q11_UNAUTHENTICATED: not logged in, or the session ended; Q11_UNAVAILABLE: the server
** could not be reached for the refresh.
*/
int q11_wait_request_json(q11_db* db, int timeoutSeconds, char** pzJson /* OUT: JSON object */);

/*
** Waits, at most timeoutSeconds (the server caps it at 60), until the server has changes
** for this device: *pChanged = 1 (call q11_sync), or 0 when the time ran out. Blocks the
** calling thread; one attempt, no retries (ask again after a pause on Q11_UNAVAILABLE).
** Errors as for q11_sync; Q11_UNAVAILABLE also when too many devices already wait.
*/
int q11_wait_for_changes(q11_db* db, int timeoutSeconds, int* pChanged /* OUT: 1 or 0 */);

/* The library version, "0.1.0". Static string. */
const char* q11_libversion(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DEVICECORE_DEVICECORE_H_ */
