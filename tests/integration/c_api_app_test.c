/* The devicecore C API for apps (devicecore.h, "APPS"), from C against the real server: a
   citizen files by JSON, an official finds, resolves a receipt code, comments and marks a
   duplicate, the citizen sees a parked edit in the settled list and discards it, and both wait
   for changes. c_api_app_main.cc starts the server and runs this; 0 = every check held. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devicecore/devicecore.h"

static int failures = 0;
#define EXPECT(cond)                                                      \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                         \
    }                                                                     \
  } while (0)
#define CONTAINS(json, text) ((json) != NULL && strstr((json), (text)) != NULL)

/* The value of the first "key":"..." in json, copied into out (at most n-1 bytes). */
static void StringField(const char* json, const char* key, char* out, size_t n) {
  char pattern[64];
  out[0] = '\0';
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char* at = json != NULL ? strstr(json, pattern) : NULL;
  if (at == NULL) return;
  at += strlen(pattern);
  size_t len = 0;
  while (at[len] != '"' && at[len] != '\0' && len + 1 < n) len++;
  memcpy(out, at, len);
  out[len] = '\0';
}

static q11_db* Open(const char* dir, const char* file) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  q11_db* db = NULL;
  EXPECT(q11_open(path, &db) == Q11_OK);
  return db;
}

int q11_c_api_app_scenario(const char* url, const char* dir) {
  char* json = NULL;
  int changed = -1;

  /* The citizen, before login: no account, no wait request. */
  q11_db* lan = Open(dir, "lan.db");
  EXPECT(q11_account_json(lan, &json) == Q11_NOT_FOUND && json == NULL);
  EXPECT(q11_wait_request_json(lan, 5, &json) == Q11_UNAUTHENTICATED && json == NULL);
  EXPECT(q11_wait_for_changes(lan, 1, &changed) == Q11_UNAUTHENTICATED && changed == -1);

  EXPECT(q11_login(lan, url, "lan", "mat-khau-lan") == Q11_OK);
  EXPECT(q11_account_json(lan, &json) == Q11_OK);
  EXPECT(CONTAINS(json, "\"name\":\"lan\"") && CONTAINS(json, "\"role\":\"citizen\""));
  EXPECT(CONTAINS(json, url) && !CONTAINS(json, "token"));
  q11_free(json);

  /* What the forms choose from, in one object. */
  EXPECT(q11_reference_json(lan, &json) == Q11_OK);
  EXPECT(CONTAINS(json, "{\"units\":[{") && CONTAINS(json, "\"categories\":[{"));
  EXPECT(CONTAINS(json, "\"templates\":[{") && CONTAINS(json, "\"id\":\"ngap-nuoc\""));
  q11_free(json);

  /* Filing by JSON: bad input is refused with the reason, and nothing is queued. */
  char* id1 = NULL;
  EXPECT(q11_report_new_v2(lan, "{\"title\":", &id1) == Q11_INVALID_ARGUMENT && id1 == NULL);
  EXPECT(strstr(q11_errmsg(lan), "JSON") != NULL);
  EXPECT(q11_report_new_v2(lan, "[]", &id1) == Q11_INVALID_ARGUMENT);
  EXPECT(q11_report_new_v2(lan, "{\"titel\":\"Ngập\"}", &id1) == Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(lan), "titel") != NULL);
  EXPECT(q11_report_new_v2(lan,
                           "{\"category\":\"ngap-nuoc\",\"ward\":\"p04\",\"title\":\"Ngập\","
                           "\"description\":\"Ngập\",\"lat\":10.76}",
                           &id1) == Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(lan), "lon") != NULL);
  EXPECT(q11_report_new_v2(lan, "{\"category\":\"ngap-nuoc\",\"ward\":\"p04\",\"title\":5}",
                           &id1) == Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(lan), "title") != NULL);
  /* The server takes no report without a description: refused here, not later. */
  EXPECT(q11_report_new_v2(lan, "{\"category\":\"ngap-nuoc\",\"ward\":\"p04\",\"title\":\"Ngập\"}",
                           &id1) == Q11_INVALID_ARGUMENT);
  EXPECT(strstr(q11_errmsg(lan), "description") != NULL);
  EXPECT(
      q11_report_new_v2(
          lan,
          "{\"category\":\"khong-co\",\"ward\":\"p04\",\"title\":\"Ngập\",\"description\":\"x\"}",
          &id1) == Q11_INVALID_ARGUMENT);
  EXPECT(q11_report_new_v2(lan, NULL, &id1) == Q11_MISUSE);
  EXPECT(q11_outbox_json(lan, &json) == Q11_OK && strcmp(json, "[]") == 0);
  q11_free(json);

  EXPECT(q11_report_new_v2(lan,
                           "{\"kind\":\"phan_anh\",\"category\":\"ngap-nuoc\",\"ward\":\"p04\","
                           "\"title\":\"Ngập ở Lạc Long Quân\",\"description\":\"Nước tới gối\","
                           "\"lat\":10.7626,\"lon\":106.6502,\"address\":\"12 Lạc Long Quân\"}",
                           &id1) == Q11_OK);
  EXPECT(id1 != NULL && strlen(id1) == 36);
  /* "Newest first" orders by the creation time, in milliseconds: two filings within the same
     millisecond tie, so the second is filed a little later. */
  const struct timespec later = {0, 5 * 1000 * 1000};
  nanosleep(&later, NULL);
  char* id2 = NULL;
  EXPECT(q11_report_new_v2(lan,
                           "{\"category\":\"ngap-nuoc\",\"ward\":\"p04\",\"title\":\"Lại ngập ở "
                           "Lạc Long Quân\",\"description\":\"Cống bị tắc\"}",
                           &id2) == Q11_OK);
  EXPECT(q11_outbox_json(lan, &json) == Q11_OK);
  EXPECT(CONTAINS(json, "\"seq\":1,\"state\":\"pending\"") && CONTAINS(json, "\"seq\":2,"));
  q11_free(json);
  char code[32] = "";
  EXPECT(q11_report_show_json(lan, id1, &json) == Q11_OK);
  EXPECT(CONTAINS(json, "\"lat\":10.7626,\"lon\":106.6502,\"address\":\"12 Lạc Long Quân\""));
  StringField(json, "receipt_code", code, sizeof code);
  q11_free(json);
  EXPECT(strlen(code) == 13);
  EXPECT(q11_sync(lan, NULL) == Q11_OK);

  /* The official: new work is there to pull at once. */
  q11_db* canbo = Open(dir, "canbo.db");
  EXPECT(q11_login(canbo, url, "canbo.p04", "mat-khau-p04") == Q11_OK);
  EXPECT(q11_wait_for_changes(canbo, 5, &changed) == Q11_OK && changed == 1);
  EXPECT(q11_sync(canbo, NULL) == Q11_OK);

  /* Finding: by ward and category, newest first; nothing in another category. */
  EXPECT(q11_report_find_json(canbo,
                              "{\"ward\":\"p04\",\"category\":\"ngap-nuoc\",\"order\":"
                              "\"newest\"}",
                              &json) == Q11_OK);
  const char* at1 = json != NULL && id1 != NULL ? strstr(json, id1) : NULL;
  const char* at2 = json != NULL && id2 != NULL ? strstr(json, id2) : NULL;
  EXPECT(at1 != NULL && at2 != NULL && at2 < at1);
  q11_free(json);
  EXPECT(q11_report_find_json(canbo, "{\"category\":\"rac-thai\"}", &json) == Q11_OK);
  EXPECT(json != NULL && strcmp(json, "[]") == 0);
  q11_free(json);
  EXPECT(q11_report_find_json(canbo, "{\"search\":\"LẠI NGẬP\"}", &json) == Q11_OK);
  EXPECT(json != NULL && strcmp(json, "[]") == 0); /* only ASCII letters fold */
  q11_free(json);
  EXPECT(q11_report_find_json(canbo, NULL, &json) == Q11_OK && CONTAINS(json, id1));
  q11_free(json);
  EXPECT(q11_report_find_json(canbo, "{\"order\":\"soonest\"}", &json) == Q11_INVALID_ARGUMENT);
  EXPECT(q11_report_find_json(canbo, "{\"overdue\":\"yes\"}", &json) == Q11_INVALID_ARGUMENT);
  EXPECT(q11_report_find_json(canbo, "{\"colour\":\"red\"}", &json) == Q11_INVALID_ARGUMENT);

  /* A receipt code in any spelling names the report. */
  char spelled[32];
  size_t k = 0;
  for (const char* c = code; *c != '\0'; c++)
    if (*c != '-') spelled[k++] = (char)tolower((unsigned char)*c);
  spelled[k] = '\0';
  char* resolved = NULL;
  EXPECT(q11_resolve_report_id(canbo, spelled, &resolved) == Q11_OK);
  EXPECT(resolved != NULL && id1 != NULL && strcmp(resolved, id1) == 0);
  q11_free(resolved);
  resolved = NULL;
  EXPECT(q11_resolve_report_id(canbo, "Q11-ZZZZ-ZZZZ", &resolved) == Q11_NOT_FOUND);
  EXPECT(resolved == NULL);

  /* Accept, comment, and the second report is a duplicate of the first (by its code). */
  EXPECT(q11_case_status(canbo, id1, "accepted", NULL) == Q11_OK);
  char* event = NULL;
  EXPECT(q11_case_comment(canbo, id1, "Đã cử người kiểm tra", &event) == Q11_OK);
  EXPECT(event != NULL && strlen(event) == 36);
  EXPECT(q11_case_comment(canbo, id1, "Ghi chú không cần mã", NULL) == Q11_OK);
  EXPECT(q11_case_comment(canbo, id1, NULL, NULL) == Q11_MISUSE);
  EXPECT(q11_case_duplicate(canbo, id2, spelled, NULL) == Q11_OK);
  EXPECT(q11_case_duplicate(canbo, id1, "Q11-ZZZZ-ZZZZ", NULL) == Q11_NOT_FOUND);
  EXPECT(q11_report_show_json(canbo, id2, &json) == Q11_OK);
  EXPECT(CONTAINS(json, "\"status\":\"duplicate\"") && CONTAINS(json, id1));
  q11_free(json);
  char* summary = NULL;
  EXPECT(q11_sync(canbo, &summary) == Q11_OK);
  EXPECT(CONTAINS(summary, "\"rejected\":0,"));
  q11_free(summary);
  EXPECT(q11_report_show_json(canbo, id1, &json) == Q11_OK);
  EXPECT(CONTAINS(json, event) && CONTAINS(json, "\"sync_state\":\"synced\""));
  q11_free(json);
  q11_free(event);

  /* The citizen edits what staff already moved on: parked for an administrator
     (docs/conflicts.md), kept in the settled list until discarded. */
  EXPECT(q11_settled_json(lan, &json) == Q11_OK && strcmp(json, "[]") == 0);
  q11_free(json);
  EXPECT(q11_report_edit(lan, id1, "Ngập nặng ở Lạc Long Quân", NULL) == Q11_OK);
  EXPECT(q11_sync(lan, NULL) == Q11_OK);
  EXPECT(q11_settled_json(lan, &json) == Q11_OK);
  EXPECT(CONTAINS(json, "\"verdict\":\"parked\"") && CONTAINS(json, id1));
  long long seq = -1;
  const char* seq_at = json != NULL ? strstr(json, "\"seq\":") : NULL;
  if (seq_at != NULL) seq = atoll(seq_at + 6);
  q11_free(json);
  EXPECT(seq > 0);
  EXPECT(q11_settled_discard(lan, seq) == Q11_OK);
  EXPECT(q11_settled_discard(lan, seq) == Q11_NOT_FOUND);
  EXPECT(q11_settled_json(lan, &json) == Q11_OK && strcmp(json, "[]") == 0);
  q11_free(json);

  /* The long poll, both ways: its request as JSON, and the blocking call (nothing new). */
  EXPECT(q11_wait_request_json(lan, 1, &json) == Q11_OK);
  EXPECT(CONTAINS(json, "{\"path\":\"/v1/changes/wait\",\"content_type\":\"application/json\""));
  EXPECT(CONTAINS(json, "\\\"timeout_seconds\\\":\\\"1\\\"") && CONTAINS(json, "\"bearer\":\""));
  q11_free(json);
  EXPECT(q11_wait_request_json(lan, 1, NULL) == Q11_MISUSE);
  changed = -1;
  EXPECT(q11_wait_for_changes(lan, 1, &changed) == Q11_OK && changed == 0);

  /* After logout nobody is logged in. */
  EXPECT(q11_logout(lan) == Q11_OK);
  EXPECT(q11_account_json(lan, &json) == Q11_NOT_FOUND);

  q11_free(id1);
  q11_free(id2);
  q11_close(lan);
  q11_close(canbo);
  return failures;
}
