// `syncserver units list|add|retire|merge`: changing the units of administration
// (docs/units.md), on either engine, through the change log so devices follow.
#pragma once

namespace q11::server {

int RunUnitsCommand(int argc, char** argv);

}  // namespace q11::server
