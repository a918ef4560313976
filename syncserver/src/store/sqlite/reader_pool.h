// Read connections to the server database, pooled: each request borrows one (with its
// prepared statements and its pull builder's scratch database) and gives it back, so
// statements are prepared once per connection and pulls run in parallel (WAL lets them
// read while the single writer writes). The pool grows to the number of threads that
// read at once and never shrinks.
//
// Thread safety: Acquire() from any thread; a Lease is used by one thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "conflicts/conflict_queries.h"
#include "monitor/monitor_queries.h"
#include "protocol/result.h"
#include "public/receipt_queries.h"
#include "q11sqlite/sqlite.h"
#include "sync/pull/pull_builder.h"
#include "sync/table_shapes.h"

namespace q11::server {

struct Reader {
  sql::Db db;
  std::unique_ptr<PullBuilder> pull;
  sql::Statement account_by_id;
  sql::Statement account_by_name;
  sql::Statement list_accounts;
  sql::Statement device_owner;
  sql::Statement photo_holders;
  std::unique_ptr<ConflictQueries> conflicts;  // made on first use (admin reads are rare)
  std::unique_ptr<ReceiptQueries> receipts;    // made on first use
  std::unique_ptr<MonitorQueries> monitor;     // made on first use
};

class ReaderPool {
 public:
  // REQUIRES: shapes outlive the pool.
  ReaderPool(std::string path, const TableShapes& shapes)
      : path_(std::move(path)), shapes_(shapes) {}
  ~ReaderPool();

  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Reader> r) : pool_(pool), reader_(std::move(r)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (reader_) pool_->Return(std::move(reader_));
    }
    Reader* operator->() { return reader_.get(); }
    Reader& operator*() { return *reader_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Reader> reader_;
  };

  Result<Lease> Acquire();

 private:
  Result<std::unique_ptr<Reader>> OpenReader();
  void Return(std::unique_ptr<Reader> r);

  std::string path_;
  const TableShapes& shapes_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Reader>> idle_;
};

}  // namespace q11::server
