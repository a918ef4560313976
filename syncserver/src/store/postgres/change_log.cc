#include "store/postgres/change_log.h"

#include <algorithm>

namespace q11::pg {
namespace {

// The counter update and the inserts in one statement: it takes the counter row's lock, so
// the transaction must end right after it (change_log.h). $5/$6 list each audience with
// the 1-based index of its entry (arrays cannot be ragged).
const Statement kAppend{"q11_change_log_append",
                        R"sql(
WITH head AS (
  UPDATE sync_head SET seq = seq + $1 WHERE id RETURNING seq
), e AS (
  SELECT head.seq - $1 + u.ord AS seq, u.tbl, u.pk, u.deleted
  FROM head, unnest($2::text[], $3::text[], $4::boolean[]) WITH ORDINALITY AS u(tbl, pk, deleted, ord)
), logged AS (
  INSERT INTO change_log (seq, tbl, pk, deleted) SELECT seq, tbl, pk, deleted FROM e
), filed AS (
  INSERT INTO change_audience (audience, seq)
  SELECT a.audience, head.seq - $1 + a.idx
  FROM head, unnest($5::text[], $6::bigint[]) AS a(audience, idx)
)
SELECT seq FROM head)sql",
                        {kInt8, kTextArray, kTextArray, kBoolArray, kTextArray, kInt8Array}};

// One statement, one snapshot: the page and the counter it is consistent with. DISTINCT
// because an entry may be filed under several of the audiences asked for: the LIMIT must
// count entries, or a short page would look like the end and the cursor jump to the head.
const Statement kPull{"q11_change_log_pull",
                      R"sql(
SELECT h.seq, e.seq, e.tbl, e.pk, e.deleted
FROM sync_head h
LEFT JOIN LATERAL (
  SELECT l.seq, l.tbl, l.pk, l.deleted
  FROM change_log l
  WHERE l.seq IN (SELECT DISTINCT a.seq FROM change_audience a
                  WHERE a.audience = ANY($1) AND a.seq > $2
                  ORDER BY a.seq LIMIT $3)
) e ON true
ORDER BY e.seq)sql",
                      {kTextArray, kInt8, kInt8}};

const Statement kHead{"q11_change_log_head", "SELECT seq FROM sync_head", {}};

}  // namespace

Result<SeqRange> Append(Transaction& txn, const std::vector<ChangeEntry>& entries) {
  if (!txn.active()) return FailedPrecondition("change log append outside a transaction");
  SeqRange range;
  if (entries.empty()) return range;
  std::vector<std::string> tables, pks, audiences;
  std::vector<bool> deleted;
  std::vector<int64_t> index;
  for (size_t i = 0; i < entries.size(); ++i) {
    tables.push_back(entries[i].table);
    pks.push_back(entries[i].pk);
    deleted.push_back(entries[i].deleted);
    const auto& mine = entries[i].audiences;
    for (size_t j = 0; j < mine.size(); ++j) {
      const std::string& a = mine[j];
      if (std::find(mine.begin(), mine.begin() + j, a) != mine.begin() + j) continue;  // twice
      audiences.push_back(a);
      index.push_back(static_cast<int64_t>(i) + 1);
    }
  }
  const auto n = static_cast<int64_t>(entries.size());
  auto rows = txn.conn().Run(
      kAppend, {Param::Int8(n), Param::TextArray(tables), Param::TextArray(pks),
                Param::BoolArray(deleted), Param::TextArray(audiences), Param::Int8Array(index)});
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1) return Internal("the change-log counter row sync_head is missing");
  auto last = rows->Int8(0, 0);
  if (!last.ok()) return last.status();
  range.last = *last;
  range.first = *last - n + 1;
  return range;
}

Result<SeqRange> AppendAndCommit(Transaction& txn, const std::vector<ChangeEntry>& entries) {
  auto range = Append(txn, entries);
  if (!range.ok()) return range;
  Q11_RETURN_IF_ERROR(txn.Commit());
  return range;
}

Result<PullPage> Pull(Connection& conn, const std::vector<std::string>& audiences, int64_t cursor,
                      int limit) {
  if (limit <= 0) return InvalidArgument("pull limit must be positive");
  auto rows =
      conn.Run(kPull, {Param::TextArray(audiences), Param::Int8(cursor), Param::Int8(limit)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Internal("the change-log counter row sync_head is missing");
  PullPage page;
  for (int r = 0; r < rows->size(); ++r) {
    if (rows->IsNull(r, 1)) continue;  // no entries: the one row carries the head only
    PulledChange c;
    auto seq = rows->Int8(r, 1);
    auto del = rows->Bool(r, 4);
    if (!seq.ok()) return seq.status();
    if (!del.ok()) return del.status();
    c.seq = *seq;
    c.table = std::string(rows->Text(r, 2));
    c.pk = std::string(rows->Text(r, 3));
    c.deleted = *del;
    page.changes.push_back(std::move(c));
  }
  auto head = rows->Int8(0, 0);
  if (!head.ok()) return head.status();
  page.more = static_cast<int>(page.changes.size()) >= limit;
  // A full page: continue after its last entry. Otherwise everything this snapshot holds
  // up to the head was seen (the rest was for other audiences): continue from the head.
  page.cursor = page.more ? page.changes.back().seq : std::max(cursor, *head);
  return page;
}

Result<int64_t> Head(Connection& conn) {
  auto rows = conn.Run(kHead);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Internal("the change-log counter row sync_head is missing");
  return rows->Int8(0, 0);
}

}  // namespace q11::pg
