// `syncserver scopes check [--fix]`: compares the scope checksums the server keeps
// (sync/changelog/scope_sums.h) with the ones its rows give now, naming each scope that
// differs; --fix stores the computed ones.
#pragma once

namespace q11::server {

int RunScopesCommand(int argc, char** argv);

}  // namespace q11::server
