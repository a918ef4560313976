#include "conflicts/column_labels.h"

namespace q11::server {
namespace {

struct Entry {
  std::string_view table, column;
  ColumnLabel label;
};

// The synced tables' columns (protocol/schema/synced_tables.sql).
constexpr Entry kLabels[] = {
    {"reports", "kind", {"Loại phản ánh", "Kind of report", "text"}},
    {"reports", "category_id", {"Lĩnh vực", "Category", "category"}},
    {"reports", "ward_id", {"Phường", "Ward", "ward"}},
    {"reports", "title", {"Tiêu đề", "Title", "text"}},
    {"reports", "description", {"Nội dung phản ánh", "Description", "text"}},
    {"reports", "lat", {"Vĩ độ", "Latitude", "number"}},
    {"reports", "lon", {"Kinh độ", "Longitude", "number"}},
    {"reports", "address", {"Địa chỉ", "Address", "text"}},
    {"reports", "status", {"Trạng thái", "Status", "status"}},
    {"reports", "assigned_unit", {"Đơn vị được giao", "Assigned unit", "unit"}},
    {"reports", "due_at", {"Hạn xử lý", "Deadline", "time"}},
    {"reports", "reporter_ref", {"Mã ẩn danh người phản ánh", "Reporter's pseudonym", "text"}},
    {"reports", "created_at", {"Thời điểm gửi", "Filed at", "time"}},
    {"reports", "updated_at", {"Cập nhật lúc", "Updated at", "time"}},
    {"reports", "receipt_code", {"Mã biên nhận", "Receipt code", "text"}},
    {"reports", "received_at", {"Tiếp nhận lúc", "Received at", "time"}},
    {"reports", "expected_at", {"Dự kiến hoàn thành", "Expected completion", "time"}},
    {"reports", "resolved_at", {"Giải quyết lúc", "Resolved at", "time"}},
    {"reports", "duplicate_of", {"Trùng với hồ sơ", "Duplicate of", "text"}},
    {"case_events", "kind", {"Loại sự kiện", "Kind of event", "text"}},
    {"case_events", "status", {"Trạng thái", "Status", "status"}},
    {"case_events", "note", {"Ghi chú", "Note", "text"}},
    {"case_events", "unit_id", {"Đơn vị", "Unit", "unit"}},
    {"case_events", "created_at", {"Thời điểm", "Time", "time"}},
    {"case_events", "stars", {"Số sao đánh giá", "Stars", "number"}},
};

}  // namespace

ColumnLabel LabelOf(std::string_view table, std::string_view column) {
  for (const Entry& e : kLabels)
    if (e.table == table && e.column == column) return e.label;
  return {column, column, "text"};
}

}  // namespace q11::server
