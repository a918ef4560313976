// A bounds-only walk over the byte grammar of a changeset, run before SQLite's iterator
// ever sees client bytes.
//
// Why: Debian's SQLite 3.40.1 iterator trusts the framing of non-streamed input. A table
// header whose name has no NUL terminator inside the buffer (e.g. the single byte "T")
// makes sqlite3changeset_next spin forever in sessionChangesetBufferTblhdr (its
// sessionInputBuffer never reports end of input), and truncated varints are read past
// the end of the buffer. Checking the framing here first means the iterator only ever
// walks bytes whose every length and terminator lies inside the buffer.
//
// Grammar (ext/session/sqlite3session.h, "changeset format"):
//   changeset  := { table-header | change }*   (a change needs a header before it)
//   header     := 'T' varint(ncol) ncol×(0 | position in the primary key) name '\0'
//   change     := op(INSERT 18 | UPDATE 23 | DELETE 9) indirect(0|1) record(s)
//                 INSERT: new; DELETE: old; UPDATE: old then new
//   record     := ncol × value
//   value      := 0 (undefined) | 5 (NULL) | 1 int64 | 2 double | 3 varint(n) text[n]
//                 | 4 varint(n) blob[n]
// Patchsets ('P' headers) are refused: the protocol carries changesets only.
#pragma once

#include <string_view>

#include "protocol/result.h"

namespace q11::sql {

// Most columns a pushed table may declare (the synced tables have at most 15).
inline constexpr int kMaxChangesetColumns = 1000;

// OK when every element lies inside `bytes`; kInvalidArgument naming the offset otherwise.
Status CheckChangesetFraming(std::string_view bytes);

}  // namespace q11::sql
