// Group commit: the writes of requests that arrive together share one transaction, so
// one COMMIT (one WAL append and one fsync) makes all of them durable.
//
// Why: a push of 100 reports touches pages all over the indexes (random receipt codes,
// UUID keys), so each commit wrote about a megabyte of WAL, most of it the same index
// pages again; and with synchronous=FULL every commit waits for the disk while the next
// push queues behind the write lock. Eight devices syncing at once now pay for those
// pages and that wait once per group instead of once each.
//
// How: a request hands its write to Run() and waits. The writer thread takes every write
// waiting at that moment, runs them one after the other in one write transaction
// (SqlConn::BeginWrite ... Commit) on the write connection, and wakes their requests. Writes that
// arrive meanwhile wait for the next group. A lone request therefore commits at once, as before.
// One thread does all the writing so that the memory a push needs (its page images and journal)
// comes from one malloc arena, warm from the last push, instead of growing the arena of whichever
// request thread happened to run it (page faults were a third of a large push).
//
// Failure stays per request, without a savepoint per write (the in-memory sub-journal of
// an outer savepoint kept every page a 100-entry push touched until its end): when a
// write's job fails, which is rare (a database error, or a push entry refused after it had
// written: push_applier.h; other refusals are settled inside a push), the whole transaction
// is rolled back and the group runs again without it. If COMMIT fails, every write of the
// group gets the error; none was acknowledged, so the devices simply send again.
//
// Thread safety: Run() may be called from any number of threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

// One request's write. It runs on the write connection inside the group's transaction;
// returning an error takes back what it wrote. It may run more than once (see above): it
// must only write to the database and set its outputs.
using WriteJob = std::function<Status()>;

class GroupCommit {
 public:
  // Starts the writer thread. `write_mu` guards the write connection; the writer holds it
  // for the whole group. REQUIRES: db and write_mu outlive this.
  // `on_commit` (may be empty) is told how many writes each committed group made durable,
  // on the writer thread: it must be cheap (a metrics histogram).
  static Result<std::unique_ptr<GroupCommit>> Create(
      SqlConn& db, std::mutex& write_mu, size_t max_group = 64,
      std::function<void(size_t writes)> on_commit = {});

  // Lets the writes already handed over finish, then stops the writer thread.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `job` on the writer thread and returns once its writes are durable (its
  // Status), or failed.
  Status Run(const WriteJob& job);

  // How many transactions and jobs have been committed (for tests and the benchmark).
  struct Counts {
    uint64_t commits = 0;
    uint64_t jobs = 0;
  };
  Counts counts() const;
  // How many writes wait for the next group (not yet taken by the writer).
  size_t waiting() const;

 private:
  struct Pending {
    const WriteJob* job;
    Status result;
    bool done;
  };
  GroupCommit(SqlConn& db, std::mutex& write_mu, size_t max_group,
              std::function<void(size_t)> on_commit)
      : db_(&db), write_mu_(write_mu), max_group_(max_group), on_commit_(std::move(on_commit)) {}
  void Loop();
  void RunGroup(std::vector<Pending*> group);
  static Status RunJob(const Pending& p);

  SqlConn* db_;
  std::mutex& write_mu_;
  const size_t max_group_;
  const std::function<void(size_t)> on_commit_;

  mutable std::mutex mu_;         // guards the fields below
  std::condition_variable work_;  // the writer: writes are waiting, or stop
  std::condition_variable done_;  // the requests: a group is done
  std::vector<Pending*> waiting_;
  bool stop_ = false;
  Counts counts_;
  std::thread writer_;  // last: starts after everything above exists
};

}  // namespace q11::server
