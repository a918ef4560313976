-- Quận 11 (District 11, Ho Chi Minh City) reference data: the district, its 16 wards,
-- the departments that handle reports, and report categories with their default handling
-- unit and handling deadline in hours. Loaded by the server and by every new device, so a
-- phone can file a report before it has ever synced. Ids are stable: never renumber them.

INSERT OR IGNORE INTO units (id, parent_id, kind, name_vi, name_en) VALUES
  ('q11', NULL, 'district', 'Quận 11', 'District 11'),
  ('p01', 'q11', 'ward', 'Phường 1', 'Ward 1'),
  ('p02', 'q11', 'ward', 'Phường 2', 'Ward 2'),
  ('p03', 'q11', 'ward', 'Phường 3', 'Ward 3'),
  ('p04', 'q11', 'ward', 'Phường 4', 'Ward 4'),
  ('p05', 'q11', 'ward', 'Phường 5', 'Ward 5'),
  ('p06', 'q11', 'ward', 'Phường 6', 'Ward 6'),
  ('p07', 'q11', 'ward', 'Phường 7', 'Ward 7'),
  ('p08', 'q11', 'ward', 'Phường 8', 'Ward 8'),
  ('p09', 'q11', 'ward', 'Phường 9', 'Ward 9'),
  ('p10', 'q11', 'ward', 'Phường 10', 'Ward 10'),
  ('p11', 'q11', 'ward', 'Phường 11', 'Ward 11'),
  ('p12', 'q11', 'ward', 'Phường 12', 'Ward 12'),
  ('p13', 'q11', 'ward', 'Phường 13', 'Ward 13'),
  ('p14', 'q11', 'ward', 'Phường 14', 'Ward 14'),
  ('p15', 'q11', 'ward', 'Phường 15', 'Ward 15'),
  ('p16', 'q11', 'ward', 'Phường 16', 'Ward 16'),
  ('vp-ubnd', 'q11', 'department', 'Văn phòng HĐND và UBND Quận 11', 'Office of the District People''s Council and Committee'),
  ('phong-qldt', 'q11', 'department', 'Phòng Quản lý đô thị', 'Urban Management Office'),
  ('phong-tnmt', 'q11', 'department', 'Phòng Tài nguyên và Môi trường', 'Natural Resources and Environment Office'),
  ('phong-yte', 'q11', 'department', 'Phòng Y tế', 'Health Office'),
  ('doi-ttdt', 'q11', 'department', 'Đội Thanh tra địa bàn Quận 11', 'District 11 Urban Order Inspection Team'),
  ('cong-an-q11', 'q11', 'department', 'Công an Quận 11', 'District 11 Police');

INSERT OR IGNORE INTO categories (id, name_vi, name_en, default_unit, deadline_hours) VALUES
  ('rac-thai', 'Rác thải, vệ sinh môi trường', 'Waste and sanitation', 'phong-tnmt', 48),
  ('lan-chiem-via-he', 'Lấn chiếm vỉa hè, lòng đường', 'Sidewalk and roadway encroachment', 'doi-ttdt', 48),
  ('ngap-nuoc', 'Ngập nước, cấp thoát nước', 'Flooding, water supply and drainage', 'phong-qldt', 72),
  ('chieu-sang', 'Chiếu sáng công cộng', 'Public lighting', 'phong-qldt', 48),
  ('trat-tu-xay-dung', 'Trật tự xây dựng', 'Illegal or unsafe construction', 'phong-qldt', 120),
  ('tieng-on', 'Tiếng ồn', 'Noise', 'cong-an-q11', 24),
  ('cay-xanh', 'Cây xanh', 'Trees and greenery', 'phong-qldt', 72),
  ('ha-tang-giao-thong', 'Hạ tầng giao thông', 'Roads and traffic infrastructure', 'phong-qldt', 72),
  ('an-ninh-trat-tu', 'An ninh trật tự', 'Public security and order', 'cong-an-q11', 24),
  ('trat-tu-do-thi', 'Trật tự đô thị', 'Urban order', 'doi-ttdt', 48),
  ('an-toan-thuc-pham', 'An toàn thực phẩm', 'Food safety', 'phong-yte', 72),
  ('thu-tuc-hanh-chinh', 'Thủ tục hành chính', 'Administrative procedures', 'vp-ubnd', 120),
  ('khac', 'Khác', 'Other', 'vp-ubnd', 120);

-- Handling deadlines in working time (docs/workflow.md): level, amount and unit per category.
-- Filled in where none is set yet (deadline_amount = 0), so a value an admin changed in the
-- server's database is kept.
UPDATE categories
   SET level = v.column2, deadline_amount = v.column3, deadline_unit = v.column4
  FROM (VALUES
    ('tieng-on', 'urgent', 4, 'working_hours'),
    ('an-ninh-trat-tu', 'urgent', 4, 'working_hours'),
    ('ngap-nuoc', 'urgent', 8, 'working_hours'),
    ('rac-thai', 'normal', 2, 'working_days'),
    ('lan-chiem-via-he', 'normal', 3, 'working_days'),
    ('chieu-sang', 'normal', 3, 'working_days'),
    ('cay-xanh', 'normal', 3, 'working_days'),
    ('trat-tu-do-thi', 'normal', 3, 'working_days'),
    ('ha-tang-giao-thong', 'normal', 5, 'working_days'),
    ('an-toan-thuc-pham', 'normal', 5, 'working_days'),
    ('khac', 'normal', 5, 'working_days'),
    ('trat-tu-xay-dung', 'complex', 10, 'working_days'),
    ('thu-tuc-hanh-chinh', 'complex', 10, 'working_days')) AS v
 WHERE categories.id = v.column1 AND categories.deadline_amount = 0;

-- Canned replies officials pick per status (q11 case templates); edit freely, ids are stable.
INSERT OR IGNORE INTO response_templates (id, status, title_vi, body_vi) VALUES
  ('tiep-nhan', 'accepted', 'Đã tiếp nhận',
   'UBND Quận 11 đã tiếp nhận phản ánh của Quý người dân và sẽ xem xét, xử lý theo quy định.'),
  ('giao-xu-ly', 'assigned', 'Đã chuyển đơn vị xử lý',
   'Phản ánh đã được chuyển đến đơn vị có thẩm quyền để kiểm tra, xử lý. Kết quả sẽ được thông báo đến Quý người dân.'),
  ('dang-xu-ly', 'in_progress', 'Đang xử lý',
   'Đơn vị chức năng đang kiểm tra thực tế và xử lý nội dung phản ánh.'),
  ('da-xu-ly', 'resolved', 'Đã xử lý xong',
   'Đơn vị chức năng đã kiểm tra và xử lý xong nội dung phản ánh. Cảm ơn Quý người dân đã phản ánh.'),
  ('khong-tham-quyen', 'rejected', 'Không thuộc thẩm quyền',
   'Nội dung phản ánh không thuộc thẩm quyền giải quyết của UBND Quận 11. Đề nghị Quý người dân liên hệ cơ quan có thẩm quyền.'),
  ('thieu-thong-tin', 'rejected', 'Thiếu thông tin',
   'Phản ánh chưa đủ thông tin (địa điểm, thời gian, nội dung) để xác minh. Đề nghị Quý người dân gửi lại phản ánh với đầy đủ thông tin.'),
  ('trung-lap', 'duplicate', 'Trùng phản ánh khác',
   'Nội dung này trùng với một phản ánh đang được xử lý; kết quả xử lý sẽ được thông báo chung.'),
  ('ket-thuc', 'closed', 'Kết thúc',
   'Phản ánh đã được xử lý và kết thúc. Cảm ơn Quý người dân đã đồng hành cùng chính quyền Quận 11.'),
  ('xu-ly-lai', 'in_progress', 'Xử lý lại',
   'Tiếp thu ý kiến của Quý người dân, đơn vị chức năng đang xử lý lại nội dung phản ánh.');
