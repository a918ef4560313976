-- Which unit takes over each unit of the 2018 structure (samples/q11-2018) that this set no
-- longer has. A server started with this set retires those units and moves their open cases
-- to the successor (docs/units.md): the same as `syncserver units merge`.
--
-- CHECK BEFORE USE. Written without internet access, from this project's knowledge of
-- Nghị quyết 1685/NQ-UBTVQH15 (16/6/2025) on rearranging the wards of Ho Chi Minh City.
-- Several former wards were split between two new wards; a unit has one successor here
-- (the one taking most of it, to our knowledge). An operator must check each line against
-- the resolution's text and move single cases by reassigning them where a ward was split.
INSERT OR IGNORE INTO successors (unit_id, successor_id) VALUES
  ('p01', 'minh-phung'),
  ('p02', 'minh-phung'),
  ('p03', 'binh-thoi'),
  ('p04', 'hoa-binh'),
  ('p05', 'hoa-binh'),
  ('p06', 'minh-phung'),
  ('p07', 'minh-phung'),
  ('p08', 'binh-thoi'),
  ('p09', 'binh-thoi'),
  ('p10', 'binh-thoi'),
  ('p11', 'phu-tho'),
  ('p12', 'phu-tho'),
  ('p13', 'phu-tho'),
  ('p14', 'hoa-binh'),
  ('p15', 'phu-tho'),
  ('p16', 'minh-phung'),
  ('vp-ubnd', 'q11'),
  ('phong-qldt', 'so-xay-dung'),
  ('phong-tnmt', 'so-nn-mt'),
  ('phong-yte', 'so-y-te'),
  ('doi-ttdt', 'so-xay-dung'),
  ('cong-an-q11', 'cong-an-tphcm');
