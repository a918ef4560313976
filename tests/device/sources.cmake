# The device test suite's sources, read by tests/device/CMakeLists.txt (native) and by
# devicecore/wasm/CMakeLists.txt, which runs the same suite compiled to WebAssembly under node.
# None of them needs a server (tests/integration runs the real one). Paths relative to here.
set(Q11_DEVICE_TEST_SOURCES
  test_support.cc
  capture_test.cc
  outbox_atomicity_test.cc
  pull_apply_test.cc
  pull_check_test.cc
  sync_client_test.cc
  account_test.cc
  case_work_test.cc
  case_life_test.cc
  report_sync_test.cc
  report_filter_test.cc
  perf_test.cc
  photo_crash_test.cc
  server_url_test.cc
  scope_verify_test.cc)
