// The libpq wrapper (store/postgres/connection.h): its errors, parameters, prepared
// statements, transactions and the retryable failures.
#include <atomic>
#include <future>
#include <thread>

#include "pg_test.h"

using namespace q11;
using q11::pg::Param;

TEST_CASE("a URL that is not a PostgreSQL URL is refused with a clear message", "[postgres]") {
  auto c = pg::Connection::Open("mysql://root@127.0.0.1/db");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == StatusCode::kInvalidArgument);
  CHECK(c.status().message().find("postgresql://") != std::string::npos);

  auto bad = pg::Connection::Open("postgresql://q11@127.0.0.1:5432/db?no_such_option=1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("no_such_option") != std::string::npos);
}

TEST_CASE("a refused connection is unavailable, its message names the server, not the password",
          "[postgres]") {
  // Nothing listens on port 1 of the loopback address.
  auto c = pg::Connection::Open("postgresql://q11:s3cret@127.0.0.1:1/db");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == StatusCode::kUnavailable);
  INFO(c.status().message());
  CHECK(c.status().message().find("127.0.0.1") != std::string::npos);
  CHECK(c.status().message().find("refused") != std::string::npos);
  CHECK(c.status().message().find("s3cret") == std::string::npos);
}

TEST_CASE("SQL errors carry the server's message and SQLSTATE", "[postgres]") {
  auto server = test::Server();
  auto db = test::Connect(server->url());
  auto r = db.Query("SELECT * FROM no_such_table");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInternal);
  CHECK(r.status().message().find("relation \"no_such_table\" does not exist") !=
        std::string::npos);
  CHECK(r.status().message().find("SQLSTATE 42P01") != std::string::npos);
  CHECK_FALSE(pg::IsRetryable(r.status()));

  REQUIRE_OK(db.Exec("CREATE TABLE t (k text PRIMARY KEY)"));
  REQUIRE_OK(db.Query("INSERT INTO t VALUES ($1)", {Param::Text("a")}));
  auto dup = db.Query("INSERT INTO t VALUES ($1)", {Param::Text("a")});
  CHECK(dup.status().code() == StatusCode::kAlreadyExists);
  // A wrong database name on a running server: the server's refusal, as unavailable.
  auto nodb = pg::Connection::Open(server->UrlFor("no_such_db"));
  REQUIRE_FALSE(nodb.ok());
  CHECK(nodb.status().message().find("no_such_db") != std::string::npos);
}

TEST_CASE("a connection the server ends is unavailable", "[postgres]") {
  auto server = test::Server();
  auto victim = test::Connect(server->url());
  auto admin = test::Connect(server->url());
  REQUIRE_OK(admin.Query("SELECT pg_terminate_backend($1)", {Param::Int4(victim.backend_pid())}));
  auto r = victim.Query("SELECT 1");
  REQUIRE_FALSE(r.ok());
  INFO(r.status().ToString());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK_FALSE(pg::IsRetryable(r.status()));
  // The guard of a transaction on a dead connection gives up quietly.
  auto txn = pg::Transaction::Begin(victim);
  CHECK(txn.status().code() == StatusCode::kUnavailable);
}

TEST_CASE("parameters travel as text with their types, bytes and arrays round-trip", "[postgres]") {
  auto server = test::Server();
  auto db = test::Connect(server->url());
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  auto r = db.Query("SELECT $1::bytea, $2::int8 + 1, $3::bool, $4::text IS NULL",
                    {Param::Bytea(all_bytes), Param::Int8(9007199254740993), Param::Bool(true),
                     Param::Null(pg::kText)});
  REQUIRE_OK(r);
  CHECK(r->Bytea(0, 0).value() == all_bytes);
  CHECK(r->Int8(0, 1).value() == 9007199254740994);
  CHECK(r->Bool(0, 2).value());
  CHECK(r->Bool(0, 3).value());

  const std::vector<std::string> texts = {"plain", "with \"quotes\"",  "back\\slash", "",
                                          "NULL",  "{braces}, commas", "Quận 11"};
  auto a = db.Query("SELECT u FROM unnest($1::text[]) WITH ORDINALITY AS x(u, n) ORDER BY n",
                    {Param::TextArray(texts)});
  REQUIRE_OK(a);
  REQUIRE(a->size() == static_cast<int>(texts.size()));
  for (size_t i = 0; i < texts.size(); ++i) CHECK(a->Text(static_cast<int>(i), 0) == texts[i]);
  CHECK_FALSE(a->IsNull(4, 0));  // the string "NULL", not SQL NULL
}

TEST_CASE("prepared statements are prepared once per connection and reused", "[postgres]") {
  auto server = test::Server();
  auto db = test::Connect(server->url());
  const pg::Statement add{"add", "SELECT $1::int8 + $2::int8", {pg::kInt8, pg::kInt8}};
  for (int i = 0; i < 3; ++i) {
    auto r = db.Run(add, {Param::Int8(i), Param::Int8(40)});
    REQUIRE_OK(r);
    CHECK(r->Int8(0, 0).value() == i + 40);
  }
  auto n = db.Query("SELECT count(*) FROM pg_prepared_statements WHERE name = 'add'");
  REQUIRE_OK(n);
  CHECK(n->Int8(0, 0).value() == 1);
  // Same name, other SQL: refused instead of silently running the old statement.
  const pg::Statement other{"add", "SELECT $1::int8 - $2::int8", {pg::kInt8, pg::kInt8}};
  CHECK(db.Run(other, {Param::Int8(1), Param::Int8(2)}).status().code() ==
        StatusCode::kInvalidArgument);
  // Parameters must match the declared types and count.
  CHECK(db.Run(add, {Param::Text("1"), Param::Int8(2)}).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(db.Run(add, {Param::Int8(1)}).status().code() == StatusCode::kInvalidArgument);
  // A second connection prepares its own copy.
  auto db2 = test::Connect(server->url());
  REQUIRE_OK(db2.Run(add, {Param::Int8(1), Param::Int8(1)}));
}

TEST_CASE("the transaction guard rolls back, COMMIT after a failed statement is no success",
          "[postgres]") {
  auto server = test::Server();
  auto db = test::Connect(server->url());
  REQUIRE_OK(db.Exec("CREATE TABLE t (k int PRIMARY KEY)"));
  {
    auto txn = pg::Transaction::Begin(db);
    REQUIRE_OK(txn);
    REQUIRE_OK(db.Query("INSERT INTO t VALUES (1)"));
    CHECK(db.InTransaction());
    // Leaves the scope without Commit(): an early return on error.
  }
  CHECK_FALSE(db.InTransaction());
  CHECK(db.Query("SELECT * FROM t")->size() == 0);

  {
    auto txn = pg::Transaction::Begin(db);
    REQUIRE_OK(txn);
    CHECK(pg::Transaction::Begin(db).status().code() == StatusCode::kFailedPrecondition);
    REQUIRE_OK(db.Query("INSERT INTO t VALUES (2)"));
    CHECK_FALSE(db.Query("INSERT INTO t VALUES (2)").ok());  // the transaction is now failed
    Status s = txn->Commit();
    CHECK(s.code() == StatusCode::kAborted);
    CHECK_FALSE(pg::IsRetryable(s));
    CHECK_FALSE(txn->active());
  }
  CHECK(db.Query("SELECT * FROM t")->size() == 0);

  auto txn = pg::Transaction::Begin(db, pg::Isolation::kSerializable);
  REQUIRE_OK(txn);
  REQUIRE_OK(db.Query("INSERT INTO t VALUES (3)"));
  REQUIRE_OK(txn->Commit());
  CHECK(db.Query("SELECT * FROM t")->size() == 1);
}

TEST_CASE("a serialization failure (40001) is retryable, and RunTransaction retries it",
          "[postgres]") {
  auto server = test::Server();
  auto a = test::Connect(server->url());
  auto b = test::Connect(server->url());
  REQUIRE_OK(
      a.Exec("CREATE TABLE c (k int PRIMARY KEY, v int NOT NULL); INSERT INTO c VALUES (1, 0)"));

  // B's snapshot is taken before A's update commits; B's own update must then fail.
  auto tb = pg::Transaction::Begin(b, pg::Isolation::kRepeatableRead);
  REQUIRE_OK(tb);
  REQUIRE_OK(b.Query("SELECT v FROM c WHERE k = 1"));
  REQUIRE_OK(a.Query("UPDATE c SET v = v + 1 WHERE k = 1"));
  auto lost = b.Query("UPDATE c SET v = v + 10 WHERE k = 1");
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.status().code() == StatusCode::kAborted);
  CHECK(lost.status().message().find("SQLSTATE 40001") != std::string::npos);
  CHECK(pg::IsRetryable(lost.status()));
  REQUIRE_OK(tb->Rollback());

  // The same race inside RunTransaction: the first attempt fails, the second succeeds.
  int attempts = 0;
  Status s = pg::RunTransaction(b, pg::Isolation::kRepeatableRead, [&](pg::Transaction& t) {
    ++attempts;
    Q11_RETURN_IF_ERROR(t.conn().Query("SELECT v FROM c WHERE k = 1").status());
    if (attempts == 1) Q11_RETURN_IF_ERROR(a.Query("UPDATE c SET v = v + 1 WHERE k = 1").status());
    return t.conn().Query("UPDATE c SET v = v + 10 WHERE k = 1").status();
  });
  REQUIRE_OK(s);
  CHECK(attempts == 2);
  CHECK(a.Query("SELECT v FROM c")->Int8(0, 0).value() == 12);  // no update lost
}

TEST_CASE("a deadlock (40P01) is retryable", "[postgres]") {
  auto server = test::Server();
  auto a = test::Connect(server->url());
  auto b = test::Connect(server->url());
  REQUIRE_OK(a.Exec("CREATE TABLE d (k int PRIMARY KEY); INSERT INTO d VALUES (1), (2)"));
  REQUIRE_OK(a.Exec("SET deadlock_timeout = '50ms'"));
  REQUIRE_OK(b.Exec("SET deadlock_timeout = '50ms'"));
  auto ta = pg::Transaction::Begin(a);
  auto tb = pg::Transaction::Begin(b);
  REQUIRE_OK(ta);
  REQUIRE_OK(tb);
  REQUIRE_OK(a.Query("SELECT * FROM d WHERE k = 1 FOR UPDATE"));
  REQUIRE_OK(b.Query("SELECT * FROM d WHERE k = 2 FOR UPDATE"));
  // A waits for B's row on its own thread; B then asks for A's: one of them is the victim.
  auto a_second = std::async(std::launch::async, [&] {
    return a.Query("SELECT * FROM d WHERE k = 2 FOR UPDATE").status();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Status b_second = b.Query("SELECT * FROM d WHERE k = 1 FOR UPDATE").status();
  if (b_second.ok()) (void)tb->Rollback();  // should not happen; let A go on
  Status a_status = a_second.get();
  if (!b_second.ok()) (void)tb->Rollback();
  const Status& victim = b_second.ok() ? a_status : b_second;
  INFO(victim.ToString());
  CHECK(victim.message().find("SQLSTATE 40P01") != std::string::npos);
  CHECK(pg::IsRetryable(victim));
  CHECK(a_status.ok() != b_second.ok());  // exactly one victim
}
