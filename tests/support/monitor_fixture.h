// The monitoring figures' hand-computed fixture (docs/monitoring.md), shared by the server
// tests (tests/server/monitor_test.cc) and the dashboard's browser test
// (tests/web/monitor_dashboard_driver.cc): nine reports and their events, written straight
// into a server database, and the figures worked out by hand below.
//
// Period 2026-11-02 .. 2026-11-15 (Vietnam days; two weeks, no holidays). Local times in
// the comments are UTC+7. Office hours 07:30-11:30, 13:00-17:00, Monday to Friday.
//
//   R1 p04 ngap-nuoc  recv Mon 11-02 08:00  accepted 10:00 (2 h)   resolved Tue 11-03 09:00
//                     (3.5 + 4 + 1.5 = 9 h) before due Wed 11-04 17:00: on time; closed;
//                     rated 3 then 5 (the latest counts: 5)
//   R2 p04 ngap-nuoc  recv Tue 11-03 08:00  accepted 15:00 (3.5 + 2 = 5.5 h)  reopened once,
//                     resolved Fri 11-06 16:00 (7.5 + 8 + 8 + 7 = 30.5 h) after due Thu 11-05
//                     17:00: late; rated 2
//   R3 p04 rac-thai   recv Wed 11-04 09:00  accepted 09:30 (0.5 h), assigned to phong-qldt,
//                     in_progress, due Fri 11-06 17:00: overdue
//   R4 p05 rac-thai   recv Mon 11-09 08:00  new, due 2099: not overdue
//   R5 p05 ngap-nuoc  recv Tue 11-10 08:00  accepted 09:00 (1 h), due Thu 11-12 17:00 but an
//                     expected date in 2099 was announced: not overdue
//   R6 p05 ngap-nuoc  recv Wed 11-11 08:00  rejected
//   R7 p04 ngap-nuoc  recv Thu 11-12 08:00  accepted 08:30 (0.5 h), resolved 15:00, reopened,
//                     due Fri 11-13 17:00: overdue
//   R8 p04 rac-thai   recv Tue 10-20 (before the period), new, overdue: backlog only
//   R9 p05 rac-thai   recv Sun 10-25 (before), resolved Thu 11-05 10:00: the trend's resolved
//
// Figures (any "now" from 2026-11-14 to 2099):
//   district q11: received 7, open 4 (R3 R4 R5 R7), in progress 1, resolved 2, rejected 1,
//     overdue now 2 (R3 R7), on time 1 → on-time rate 1 / (2 + 2) = 25.0%;
//     accept [0.5 0.5 1 2 5.5] h → median 1.0, p90 5.5; resolve [9 30.5] → median 9.0,
//     p90 30.5; ever resolved 3 (R1 R2 R7), reopened 2 → 66.7%; ratings 2, mean 3.50
//   p04: received 4, open 2, in progress 1, resolved 2, overdue 2, on-time 25.0%,
//     accept [0.5 0.5 2 5.5] → median 0.5, p90 5.5; resolve 9.0 / 30.5; reopen 66.7%; 3.50
//   p05: received 3, open 2, rejected 1, overdue 0, on-time none (0 / 0), accept 1.0 / 1.0
//   phong-qldt: received 1 (R3), open 1, in progress 1, overdue 1, on-time 0.0%
//   weeks: 11-02 received 3 resolved 3 (R1 R2 R9); 11-09 received 4 resolved 0
//   map: the open reports with a location, R3 and R7, both overdue (R1 has one but is closed)
#pragma once

namespace q11::test {

inline constexpr const char* kMonitorFixtureSql = R"sql(
INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, address,
  status, assigned_unit, due_at, reporter_ref, created_at, updated_at, receipt_code,
  received_at, expected_at, resolved_at, duplicate_of) VALUES
('00000000-0000-7000-8000-000000000001', 'phan_anh', 'ngap-nuoc', 'p04',
 'Ngập nước đường Lạc Long Quân', 'd', 10.7634, 106.6502, NULL, 'closed', NULL,
 '2026-11-04T10:00:00.000Z', 'cd-r1', '2026-11-02T00:55:00.000Z', '2026-11-04T01:00:00.000Z',
 'Q11-AAAA-0001', '2026-11-02T01:00:00.000Z', NULL, '2026-11-03T02:00:00.000Z', NULL),
('00000000-0000-7000-8000-000000000002', 'phan_anh', 'ngap-nuoc', 'p04',
 'Cống nghẹt hẻm 5', 'd', NULL, NULL, NULL, 'resolved', NULL,
 '2026-11-05T10:00:00.000Z', 'cd-r2', '2026-11-03T00:50:00.000Z', '2026-11-06T09:00:00.000Z',
 'Q11-AAAA-0002', '2026-11-03T01:00:00.000Z', NULL, '2026-11-06T09:00:00.000Z', NULL),
('00000000-0000-7000-8000-000000000003', 'phan_anh', 'rac-thai', 'p04',
 'Rác "tồn đọng", hẻm 12', 'd', 10.765, 106.648, NULL, 'in_progress', 'phong-qldt',
 '2026-11-06T10:00:00.000Z', 'cd-r3', '2026-11-04T01:58:00.000Z', '2026-11-04T03:00:00.000Z',
 'Q11-AAAA-0003', '2026-11-04T02:00:00.000Z', NULL, NULL, NULL),
('00000000-0000-7000-8000-000000000004', 'phan_anh', 'rac-thai', 'p05',
 'Thùng rác đầy', 'd', NULL, NULL, NULL, 'new', NULL,
 '2099-12-30T10:00:00.000Z', 'cd-r4', '2026-11-09T00:59:00.000Z', '2026-11-09T01:00:00.000Z',
 'Q11-AAAA-0004', '2026-11-09T01:00:00.000Z', NULL, NULL, NULL),
('00000000-0000-7000-8000-000000000005', 'phan_anh', 'ngap-nuoc', 'p05',
 'Nắp cống vỡ', 'd', NULL, NULL, NULL, 'accepted', NULL,
 '2026-11-12T10:00:00.000Z', 'cd-r5', '2026-11-10T00:59:00.000Z', '2026-11-10T02:00:00.000Z',
 'Q11-AAAA-0005', '2026-11-10T01:00:00.000Z', '2099-06-30T10:00:00.000Z', NULL, NULL),
('00000000-0000-7000-8000-000000000006', 'gop_y', 'ngap-nuoc', 'p05',
 'Góp ý nạo vét', 'd', NULL, NULL, NULL, 'rejected', NULL,
 '2026-11-13T10:00:00.000Z', 'cd-r6', '2026-11-11T00:59:00.000Z', '2026-11-11T03:00:00.000Z',
 'Q11-AAAA-0006', '2026-11-11T01:00:00.000Z', NULL, NULL, NULL),
('00000000-0000-7000-8000-000000000007', 'phan_anh', 'ngap-nuoc', 'p04',
 '=1+1 ngập lại', 'd', 10.7601, 106.6455, NULL, 'reopened', NULL,
 '2026-11-13T10:00:00.000Z', 'cd-r7', '2026-11-12T00:59:00.000Z', '2026-11-12T09:00:00.000Z',
 'Q11-AAAA-0007', '2026-11-12T01:00:00.000Z', NULL, '2026-11-12T08:00:00.000Z', NULL),
('00000000-0000-7000-8000-000000000008', 'phan_anh', 'rac-thai', 'p04',
 'Rác cũ', 'd', NULL, NULL, NULL, 'new', NULL,
 '2026-10-22T10:00:00.000Z', 'cd-r8', '2026-10-20T00:59:00.000Z', '2026-10-20T01:00:00.000Z',
 'Q11-AAAA-0008', '2026-10-20T01:00:00.000Z', NULL, NULL, NULL),
('00000000-0000-7000-8000-000000000009', 'phan_anh', 'rac-thai', 'p05',
 'Rác tháng trước', 'd', NULL, NULL, NULL, 'resolved', NULL,
 '2026-10-28T10:00:00.000Z', 'cd-r9', '2026-10-25T00:59:00.000Z', '2026-11-05T03:00:00.000Z',
 'Q11-AAAA-0009', '2026-10-25T01:00:00.000Z', NULL, '2026-11-05T03:00:00.000Z', NULL);

INSERT INTO case_events (id, report_id, kind, status, note, unit_id, author_ref, author_role,
  created_at, stars) VALUES
('e1-accept', '00000000-0000-7000-8000-000000000001', 'status', 'accepted', 'Đã tiếp nhận', NULL, 'u1', 'official', '2026-11-02T03:00:00.000Z', NULL),
('e1-resolve', '00000000-0000-7000-8000-000000000001', 'status', 'resolved', 'Đã nạo vét', NULL, 'u1', 'official', '2026-11-03T02:00:00.000Z', NULL),
('e1-rate-a', '00000000-0000-7000-8000-000000000001', 'rating', NULL, 'tạm', NULL, 'cd-r1', 'citizen', '2026-11-03T05:00:00.000Z', 3),
('e1-rate-b', '00000000-0000-7000-8000-000000000001', 'rating', NULL, 'tốt', NULL, 'cd-r1', 'citizen', '2026-11-03T06:00:00.000Z', 5),
('e1-close', '00000000-0000-7000-8000-000000000001', 'status', 'closed', 'Đóng hồ sơ', NULL, 'u1', 'official', '2026-11-04T01:00:00.000Z', NULL),
('e2-accept', '00000000-0000-7000-8000-000000000002', 'status', 'accepted', NULL, NULL, 'u1', 'official', '2026-11-03T08:00:00.000Z', NULL),
('e2-resolve-a', '00000000-0000-7000-8000-000000000002', 'status', 'resolved', 'Xong', NULL, 'u1', 'official', '2026-11-04T08:00:00.000Z', NULL),
('e2-reopen', '00000000-0000-7000-8000-000000000002', 'status', 'reopened', 'Vẫn nghẹt', NULL, 'cd-r2', 'citizen', '2026-11-05T01:00:00.000Z', NULL),
('e2-resolve-b', '00000000-0000-7000-8000-000000000002', 'status', 'resolved', 'Đã thông cống', NULL, 'u1', 'official', '2026-11-06T09:00:00.000Z', NULL),
('e2-rate', '00000000-0000-7000-8000-000000000002', 'rating', NULL, 'chậm', NULL, 'cd-r2', 'citizen', '2026-11-06T10:00:00.000Z', 2),
('e3-accept', '00000000-0000-7000-8000-000000000003', 'status', 'accepted', 'Đã tiếp nhận', NULL, 'u1', 'official', '2026-11-04T02:30:00.000Z', NULL),
('e3-assign', '00000000-0000-7000-8000-000000000003', 'assignment', NULL, 'Chuyển Phòng QLĐT', 'phong-qldt', 'u1', 'official', '2026-11-04T03:00:00.000Z', NULL),
('e3-progress', '00000000-0000-7000-8000-000000000003', 'status', 'in_progress', 'Đang thu gom', NULL, 'u2', 'official', '2026-11-04T03:30:00.000Z', NULL),
('e5-accept', '00000000-0000-7000-8000-000000000005', 'status', 'accepted', NULL, NULL, 'u3', 'official', '2026-11-10T02:00:00.000Z', NULL),
('e5-expect', '00000000-0000-7000-8000-000000000005', 'progress', NULL, 'Chờ vật tư', NULL, 'u3', 'official', '2026-11-10T03:00:00.000Z', NULL),
('e6-reject', '00000000-0000-7000-8000-000000000006', 'status', 'rejected', 'Không thuộc thẩm quyền', NULL, 'u3', 'official', '2026-11-11T03:00:00.000Z', NULL),
('e7-accept', '00000000-0000-7000-8000-000000000007', 'status', 'accepted', NULL, NULL, 'u1', 'official', '2026-11-12T01:30:00.000Z', NULL),
('e7-resolve', '00000000-0000-7000-8000-000000000007', 'status', 'resolved', 'Đã xử lý', NULL, 'u1', 'official', '2026-11-12T08:00:00.000Z', NULL),
('e7-reopen', '00000000-0000-7000-8000-000000000007', 'status', 'reopened', 'Ngập lại', NULL, 'cd-r7', 'citizen', '2026-11-12T09:00:00.000Z', NULL),
('e9-resolve', '00000000-0000-7000-8000-000000000009', 'status', 'resolved', 'Đã thu gom', NULL, 'u3', 'official', '2026-11-05T03:00:00.000Z', NULL);
)sql";

inline constexpr const char* kMonitorFrom = "2026-11-02";
inline constexpr const char* kMonitorTo = "2026-11-15";

}  // namespace q11::test
