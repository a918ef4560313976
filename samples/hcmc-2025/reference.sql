-- Ho Chi Minh City since 1 July 2025 (two-level local government, no districts): the four
-- wards that took over the former Quận 11's area (Nghị quyết 1685/NQ-UBTVQH15, 16/6/2025),
-- the city bodies that handle what a ward does not, and the report categories. The default
-- reference set of `syncserver serve` (samples/README.md, docs/units.md). Ids are stable:
-- never renumber them; a unit that ends is retired (`syncserver units retire|merge`).
--
-- 'q11' stays the id of the top unit of this deployment (its officials see every report of
-- the four wards; kind 'district' is the code's word for "the top unit"): since 2025 it is
-- the coordination of the four wards, not a district. Edit names to your organisation.
-- CHECK: the city bodies and which handles each category are this project's reading of
-- the 2025 reorganisation, written without internet access; an operator must check them.

INSERT OR IGNORE INTO units (id, parent_id, kind, name_vi, name_en) VALUES
  ('q11', NULL, 'district', 'Điều phối 4 phường khu vực Quận 11 cũ', 'Coordination of the 4 wards of the former District 11'),
  ('binh-thoi', 'q11', 'ward', 'Phường Bình Thới', 'Binh Thoi Ward'),
  ('hoa-binh', 'q11', 'ward', 'Phường Hòa Bình', 'Hoa Binh Ward'),
  ('minh-phung', 'q11', 'ward', 'Phường Minh Phụng', 'Minh Phung Ward'),
  ('phu-tho', 'q11', 'ward', 'Phường Phú Thọ', 'Phu Tho Ward'),
  ('so-xay-dung', 'q11', 'department', 'Sở Xây dựng TP.HCM', 'HCMC Department of Construction'),
  ('so-nn-mt', 'q11', 'department', 'Sở Nông nghiệp và Môi trường TP.HCM', 'HCMC Department of Agriculture and Environment'),
  ('so-y-te', 'q11', 'department', 'Sở Y tế TP.HCM', 'HCMC Department of Health'),
  ('cong-an-tphcm', 'q11', 'department', 'Công an TP.HCM', 'HCMC Police');

INSERT OR IGNORE INTO categories (id, name_vi, name_en, default_unit, deadline_hours) VALUES
  ('rac-thai', 'Rác thải, vệ sinh môi trường', 'Waste and sanitation', 'so-nn-mt', 48),
  ('lan-chiem-via-he', 'Lấn chiếm vỉa hè, lòng đường', 'Sidewalk and roadway encroachment', 'so-xay-dung', 48),
  ('ngap-nuoc', 'Ngập nước, cấp thoát nước', 'Flooding, water supply and drainage', 'so-xay-dung', 72),
  ('chieu-sang', 'Chiếu sáng công cộng', 'Public lighting', 'so-xay-dung', 48),
  ('trat-tu-xay-dung', 'Trật tự xây dựng', 'Illegal or unsafe construction', 'so-xay-dung', 120),
  ('tieng-on', 'Tiếng ồn', 'Noise', 'cong-an-tphcm', 24),
  ('cay-xanh', 'Cây xanh', 'Trees and greenery', 'so-xay-dung', 72),
  ('ha-tang-giao-thong', 'Hạ tầng giao thông', 'Roads and traffic infrastructure', 'so-xay-dung', 72),
  ('an-ninh-trat-tu', 'An ninh trật tự', 'Public security and order', 'cong-an-tphcm', 24),
  ('trat-tu-do-thi', 'Trật tự đô thị', 'Urban order', 'so-xay-dung', 48),
  ('an-toan-thuc-pham', 'An toàn thực phẩm', 'Food safety', 'so-y-te', 72),
  ('thu-tuc-hanh-chinh', 'Thủ tục hành chính', 'Administrative procedures', 'q11', 120),
  ('khac', 'Khác', 'Other', 'q11', 120);

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
   'UBND phường đã tiếp nhận phản ánh của Quý người dân và sẽ xem xét, xử lý theo quy định.'),
  ('giao-xu-ly', 'assigned', 'Đã chuyển đơn vị xử lý',
   'Phản ánh đã được chuyển đến đơn vị có thẩm quyền để kiểm tra, xử lý. Kết quả sẽ được thông báo đến Quý người dân.'),
  ('dang-xu-ly', 'in_progress', 'Đang xử lý',
   'Đơn vị chức năng đang kiểm tra thực tế và xử lý nội dung phản ánh.'),
  ('da-xu-ly', 'resolved', 'Đã xử lý xong',
   'Đơn vị chức năng đã kiểm tra và xử lý xong nội dung phản ánh. Cảm ơn Quý người dân đã phản ánh.'),
  ('khong-tham-quyen', 'rejected', 'Không thuộc thẩm quyền',
   'Nội dung phản ánh không thuộc thẩm quyền giải quyết của UBND phường. Đề nghị Quý người dân liên hệ cơ quan có thẩm quyền.'),
  ('thieu-thong-tin', 'rejected', 'Thiếu thông tin',
   'Phản ánh chưa đủ thông tin (địa điểm, thời gian, nội dung) để xác minh. Đề nghị Quý người dân gửi lại phản ánh với đầy đủ thông tin.'),
  ('trung-lap', 'duplicate', 'Trùng phản ánh khác',
   'Nội dung này trùng với một phản ánh đang được xử lý; kết quả xử lý sẽ được thông báo chung.'),
  ('ket-thuc', 'closed', 'Kết thúc',
   'Phản ánh đã được xử lý và kết thúc. Cảm ơn Quý người dân đã đồng hành cùng chính quyền phường.'),
  ('xu-ly-lai', 'in_progress', 'Xử lý lại',
   'Tiếp thu ý kiến của Quý người dân, đơn vị chức năng đang xử lý lại nội dung phản ánh.');
