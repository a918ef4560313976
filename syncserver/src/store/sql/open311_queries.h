// The SQL of Open311Reads (store/open311_reads.h) on one read connection: the listings
// select only public columns (never the reporter reference, title, description, address,
// location, receipt code or anything a citizen wrote), so reporter data cannot leak
// through a later change to the formatting; receipt codes are read only to answer a token
// lookup or a POST. SqliteStore runs them on a pooled read connection.
//
// "*db" must outlive this object; one thread at a time, like the connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.h"
#include "store/open311_reads.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

class Open311Queries {
 public:
  explicit Open311Queries(SqlConn& db) : db_(db) {}

  Result<std::vector<Open311Service>> Services();
  Result<std::vector<Open311Ward>> Wards();
  Result<std::vector<Open311Request>> Requests(const Open311RequestFilter& filter);
  Result<std::vector<Open311Update>> Updates(const Open311UpdateFilter& filter);
  Result<std::optional<std::string>> ReportIdByReceipt(std::string_view code);
  Result<std::optional<std::pair<std::string, std::string>>> Stamps(std::string_view id);

 private:
  SqlConn& db_;
};

}  // namespace q11::server
