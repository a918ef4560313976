// Prepared statements kept for the life of a connection, so hot paths (the outbox, the
// report writes, the sync apply) prepare each SQL text once.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "q11sqlite/sqlite.h"

namespace q11::device {

class StatementCache {
 public:
  // "*db" must outlive the cache.
  explicit StatementCache(sql::Db* db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // A borrowed statement, reset (and its bindings cleared) when the lease ends, so no read
  // is left open on the connection. One lease per SQL text at a time.
  class Lease {
   public:
    explicit Lease(sql::Statement* s) : s_(s) {}
    Lease(Lease&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (s_ != nullptr) s_->Reset();
    }
    sql::Statement& operator*() const { return *s_; }
    sql::Statement* operator->() const { return s_; }

   private:
    sql::Statement* s_;
  };

  // The statement for `sql`, prepared on first use.
  Result<Lease> Get(std::string_view sql);

 private:
  sql::Db* db_;
  std::unordered_map<std::string, sql::Statement> stmts_;  // nodes never move
};

}  // namespace q11::device
