// Read connections to the server database, pooled: each request borrows one (with its
// prepared statements and its pull builder's scratch database) and gives it back, so
// statements are prepared once per connection and pulls run in parallel (SQLite's WAL, and
// PostgreSQL's MVCC, let them read while the writer writes). The pool grows to the number
// of threads that read at once and never shrinks. The backend's store says how a
// connection is opened.
//
// Thread safety: Acquire() from any thread; a Lease is used by one thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "conflicts/conflict_context.h"
#include "conflicts/conflict_queries.h"
#include "monitor/monitor_queries.h"
#include "protocol/result.h"
#include "public/receipt_queries.h"
#include "store/sql/sql_conn.h"
#include "sync/pull/pull_builder.h"
#include "sync/table_shapes.h"

namespace q11::server {

struct Reader {
  std::unique_ptr<SqlConn> db;
  std::unique_ptr<PullBuilder> pull;
  SqlStmt account_by_id;
  SqlStmt account_by_name;
  SqlStmt list_accounts;
  SqlStmt device_owner;
  SqlStmt photo_holders;
  std::unique_ptr<ConflictQueries> conflicts;         // made on first use (admin reads are rare)
  std::unique_ptr<ConflictContext> conflict_context;  // made on first use
  std::unique_ptr<ReceiptQueries> receipts;           // made on first use
  std::unique_ptr<MonitorQueries> monitor;            // made on first use
};

class ReaderPool {
 public:
  // Opens one read connection, configured for reading.
  using Opener = std::function<Result<std::unique_ptr<SqlConn>>()>;
  // REQUIRES: shapes outlive the pool.
  ReaderPool(Opener open, const TableShapes& shapes) : open_(std::move(open)), shapes_(shapes) {}
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

  Opener open_;
  const TableShapes& shapes_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Reader>> idle_;
};

}  // namespace q11::server
