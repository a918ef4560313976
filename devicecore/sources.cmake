# The device library's sources, in two lists, read by devicecore/CMakeLists.txt (the native
# build) and devicecore/wasm/CMakeLists.txt (the WebAssembly build for the web app):
#   Q11_DEVICE_PORTABLE_SOURCES  plain C++20 + SQLite + zstd (+ protocol/ and filesync/):
#                                compiled by both builds. No Poco: JSON is protocol/json_value.h,
#                                SHA-256 protocol/sha256.h, URLs are parsed by server_url.cc.
#   Q11_DEVICE_NATIVE_SOURCES    the transport seam's native side (Poco HTTP(S) client, TLS
#                                context): the only Poco users. The WebAssembly build puts its
#                                own MakeHttpTransport (devicecore/wasm/) in their place.
# Paths are relative to devicecore/.
set(Q11_DEVICE_PORTABLE_SOURCES
  src/default_env.cc
  src/certificate_refusal.cc
  src/statement_cache.cc
  src/changeset_reader.cc
  src/device_schema.cc
  src/device_meta.cc
  src/touched_reports.cc
  src/outbox.cc
  src/local_writer.cc
  src/report_writes.cc
  src/case_life_writes.cc
  src/report_queries.cc
  src/report_filter.cc
  src/report_sync.cc
  src/database_impl.cc
  src/sync_request.cc
  src/pull_check.cc
  src/scope_rows.cc
  src/scope_repair.cc
  src/pull_applier.cc
  src/epoch_heal.cc
  src/sync_client.cc
  src/verify.cc
  src/login.cc
  src/register.cc
  src/token_refresh.cc
  src/photo_library.cc
  src/transport.cc
  src/server_url.cc
  src/server_call.cc
  src/change_wait.cc
  src/account_reply.cc
  src/json.cc
  src/photo_folder.cc
  src/photo_transfer.cc
  src/public_cases.cc
  src/c_api.cc
  src/c_api_app.cc)
set(Q11_DEVICE_NATIVE_SOURCES
  src/tls_client_context.cc
  src/http_transport.cc)
