// `syncserver serve --config=FILE`: the server's options from a Poco .properties file, as
// an operator keeps them under /etc (issue 16). Keys are `syncserver.` and an option's
// name (`syncserver.data`, `syncserver.port`, `syncserver.bind`, `syncserver.database`,
// `syncserver.max-watchers`...; a flag such as `syncserver.quiet` takes true or false).
// An option given on the command line overrides the file.
#pragma once

#include <string>

#include "app/cli_args.h"
#include "protocol/result.h"

namespace q11::server {

// Adds the options the file at `path` sets to `*args`, except those `*args` already has.
// kInvalidArgument names an unknown key or a flag that is neither true nor false;
// kNotFound a file that cannot be read.
Status MergeConfigFile(const std::string& path, const CliSpec& spec, CliArgs* args);

}  // namespace q11::server
