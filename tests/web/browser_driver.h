// What the browser-test drivers share: finding chromium, node and playwright-core (a test
// that lacks them is skipped with ctest's code 77, except in CI where it fails), and failing
// loudly on the first error.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "protocol/result.h"

namespace q11::test::web {

inline constexpr int kSkip = 77;  // ctest SKIP_RETURN_CODE

inline bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The first executable `program` in $PATH, or "".
inline std::string FindInPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

struct BrowserTools {
  std::string chromium, node;
};

// Chromium (/usr/bin/chromium or $Q11_CHROMIUM), node in PATH and WEB_DIR/node_modules
// (scripts/install-deps installs them); nullopt, after printing what is missing, otherwise.
inline std::optional<BrowserTools> FindBrowserTools(const std::string& web_dir) {
  const char* chromium_env = std::getenv("Q11_CHROMIUM");
  BrowserTools t{chromium_env ? chromium_env : "/usr/bin/chromium", FindInPath("node")};
  if (!Exists(t.chromium) || t.node.empty() || !Exists(web_dir + "/node_modules/playwright-core")) {
    std::printf("SKIP: needs %s, node in PATH and %s/node_modules (run scripts/install-deps)\n",
                t.chromium.c_str(), web_dir.c_str());
    return std::nullopt;
  }
  return t;
}

// Node in PATH and WEB_DIR/node_modules/`package`, for a test that needs no browser: the
// path of node, or nullopt after printing what is missing.
inline std::optional<std::string> FindNodeWith(const std::string& web_dir,
                                               const std::string& package) {
  std::string node = FindInPath("node");
  if (node.empty() || !Exists(web_dir + "/node_modules/" + package)) {
    std::printf("SKIP: needs node in PATH and %s/node_modules/%s (run scripts/install-deps)\n",
                web_dir.c_str(), package.c_str());
    return std::nullopt;
  }
  return node;
}

// The exit code when the browser tooling is missing: a skip on a developer's machine, but
// a failure in CI (CI set and not "false", or Q11_REQUIRE_BROWSER=1), where a skipped
// browser test would let a broken page land with a green run.
inline int MissingTools() {
  const char* ci = std::getenv("CI");
  const char* required = std::getenv("Q11_REQUIRE_BROWSER");
  const bool must = (ci != nullptr && *ci != '\0' && std::string(ci) != "false") ||
                    (required != nullptr && std::string(required) == "1");
  if (!must) return kSkip;
  std::fprintf(stderr, "FAIL: the browser test cannot be skipped in CI\n");
  return 1;
}

[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Fail(what + ": " + r.status().ToString());
  return std::move(r).value();
}

inline void MustOk(const Status& s, const std::string& what) {
  if (!s.ok()) Fail(what + ": " + s.ToString());
}

}  // namespace q11::test::web
