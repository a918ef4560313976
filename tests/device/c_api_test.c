/* The devicecore C API from C: open, file a report, list and show it, count the outbox,
   and the error codes of bad input. Returns non-zero on the first failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devicecore/devicecore.h"

static int failures = 0;
#define EXPECT(cond)                                                      \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                         \
    }                                                                     \
  } while (0)

int main(void) {
  char dir[] = "/tmp/q11capi-XXXXXX";
  if (mkdtemp(dir) == NULL) return 2;
  char path[256];
  snprintf(path, sizeof path, "%s/device.db", dir);

  q11_db* db = NULL;
  EXPECT(q11_open(path, &db) == Q11_OK);
  EXPECT(db != NULL);
  EXPECT(strcmp(q11_errmsg(db), "") == 0);

  int64_t n = -1;
  EXPECT(q11_outbox_count(db, &n) == Q11_OK && n == 0);

  char* id = NULL;
  EXPECT(q11_report_new(db, "phan_anh", "rac-thai", "p05", "Rác ở chợ Thiếc", "Tồn đọng nhiều ngày",
                        10.7601, 106.6505, 1, &id) == Q11_OK);
  EXPECT(id != NULL && strlen(id) == 36);

  char* json = NULL;
  EXPECT(q11_report_list_json(db, &json) == Q11_OK);
  EXPECT(json != NULL && json[0] == '[');
  EXPECT(json != NULL && strstr(json, id) != NULL);
  EXPECT(json != NULL && strstr(json, "Rác ở chợ Thiếc") != NULL); /* UTF-8 kept as is */
  q11_free(json);

  json = NULL;
  EXPECT(q11_report_show_json(db, id, &json) == Q11_OK);
  EXPECT(json != NULL && strstr(json, "\"status\":\"new\"") != NULL);
  EXPECT(json != NULL && strstr(json, "\"pending_changes\":1") != NULL);
  q11_free(json);

  EXPECT(q11_case_status(db, id, "accepted", "Đã tiếp nhận") == Q11_OK);
  EXPECT(q11_outbox_count(db, &n) == Q11_OK && n == 2);

  /* The report's sync state: pending until the server answers. */
  int state = -1;
  EXPECT(q11_report_sync_state(db, id, &state) == Q11_OK && state == Q11_SYNC_STATE_PENDING);
  json = NULL;
  EXPECT(q11_report_show_json(db, id, &json) == Q11_OK);
  EXPECT(json != NULL && strstr(json, "\"sync_state\":\"pending\"") != NULL);
  EXPECT(json != NULL && strstr(json, "\"sync\":{\"pending\":2,") != NULL);
  q11_free(json);
  json = NULL;
  EXPECT(q11_report_list_json(db, &json) == Q11_OK);
  EXPECT(json != NULL && strstr(json, "\"sync_state\":\"pending\"") != NULL);
  q11_free(json);
  state = -1;
  EXPECT(q11_report_sync_state(db, "01890000-0000-7000-8000-000000000000", &state) ==
         Q11_NOT_FOUND);
  EXPECT(state == -1);
  EXPECT(q11_report_sync_state(db, id, NULL) == Q11_MISUSE);

  /* Case work: an assignment and a deadline, each one queued change. */
  EXPECT(q11_case_assign(db, id, "phong-qldt", "Chuyển phòng QLĐT") == Q11_OK);
  EXPECT(q11_case_deadline(db, id, "2099-12-01T17:00:00+07:00", NULL) == Q11_OK);
  json = NULL;
  EXPECT(q11_report_show_json(db, id, &json) == Q11_OK);
  EXPECT(json != NULL && strstr(json, "\"assigned_unit\":\"phong-qldt\"") != NULL);
  EXPECT(json != NULL && strstr(json, "\"due_at\":\"2099-12-01T10:00:00.000Z\"") != NULL);
  EXPECT(json != NULL &&
         strstr(json, "Hạn xử lý mới / new deadline: 2099-12-01 17:00 (UTC+7)") != NULL);
  q11_free(json);
  EXPECT(q11_case_assign(db, id, "no-such-unit", NULL) == Q11_INVALID_ARGUMENT);
  EXPECT(q11_case_deadline(db, id, "tomorrow", NULL) == Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(db), "ISO-8601") != NULL);
  EXPECT(q11_case_deadline(db, id, "2020-01-01", NULL) == Q11_INVALID_ARGUMENT); /* past */
  EXPECT(strstr(q11_errmsg(db), "in the past") != NULL);
  EXPECT(q11_case_assign(db, id, NULL, NULL) == Q11_MISUSE);
  EXPECT(q11_outbox_count(db, &n) == Q11_OK && n == 4);

  /* A citizen's edit and withdrawal: the report was accepted above, so both are refused. */
  EXPECT(q11_report_edit(db, id, "Tiêu đề mới", NULL) == Q11_FAILED_PRECONDITION);
  EXPECT(q11_report_withdraw(db, id) == Q11_FAILED_PRECONDITION);
  char* other = NULL;
  EXPECT(q11_report_new(db, "gop_y", "cay-xanh", "p02", "Trồng thêm cây", NULL, 0, 0, 0, &other) ==
         Q11_OK);
  EXPECT(q11_report_edit(db, other, NULL, NULL) == Q11_INVALID_ARGUMENT);
  EXPECT(q11_report_edit(db, other, NULL, "Ở công viên Lãnh Binh Thăng") == Q11_OK);
  EXPECT(q11_report_withdraw(db, other) == Q11_OK);
  EXPECT(q11_report_show_json(db, other, &json) == Q11_NOT_FOUND);
  EXPECT(q11_report_sync_state(db, other, &state) == Q11_OK && state == Q11_SYNC_STATE_PENDING);
  q11_free(other);
  EXPECT(q11_outbox_count(db, &n) == Q11_OK && n == 7);

  /* The case life: a progress note needs a future date; rating and reopening need a result. */
  EXPECT(q11_case_progress(db, id, "Chờ vật tư", "2000-01-01T00:00:00Z") == Q11_INVALID_ARGUMENT);
  EXPECT(q11_case_progress(db, id, "Chờ vật tư", "2099-01-01T00:00:00Z") == Q11_OK);
  EXPECT(q11_report_rate(db, id, 5, NULL) == Q11_FAILED_PRECONDITION);
  EXPECT(q11_report_reopen(db, id, "chưa xong") == Q11_FAILED_PRECONDITION);
  EXPECT(q11_report_reopen(db, id, NULL) == Q11_MISUSE);
  json = NULL;
  EXPECT(q11_report_show_json(db, id, &json) == Q11_OK);
  EXPECT(json != NULL && strstr(json, "\"expected_at\":\"2099-01-01T00:00:00.000Z\"") != NULL);
  EXPECT(json != NULL && strstr(json, "\"receipt_code\":\"Q11-") != NULL);
  q11_free(json);
  EXPECT(q11_outbox_count(db, &n) == Q11_OK && n == 8);

  /* Bad input: a code, a message, no outbox entry, OUT parameter NULL. */
  char* bad = (char*)1;
  EXPECT(q11_report_new(db, NULL, "no-such-category", "p05", "t", NULL, 0, 0, 0, &bad) ==
         Q11_INVALID_ARGUMENT);
  EXPECT(bad == NULL);
  EXPECT(strstr(q11_errmsg(db), "category") != NULL);
  EXPECT(q11_report_new(db, "phan_anh", "rac-thai", "p05", "t", NULL, 95.0, 0, 1, &bad) ==
         Q11_INVALID_ARGUMENT);
  EXPECT(q11_report_new(db, "complaint", "rac-thai", "p05", "t", NULL, 0, 0, 0, &bad) ==
         Q11_INVALID_ARGUMENT);
  EXPECT(q11_case_status(db, id, "done", NULL) == Q11_INVALID_ARGUMENT);
  EXPECT(q11_report_show_json(db, "01890000-0000-7000-8000-000000000000", &json) == Q11_NOT_FOUND);
  EXPECT(q11_outbox_count(db, &n) == Q11_OK && n == 8);
  EXPECT(strcmp(q11_errmsg(db), "") == 0); /* cleared by the success */

  /* Sync before login: unauthenticated, with a message that says what to do. */
  char* summary = NULL;
  EXPECT(q11_sync(db, &summary) == Q11_UNAUTHENTICATED);
  EXPECT(summary == NULL);
  EXPECT(strstr(q11_errmsg(db), "login") != NULL);
  /* Verify likewise; the report pointer must be given, and is NULL after a failure. */
  char* verified = (char*)"untouched";
  EXPECT(q11_verify(db, 0, &verified) == Q11_UNAUTHENTICATED);
  EXPECT(verified == NULL);
  EXPECT(strstr(q11_errmsg(db), "login") != NULL);
  EXPECT(q11_verify(db, 1, NULL) == Q11_MISUSE);
  EXPECT(q11_verify(NULL, 0, &verified) == Q11_MISUSE);

  /* Registration input is checked on the device (no server at this URL is ever called);
     logout without a login: nobody to log out. */
  EXPECT(q11_register(db, "http://127.0.0.1:1", "Lan Anh", "mat-khau-dai", NULL, NULL) ==
         Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(db), "name") != NULL);
  EXPECT(q11_register(db, "http://127.0.0.1:1", "lan", "ngan", NULL, NULL) == Q11_INVALID_ARGUMENT);
  EXPECT(q11_register(db, "http://127.0.0.1:1", "lan", "mat-khau-dai", "09-12", NULL) ==
         Q11_INVALID_ARGUMENT);
  EXPECT(q11_register(db, "http://127.0.0.1:1", "lan", "mat-khau-dai", NULL, "lan.example") ==
         Q11_INVALID_ARGUMENT);
  EXPECT(q11_register(db, NULL, "lan", "mat-khau-dai", NULL, NULL) == Q11_MISUSE);
  EXPECT(q11_logout(db) == Q11_NOT_FOUND);

  /* Plain http is for this machine only: another host is refused before any lookup (the
     .invalid name could not even be resolved); a CA argument must hold a certificate. */
  EXPECT(q11_login_v2(db, "http://example.invalid:8080", NULL, "lan", "mat-khau-dai") ==
         Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(db), "HTTPS is needed") != NULL);
  EXPECT(q11_register_v2(db, "http://10.0.0.7", NULL, "lan", "mat-khau-dai", NULL, NULL) ==
         Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(db), "HTTPS is needed") != NULL);
  EXPECT(q11_login_v2(db, "https://127.0.0.1:1", "not a certificate", "lan", "mat-khau-dai") ==
         Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(db), "CA") != NULL);

  /* Misuse. */
  EXPECT(q11_report_new(db, "phan_anh", "rac-thai", "p05", "t", NULL, 0, 0, 0, NULL) == Q11_MISUSE);
  EXPECT(q11_outbox_count(NULL, &n) == Q11_MISUSE);
  EXPECT(q11_errmsg(NULL) != NULL);

  q11_free(id);
  EXPECT(q11_close(db) == Q11_OK);
  EXPECT(q11_close(NULL) == Q11_OK);

  /* Reopen: the data survived. */
  db = NULL;
  EXPECT(q11_open(path, &db) == Q11_OK);
  EXPECT(q11_outbox_count(db, &n) == Q11_OK && n == 8);

  /* Photos: attached offline (one outbox entry), listed, and fetched from the device itself. */
  char photo_path[256];
  snprintf(photo_path, sizeof photo_path, "%s/photo.jpg", dir);
  FILE* pf = fopen(photo_path, "wb");
  if (pf != NULL) {
    fputs("\xFF\xD8\xFF\xE0 not a real JPEG body, enough for the device's checks", pf);
    fclose(pf);
  }
  char* reports = NULL;
  EXPECT(q11_report_list_json(db, &reports) == Q11_OK);
  char report_id[37] = {0};
  const char* at = reports != NULL ? strstr(reports, "\"id\":\"") : NULL;
  if (at != NULL) memcpy(report_id, at + 6, 36);
  q11_free(reports);
  char* photo_id = NULL;
  EXPECT(q11_photo_attach(db, report_id, photo_path, &photo_id) == Q11_OK);
  EXPECT(photo_id != NULL && strlen(photo_id) == 36);
  EXPECT(q11_outbox_count(db, &n) == Q11_OK && n == 9);
  json = NULL;
  EXPECT(q11_photo_list_json(db, report_id, &json) == Q11_OK);
  EXPECT(json != NULL && strstr(json, "\"local\":\"unsent\"") != NULL);
  q11_free(json);
  char* local = NULL;
  EXPECT(q11_photo_fetch(db, photo_id, 0, &local) == Q11_OK);
  EXPECT(local != NULL && strstr(local, ".photos/") != NULL);
  q11_free(local);
  EXPECT(q11_photo_attach(db, report_id, "/no/such/photo.jpg", NULL) == Q11_NOT_FOUND);
  EXPECT(q11_photo_attach(db, NULL, photo_path, NULL) == Q11_MISUSE);
  q11_free(photo_id);
  q11_close(db);

  /* A file that is not a database. */
  char junk[256];
  snprintf(junk, sizeof junk, "%s/junk.db", dir);
  FILE* f = fopen(junk, "wb");
  if (f != NULL) {
    for (int i = 0; i < 4096; i++) fputc('x', f);
    fclose(f);
  }
  db = NULL;
  EXPECT(q11_open(junk, &db) == Q11_DATA_LOSS);
  EXPECT(db != NULL && strlen(q11_errmsg(db)) > 0);
  q11_close(db);

  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  if (failures == 0) printf("c_api_test: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
