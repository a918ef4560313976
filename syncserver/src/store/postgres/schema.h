// The PostgreSQL store's schema: the versioned list Migrate() (migrations.h) applies.
// Append new versions at the end; never edit one that has shipped.
#pragma once

#include <vector>

#include "store/postgres/migrations.h"

namespace q11::pg {

const std::vector<Migration>& ServerSchema();

}  // namespace q11::pg
