#include "protocol/scope_digest.h"

#include <catch2/catch.hpp>

using namespace q11::wire;

namespace {

Digest128 Row(std::string_view table, std::string_view id, int64_t n) {
  RowDigester d(table);
  d.AddText(id);
  d.AddInteger(n);
  return d.Finish();
}

}  // namespace

TEST_CASE("A row's digest depends on every value, its type and its table") {
  const Digest128 base = Row("reports", "a", 1);
  CHECK(Row("reports", "a", 1) == base);
  CHECK_FALSE(Row("reports", "a", 2) == base);
  CHECK_FALSE(Row("reports", "b", 1) == base);
  CHECK_FALSE(Row("photos", "a", 1) == base);

  RowDigester null_col("t");
  null_col.AddNull();
  RowDigester empty_text("t");
  empty_text.AddText("");
  RowDigester empty_blob("t");
  empty_blob.AddBlob("");
  const Digest128 n = null_col.Finish(), t = empty_text.Finish(), b = empty_blob.Finish();
  CHECK_FALSE(n == t);
  CHECK_FALSE(t == b);

  RowDigester one("t");
  one.AddInteger(1);
  RowDigester one_real("t");
  one_real.AddReal(1.0);
  CHECK_FALSE(one.Finish() == one_real.Finish());

  // Column boundaries count: ("ab", "c") is not ("a", "bc").
  RowDigester split1("t");
  split1.AddText("ab");
  split1.AddText("c");
  RowDigester split2("t");
  split2.AddText("a");
  split2.AddText("bc");
  CHECK_FALSE(split1.Finish() == split2.Finish());
}

TEST_CASE("A scope sum is order-independent and a removal undoes an addition") {
  const Digest128 r1 = Row("reports", "1", 1), r2 = Row("reports", "2", 1),
                  r3 = Row("case_events", "3", 7);
  ScopeSum forward, backward;
  forward.Add(r1);
  forward.Add(r2);
  forward.Add(r3);
  backward.Add(r3);
  backward.Add(r2);
  backward.Add(r1);
  CHECK(forward == backward);
  CHECK(forward.rows == 3);

  ScopeSum changed = forward;
  changed.Remove(r2);
  changed.Add(Row("reports", "2", 2));  // the row changed
  CHECK_FALSE(changed == forward);
  changed.Remove(Row("reports", "2", 2));
  changed.Add(r2);
  CHECK(changed == forward);

  ScopeSum empty;
  empty.Add(r1);
  empty.Remove(r1);
  CHECK(empty == ScopeSum{});
}

TEST_CASE("A scope sum's hex form parses back") {
  ScopeSum s;
  s.Add(Row("units", "p01", 0));
  const std::string hex = s.Hex();
  CHECK(hex.size() == 32);
  auto back = ParseDigestHex(hex);
  REQUIRE(back.ok());
  CHECK(*back == s.sum);
  CHECK_FALSE(ParseDigestHex("xyz").ok());
  CHECK_FALSE(ParseDigestHex(std::string(32, 'g')).ok());
}
