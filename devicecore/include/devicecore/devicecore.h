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
*/
#ifndef DEVICECORE_DEVICECORE_H_
#define DEVICECORE_DEVICECORE_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes (same numbers as q11::StatusCode). */
#define Q11_OK 0
#define Q11_INVALID_ARGUMENT 1 /* bad input: fix it and call again */
#define Q11_NOT_FOUND 2        /* no such report / not logged in */
#define Q11_ALREADY_EXISTS 3
#define Q11_PERMISSION_DENIED 4   /* the server forbids it for this account */
#define Q11_UNAUTHENTICATED 5     /* log in (again) with q11_login */
#define Q11_FAILED_PRECONDITION 6 /* the state does not allow it; do not retry as is */
#define Q11_ABORTED 7
#define Q11_UNAVAILABLE 8 /* server unreachable or database busy: retry later */
#define Q11_RESOURCE_EXHAUSTED 9
#define Q11_DATA_LOSS 10 /* corrupt database file or malformed server answer */
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

/* All reports on the device, newest first, as a JSON array (free with q11_free()). */
int q11_report_list_json(q11_db* db, char** pzJson /* OUT: JSON array */);

/*
** One report with its events and pending_changes, as a JSON object (free with q11_free()).
** Q11_NOT_FOUND when the device has no such report.
*/
int q11_report_show_json(q11_db* db, const char* zId, char** pzJson /* OUT: JSON object */);

/*
** Sets a report's status (new, accepted, in_progress, resolved, rejected, closed) and
** records a status event with zNote (NULL: no note), as one queued local change.
*/
int q11_case_status(q11_db* db, const char* zId, const char* zStatus, const char* zNote);

/*
** Logs in to the server at zServerUrl ("http://host:port") and stores the account on the
** device (the password is not stored). Q11_UNAUTHENTICATED: wrong name or password;
** Q11_UNAVAILABLE: server unreachable.
*/
int q11_login(q11_db* db, const char* zServerUrl, const char* zName, const char* zPassword);

/*
** Synchronises with the server stored at login: pushes queued changes, pulls the server's.
** On success *pzSummary (may be NULL if not wanted) receives a JSON object with the counts
** (pushed, applied, merged, parked, rejected, pulled_rows, pending_after, messages, ...);
** free it with q11_free(). On failure nothing local has changed and q11_errmsg() says how
** many changes wait in the outbox.
*/
int q11_sync(q11_db* db, char** pzSummary /* OUT: JSON summary, or NULL */);

/* Number of entries in the outbox (local changes the server has not fully settled). */
int q11_outbox_count(q11_db* db, int64_t* pnCount /* OUT: count */);

/* The library version, "0.1.0". Static string. */
const char* q11_libversion(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DEVICECORE_DEVICECORE_H_ */
