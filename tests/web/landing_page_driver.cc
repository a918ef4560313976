// ctest "web: landing page": starts the real server and runs landing_page.test.mjs in
// headless chromium against / and /app/ (the links, phone width, keyboard, the policies).
// Exits 77 (skip) when chromium, node or tests/web/node_modules is missing.
#include <cstdio>
#include <string>

#include "browser_driver.h"
#include "test_support.h"

using namespace q11::test;
using namespace q11::test::web;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TESTS_WEB_DIR OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string web_dir = argv[1], out_dir = argv[2];
  std::optional<BrowserTools> tools = FindBrowserTools(web_dir);
  if (!tools) return MissingTools();
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  if (!server.Start()) Fail("server start: " + server.error());
  CommandResult browser =
      Run({tools->node, web_dir + "/landing_page.test.mjs", "--url=" + server.url(),
           "--chromium=" + tools->chromium, "--screenshots=" + out_dir + "/landing_page"});
  std::fputs(browser.out.c_str(), stdout);
  std::fputs(browser.err.c_str(), stderr);
  if (browser.exit_code != 0)
    Fail("the browser test failed (exit " + std::to_string(browser.exit_code) + ")");
  return 0;
}
