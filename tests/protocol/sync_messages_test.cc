#include "protocol/sync_messages.h"

#include <catch2/catch.hpp>

using namespace q11;
using namespace q11::wire;

TEST_CASE("A sync request round-trips") {
  SyncRequest req;
  req.device_id = "dev-0190a1b2";
  req.cursor = 12345678901ull;
  req.max_pull_rows = 500;
  req.client = "q11/0.1.0";
  req.push.push_back({1, std::string("T\x02\x01reports\0", 12)});
  req.push.push_back({7, std::string(3000, 'c')});
  auto back = DecodeSyncRequest(EncodeSyncRequest(req));
  REQUIRE(back.ok());
  CHECK(back->device_id == req.device_id);
  CHECK(back->cursor == req.cursor);
  CHECK(back->max_pull_rows == 500);
  CHECK(back->client == "q11/0.1.0");
  REQUIRE(back->push.size() == 2);
  CHECK(back->push[0].local_seq == 1);
  CHECK(back->push[0].changeset == req.push[0].changeset);
  CHECK(back->push[1].changeset == req.push[1].changeset);
}

TEST_CASE("A sync response round-trips with verdicts and a pull") {
  SyncResponse resp;
  resp.cursor = 99;
  resp.has_more = true;
  resp.server_time_ms = 1795000000000;
  resp.pull_rows = 3;
  resp.verdicts.push_back({1, Verdict::kApplied, 97, ""});
  resp.verdicts.push_back({2, Verdict::kRejected, 0, "bảng units: thiết bị không được ghi"});
  resp.pull_changeset = std::string(10000, 'p');
  auto back = DecodeSyncResponse(EncodeSyncResponse(resp));
  REQUIRE(back.ok());
  CHECK(back->cursor == 99);
  CHECK(back->has_more);
  CHECK(back->server_time_ms == resp.server_time_ms);
  CHECK(back->pull_rows == 3);
  REQUIRE(back->verdicts.size() == 2);
  CHECK(back->verdicts[0].server_seq == 97);
  CHECK(back->verdicts[1].verdict == Verdict::kRejected);
  CHECK(back->verdicts[1].message == resp.verdicts[1].message);
  CHECK(back->pull_changeset == resp.pull_changeset);
}

TEST_CASE("Request and response are not interchangeable") {
  SyncRequest req;
  req.device_id = "d";
  auto r = DecodeSyncResponse(EncodeSyncRequest(req));
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Bad request fields are refused with a reason") {
  SyncRequest req;
  req.device_id = "";
  CHECK_THAT(DecodeSyncRequest(EncodeSyncRequest(req)).status().message(),
             Catch::Contains("device id"));
  req.device_id = "has space";
  CHECK_FALSE(DecodeSyncRequest(EncodeSyncRequest(req)).ok());
  req.device_id = std::string(65, 'a');
  CHECK_FALSE(DecodeSyncRequest(EncodeSyncRequest(req)).ok());
  req.device_id = "ok";
  req.push.push_back({5, "x"});
  req.push.push_back({5, "y"});
  CHECK_THAT(DecodeSyncRequest(EncodeSyncRequest(req)).status().message(),
             Catch::Contains("increasing"));
}

TEST_CASE("Every truncation of a request is refused") {
  SyncRequest req;
  req.device_id = "dev";
  req.push.push_back({1, std::string(200, 'z')});
  std::string bytes = EncodeSyncRequest(req);
  for (size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(DecodeSyncRequest(bytes.substr(0, n)).ok());
}

TEST_CASE("The epoch and the full-pull flag round-trip, and are absent by default") {
  SyncResponse resp;
  resp.cursor = 9;
  auto plain = DecodeSyncResponse(EncodeSyncResponse(resp));
  REQUIRE(plain.ok());
  CHECK(plain->epoch.empty());
  resp.epoch = "7b9f5d56eb9f15d18aa3704ee2a0272b";
  auto back = DecodeSyncResponse(EncodeSyncResponse(resp));
  REQUIRE(back.ok());
  CHECK(back->epoch == resp.epoch);

  SyncRequest req;
  req.device_id = "dev-1";
  auto normal = DecodeSyncRequest(EncodeSyncRequest(req));
  REQUIRE(normal.ok());
  CHECK_FALSE(normal->full_pull);
  CHECK(normal->known_epoch.empty());
  req.full_pull = true;
  req.known_epoch = "7b9f5d56eb9f15d18aa3704ee2a0272b";
  auto full = DecodeSyncRequest(EncodeSyncRequest(req));
  REQUIRE(full.ok());
  CHECK(full->full_pull);
  CHECK(full->known_epoch == req.known_epoch);
}

TEST_CASE("A malformed epoch or full-pull section is refused") {
  Envelope env;
  env.type = MessageType::kSyncResponse;
  env.sections.push_back({kResponseHeader, std::string(21, '\0')});
  env.sections.push_back({kEpoch, std::string("bad epoch\n")});
  CHECK(DecodeSyncResponse(EncodeEnvelope(env)).status().code() == StatusCode::kDataLoss);
  env.sections.back().bytes = std::string(65, 'a');
  CHECK(DecodeSyncResponse(EncodeEnvelope(env)).status().code() == StatusCode::kDataLoss);
  env.sections.back().bytes = std::string(64, 'a');
  CHECK(DecodeSyncResponse(EncodeEnvelope(env)).ok());

  SyncRequest req;
  req.device_id = "dev-1";
  req.full_pull = true;
  auto decoded = DecodeEnvelope(EncodeSyncRequest(req));
  REQUIRE(decoded.ok());
  for (Section& s : decoded->sections)
    if (s.type == kFullPull) s.bytes = std::string(1, '\2');
  CHECK(DecodeSyncRequest(EncodeEnvelope(*decoded)).status().code() == StatusCode::kDataLoss);
}

TEST_CASE("Scope checksums, a scope-only pull and drift reports round-trip") {
  SyncResponse resp;
  resp.cursor = 12;
  REQUIRE(DecodeSyncResponse(EncodeSyncResponse(resp))->scope_sums.empty());
  SyncResponse::ScopeCheck a{"r:abc", {}};
  a.sum.Add(Digest128{1, 2});
  SyncResponse::ScopeCheck ref{"ref", {}};
  ref.sum.Add(Digest128{~0ull, 5});
  ref.sum.Add(Digest128{3, ~0ull});
  resp.scope_sums = {a, ref};
  auto back = DecodeSyncResponse(EncodeSyncResponse(resp));
  REQUIRE(back.ok());
  CHECK(back->scope_sums == resp.scope_sums);

  SyncRequest req;
  req.device_id = "dev-1";
  auto plain = DecodeSyncRequest(EncodeSyncRequest(req));
  REQUIRE(plain.ok());
  CHECK(plain->scope_only.empty());
  CHECK(plain->drift.empty());
  req.scope_only = "u:p01";
  req.drift = {{"u:p01", 3, false}, {"ref", 1, true}};
  auto full = DecodeSyncRequest(EncodeSyncRequest(req));
  REQUIRE(full.ok());
  CHECK(full->scope_only == "u:p01");
  REQUIRE(full->drift.size() == 2);
  CHECK(full->drift[0].audience == "u:p01");
  CHECK(full->drift[0].rows_differing == 3);
  CHECK_FALSE(full->drift[0].repaired);
  CHECK(full->drift[1].repaired);
}

TEST_CASE("Malformed scope sections are refused") {
  SyncRequest req;
  req.device_id = "dev-1";
  req.drift.assign(kMaxDriftReports + 1, DriftReport{"ref", 1, false});
  CHECK_FALSE(DecodeSyncRequest(EncodeSyncRequest(req)).ok());
  req.drift.assign(1, DriftReport{"bad scope\n", 1, false});
  CHECK_FALSE(DecodeSyncRequest(EncodeSyncRequest(req)).ok());
  req.drift.clear();
  req.scope_only = std::string(kMaxAudienceBytes + 1, 'u');
  CHECK_FALSE(DecodeSyncRequest(EncodeSyncRequest(req)).ok());

  SyncResponse resp;
  resp.scope_sums.push_back({"ref", {}});
  auto env = DecodeEnvelope(EncodeSyncResponse(resp));
  REQUIRE(env.ok());
  for (Section& s : env->sections)
    if (s.type == kScopeSums) s.bytes.pop_back();
  CHECK(DecodeSyncResponse(EncodeEnvelope(*env)).status().code() == StatusCode::kDataLoss);
}
