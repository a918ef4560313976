# Included by the top-level CMakeLists.txt: builds devicecore/wasm (a separate emscripten
# project) as the ExternalProject target q11core_wasm, and sets Q11_WASM_BUILT.
find_program(Q11_EMCMAKE emcmake)
set(q11_wasm_src ${PROJECT_SOURCE_DIR}/devicecore/wasm)
set(q11_wasm_missing "")
if(NOT Q11_EMCMAKE)
  set(q11_wasm_missing "emscripten's emcmake is not installed (Debian package emscripten)")
elseif(NOT EXISTS ${q11_wasm_src}/node_modules/better-sqlite3/deps/sqlite3/sqlite3.c
       OR NOT EXISTS ${q11_wasm_src}/node_modules/zstd-napi/deps/zstd/lib/zstd.h)
  set(q11_wasm_missing "the pinned SQLite and zstd sources are not installed (run "
                       "scripts/install-deps: npm ci --ignore-scripts in devicecore/wasm)")
endif()

if(q11_wasm_missing)
  if(Q11_WASM STREQUAL "ON")
    message(FATAL_ERROR "Q11_WASM is ON but ${q11_wasm_missing}")
  endif()
  message(STATUS "WebAssembly devicecore not built: ${q11_wasm_missing}")
  return()
endif()

include(ExternalProject)
# Debian's emscripten runs its JS tools with the system node and finds their modules only
# through NODE_PATH. The sub-build uses ccache like this one.
set(q11_wasm_env ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
if(Q11_CCACHE)
  list(APPEND q11_wasm_env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=1)
endif()
# Make shares its job slots with the sub-build ($(MAKE)); other generators get -j2.
if(CMAKE_GENERATOR MATCHES "Makefiles")
  set(q11_wasm_build_cmd ${q11_wasm_env} $(MAKE))
else()
  set(q11_wasm_build_cmd ${q11_wasm_env} ${CMAKE_COMMAND} --build <BINARY_DIR> -j2)
endif()
ExternalProject_Add(q11core_wasm
  SOURCE_DIR ${q11_wasm_src}
  BINARY_DIR ${CMAKE_BINARY_DIR}/wasm-build
  CONFIGURE_COMMAND ${q11_wasm_env} ${Q11_EMCMAKE} ${CMAKE_COMMAND} -S <SOURCE_DIR>
    -B <BINARY_DIR> -G ${CMAKE_GENERATOR} -DCMAKE_BUILD_TYPE=MinSizeRel
    -DQ11_WASM_OUTPUT_DIR=${Q11_WASM_OUTPUT_DIR}
  BUILD_COMMAND ${q11_wasm_build_cmd}
  INSTALL_COMMAND ""
  # The sub-build is incremental; running it every time is how it sees changed sources.
  BUILD_ALWAYS ON
  BUILD_BYPRODUCTS ${Q11_WASM_OUTPUT_DIR}/q11core.js ${Q11_WASM_OUTPUT_DIR}/q11core.wasm
  USES_TERMINAL_BUILD ON)
set(Q11_WASM_BUILT ON CACHE INTERNAL "ON when q11core_wasm is part of this build")
message(STATUS "WebAssembly devicecore: target q11core_wasm → ${Q11_WASM_OUTPUT_DIR}")
