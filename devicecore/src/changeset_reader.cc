#include "changeset_reader.h"

#include "q11sqlite/changeset_framing.h"

namespace q11::device {

ChangesetReader::ChangesetReader(std::string_view changeset) {
  // SQLite's iterator hangs or over-reads on bad framing: never let it see such bytes.
  if (!sql::CheckChangesetFraming(changeset).ok()) {
    start_rc_ = SQLITE_CORRUPT;
    return;
  }
  sqlite3_changeset_iter* raw = nullptr;
  // sqlite3changeset_start only reads the buffer; its parameter is not const for history.
  start_rc_ = sqlite3changeset_start(&raw, static_cast<int>(changeset.size()),
                                     const_cast<char*>(changeset.data()));
  it_.reset(raw);
}

Result<bool> ChangesetReader::Next() {
  if (start_rc_ != SQLITE_OK || !it_) return DataLoss("malformed changeset");
  int rc = sqlite3changeset_next(it_.get());
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return DataLoss("malformed changeset");
  const char* table = nullptr;
  int indirect = 0;
  if (sqlite3changeset_op(it_.get(), &table, &ncol_, &op_, &indirect) != SQLITE_OK)
    return DataLoss("malformed changeset");
  table_ = table != nullptr ? table : "";
  return true;
}

sqlite3_value* ChangesetReader::Old(int col) const {
  sqlite3_value* v = nullptr;
  if (op_ == SQLITE_INSERT || col < 0 || col >= ncol_) return nullptr;
  if (sqlite3changeset_old(it_.get(), col, &v) != SQLITE_OK) return nullptr;
  return v;
}

sqlite3_value* ChangesetReader::New(int col) const {
  sqlite3_value* v = nullptr;
  if (op_ == SQLITE_DELETE || col < 0 || col >= ncol_) return nullptr;
  if (sqlite3changeset_new(it_.get(), col, &v) != SQLITE_OK) return nullptr;
  return v;
}

sqlite3_value* ChangesetReader::Value(int col) const {
  sqlite3_value* v = New(col);
  return v != nullptr ? v : Old(col);
}

std::string ChangesetReader::Text(int col) const {
  sqlite3_value* v = Value(col);
  if (v == nullptr || sqlite3_value_type(v) == SQLITE_NULL) return std::string();
  const unsigned char* t = sqlite3_value_text(v);
  return t != nullptr ? std::string(reinterpret_cast<const char*>(t), sqlite3_value_bytes(v))
                      : std::string();
}

std::string ChangesetReader::RowKey() const {
  unsigned char* pk = nullptr;
  int n = 0;
  std::string key(table_);
  if (sqlite3changeset_pk(it_.get(), &pk, &n) != SQLITE_OK) return key;
  for (int i = 0; i < n; ++i) {
    if (!pk[i]) continue;
    key += '\x1f';
    key += Text(i);
  }
  return key;
}

}  // namespace q11::device
