# Build-time step (cmake -P) that prepares the web app's files for syncserver to embed
# (syncserver/CMakeLists.txt runs it; src/app_assets.h is what the server sees).
#
#   -DSOURCE_DIR=devicecore/app     every file under it is served at /app/<relative name>
#   -DHAS_ENGINE=0|1                whether the WebAssembly engine was built, then
#   -DENGINE_DIR=dir                holds q11core.js and q11core.wasm, served by that name
#   -DSTAGE_DIR=dir                 where the prepared copies go
#   -DOUTPUT=app_assets_data.cc     the generated C++ source
#   -DGZIP=/usr/bin/gzip
#
# For each file it stages the bytes to serve and their `gzip -9 -n` (no name, no time, so
# the output depends on the content only), and writes a small C++ source that pulls them in
# with the assembler's .incbin: the binary gets the bytes without a multi-megabyte array
# literal to compile. The source names each file's SHA-256, so it changes exactly when a
# staged file does: the compiler (and ccache, which hashes the source) then rebuild it.
#
# The app version is a short hash of every input file; it replaces the literal
# __Q11_APP_VERSION__ wherever a file holds it (sw.js's cache name), so each new build of
# the app makes browsers install the new service worker and drop the old cache.
cmake_minimum_required(VERSION 3.25)

foreach(var SOURCE_DIR STAGE_DIR OUTPUT GZIP)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_app.cmake: -D${var}= is missing")
  endif()
endforeach()

# name → input path, the app's own files first (sorted, so the version is stable).
file(GLOB_RECURSE app_files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/*)
list(FILTER app_files EXCLUDE REGEX "(^|/)\\.")  # editor and OS droppings
list(SORT app_files)
set(names)
foreach(name ${app_files})
  list(APPEND names ${name})
  set(input_${name} ${SOURCE_DIR}/${name})
endforeach()
set(engine_files)
if(HAS_ENGINE)
  set(engine_files ${ENGINE_DIR}/q11core.js ${ENGINE_DIR}/q11core.wasm)
endif()
foreach(path ${engine_files})
  get_filename_component(name ${path} NAME)
  if(NOT EXISTS ${path})
    message(FATAL_ERROR "embed_app.cmake: ${path} is missing (the WebAssembly build failed?)")
  endif()
  if(DEFINED input_${name})
    message(FATAL_ERROR "embed_app.cmake: devicecore/app/${name} clashes with ${path}")
  endif()
  list(APPEND names ${name})
  set(input_${name} ${path})
endforeach()

if(NOT names)
  message(FATAL_ERROR "embed_app.cmake: ${SOURCE_DIR} holds no files")
endif()

set(placeholder "__Q11_APP_VERSION__")
set(manifest "")
foreach(name ${names})
  file(SHA256 ${input_${name}} sum)
  string(APPEND manifest "${name}\n${sum}\n")
endforeach()
string(SHA256 version "${manifest}")
string(SUBSTRING ${version} 0 12 version)

file(MAKE_DIRECTORY ${STAGE_DIR})
set(entries "")
set(asm "")
set(index 0)
foreach(name ${names})
  set(input ${input_${name}})
  set(staged ${STAGE_DIR}/${name})
  get_filename_component(staged_dir ${staged} DIRECTORY)
  file(MAKE_DIRECTORY ${staged_dir})
  # file(STRINGS) reads binary files safely; only text files hold the placeholder.
  file(STRINGS ${input} marked REGEX "${placeholder}")
  if(marked)
    file(READ ${input} text)
    string(REPLACE "${placeholder}" "${version}" text "${text}")
    file(WRITE ${staged}.tmp "${text}")
    file(COPY_FILE ${staged}.tmp ${staged} ONLY_IF_DIFFERENT)
    file(REMOVE ${staged}.tmp)
  else()
    file(COPY_FILE ${input} ${staged} ONLY_IF_DIFFERENT)
  endif()
  file(SHA256 ${staged} sum)
  # Compress again only when the staged bytes changed (the wasm takes a moment).
  set(gz_sum "")
  if(EXISTS ${staged}.gz.sha256)
    file(READ ${staged}.gz.sha256 gz_sum)
  endif()
  if(NOT gz_sum STREQUAL sum OR NOT EXISTS ${staged}.gz)
    execute_process(COMMAND ${GZIP} -9 -n -c ${staged} OUTPUT_FILE ${staged}.gz
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "embed_app.cmake: ${GZIP} -9 -n ${staged} failed (${rc})")
    endif()
    file(WRITE ${staged}.gz.sha256 "${sum}")
  endif()
  # Names stay plain ASCII without quotes or backslashes, so they are safe in both sources.
  if(NOT name MATCHES "^[A-Za-z0-9._/-]+$")
    message(FATAL_ERROR "embed_app.cmake: ${name}: app file names must be [A-Za-z0-9._/-]")
  endif()
  set(sym q11_app_${index})
  file(SHA256 ${staged}.gz gz_sum)
  string(APPEND asm
    "    // ${name}: sha256 ${sum}, gzip ${gz_sum}\n"
    "    \".balign 16\\n${sym}:\\n.incbin \\\"${staged}\\\"\\n${sym}_end:\\n\"\n"
    "    \".balign 16\\n${sym}_gz:\\n.incbin \\\"${staged}.gz\\\"\\n${sym}_gz_end:\\n\"\n")
  string(APPEND decls
    "extern \"C\" const char ${sym}[], ${sym}_end[], ${sym}_gz[], ${sym}_gz_end[];\n")
  string(SUBSTRING ${sum} 0 32 etag)
  string(APPEND entries
    "    {\"${name}\", \"${etag}\", Bytes(${sym}, ${sym}_end), Bytes(${sym}_gz, ${sym}_gz_end)},\n")
  math(EXPR index "${index} + 1")
endforeach()

# Files staged for an earlier build whose source is gone.
file(GLOB_RECURSE staged_files RELATIVE ${STAGE_DIR} ${STAGE_DIR}/*)
foreach(staged ${staged_files})
  string(REGEX REPLACE "\\.gz(\\.sha256)?$" "" name ${staged})
  if(NOT name IN_LIST names)
    file(REMOVE ${STAGE_DIR}/${staged})
  endif()
endforeach()

if(HAS_ENGINE)
  set(has_engine true)
else()
  set(has_engine false)
endif()
# Written every time: this step runs only when an input changed, and the output must end
# up newer than its inputs.
file(WRITE ${OUTPUT}
"// Generated by syncserver/embed_app.cmake from devicecore/app/ (and the WebAssembly
// engine when it was built); see src/app_assets.h. Do not edit.
#include \"public/app_assets.h\"

// The staged files, placed in read-only data by the assembler (.incbin).
__asm__(\".pushsection .rodata\\n\"
${asm}    \".popsection\\n\");

${decls}
namespace q11::server {
namespace {

std::string_view Bytes(const char* begin, const char* end) {
  return std::string_view(begin, static_cast<size_t>(end - begin));
}

const AppFile kFiles[] = {
${entries}};

}  // namespace

std::span<const AppFile> AppFiles() { return kFiles; }
std::string_view AppVersion() { return \"${version}\"; }
bool AppHasEngine() { return ${has_engine}; }

}  // namespace q11::server
")
