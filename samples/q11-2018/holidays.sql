-- Vietnam's public holidays 2026-2028 (Bộ luật Lao động 2019, Điều 112), the days on which
-- no working time runs for handling deadlines (docs/workflow.md). Weekday days off only
-- matter; compensatory days (a holiday on a weekend moves to the next working day) are
-- listed too. Lunar dates (Tết Nguyên đán, Giỗ Tổ Hùng Vương) and the extra Tết and
-- Quốc khánh days follow the government's yearly decision: CHECK each year against the
-- official announcement and edit here (or in the server's `holidays` table). Loaded by the
-- server and every device with the rest of its reference set (samples/README.md).
INSERT OR IGNORE INTO holidays (day, name_vi, name_en) VALUES
  ('2026-01-01', 'Tết Dương lịch', 'New Year''s Day'),
  ('2026-02-16', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2026-02-17', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2026-02-18', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2026-02-19', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2026-02-20', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2026-04-27', 'Giỗ Tổ Hùng Vương (nghỉ bù)', 'Hung Kings'' Festival (in lieu)'),
  ('2026-04-30', 'Ngày Giải phóng miền Nam', 'Reunification Day'),
  ('2026-05-01', 'Ngày Quốc tế Lao động', 'International Labour Day'),
  ('2026-09-01', 'Quốc khánh', 'National Day'),
  ('2026-09-02', 'Quốc khánh', 'National Day'),
  ('2027-01-01', 'Tết Dương lịch', 'New Year''s Day'),
  ('2027-02-05', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2027-02-08', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2027-02-09', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2027-02-10', 'Tết Nguyên đán (nghỉ bù)', 'Lunar New Year (in lieu)'),
  ('2027-02-11', 'Tết Nguyên đán (nghỉ bù)', 'Lunar New Year (in lieu)'),
  ('2027-04-16', 'Giỗ Tổ Hùng Vương', 'Hung Kings'' Festival'),
  ('2027-04-30', 'Ngày Giải phóng miền Nam', 'Reunification Day'),
  ('2027-05-03', 'Ngày Quốc tế Lao động (nghỉ bù)', 'International Labour Day (in lieu)'),
  ('2027-09-02', 'Quốc khánh', 'National Day'),
  ('2027-09-03', 'Quốc khánh', 'National Day'),
  ('2028-01-03', 'Tết Dương lịch (nghỉ bù)', 'New Year''s Day (in lieu)'),
  ('2028-01-25', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2028-01-26', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2028-01-27', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2028-01-28', 'Tết Nguyên đán', 'Lunar New Year'),
  ('2028-01-31', 'Tết Nguyên đán (nghỉ bù)', 'Lunar New Year (in lieu)'),
  ('2028-04-04', 'Giỗ Tổ Hùng Vương', 'Hung Kings'' Festival'),
  ('2028-05-01', 'Ngày Quốc tế Lao động', 'International Labour Day'),
  ('2028-05-02', 'Ngày Giải phóng miền Nam (nghỉ bù)', 'Reunification Day (in lieu)'),
  ('2028-09-01', 'Quốc khánh', 'National Day'),
  ('2028-09-04', 'Quốc khánh (nghỉ bù)', 'National Day (in lieu)');
