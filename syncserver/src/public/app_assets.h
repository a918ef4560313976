// The web app (devicecore/app/, docs/app.md) and, when emscripten was found, its
// WebAssembly engine (q11core.js, q11core.wasm), compiled into the binary at build time by
// embed_app.cmake: the server needs no files at run time and serves exactly the app it was
// built with. Each file comes with its `gzip -9 -n` bytes, precompressed once at build time.
#pragma once

#include <span>
#include <string_view>

namespace q11::server {

struct AppFile {
  std::string_view name;  // "index.html", "q11core.wasm": its path below /app/
  std::string_view hash;  // SHA-256 (hex, 32 digits) of `body`: the ETag
  std::string_view body;  // the bytes served (__Q11_APP_VERSION__ already replaced)
  std::string_view gzip;  // the same bytes compressed with gzip -9 -n
};

// Every embedded file, sorted by name within the app's own files; static storage.
std::span<const AppFile> AppFiles();

// A short hash (12 hex digits) of every embedded file as built: it replaced the literal
// __Q11_APP_VERSION__ in the served files (the service worker's cache name).
std::string_view AppVersion();

// Whether q11core.js and q11core.wasm were built (emscripten found) and are embedded.
bool AppHasEngine();

}  // namespace q11::server
