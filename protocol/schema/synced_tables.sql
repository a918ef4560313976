-- Tables that travel in changesets. Devices and the server create them from this one file,
-- so a changeset made on either side has the same table names, column counts and primary
-- keys on the other. Rules: TEXT primary keys made where the row is born (UUIDv7 for reports
-- and events), no AUTOINCREMENT, new columns only at the end (older devices' changesets
-- stay applicable). Column meanings: docs/architecture.md, "Data model".

CREATE TABLE IF NOT EXISTS units (
  id TEXT PRIMARY KEY NOT NULL,      -- 'q11', 'p01'..'p16', 'phong-qldt', ...
  parent_id TEXT,                    -- NULL for the district
  kind TEXT NOT NULL,                -- district | ward | department
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS categories (
  id TEXT PRIMARY KEY NOT NULL,      -- 'rac-thai', 'ngap-nuoc', ...
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL,
  default_unit TEXT NOT NULL,        -- units.id that handles it by default
  deadline_hours INTEGER NOT NULL,   -- legacy: calendar hours (before deadline_amount/unit)
  level TEXT NOT NULL DEFAULT 'normal',                 -- urgent | normal | complex
  deadline_amount INTEGER NOT NULL DEFAULT 0,           -- handling time in deadline_unit
  deadline_unit TEXT NOT NULL DEFAULT 'working_hours'   -- working_hours | working_days
);

CREATE TABLE IF NOT EXISTS reports (
  id TEXT PRIMARY KEY NOT NULL,      -- UUIDv7 made on the device
  kind TEXT NOT NULL,                -- phan_anh (a problem) | gop_y (a suggestion)
  category_id TEXT NOT NULL,
  ward_id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  lat REAL,
  lon REAL,
  address TEXT,
  status TEXT NOT NULL,              -- new | accepted | in_progress | resolved | rejected | closed
  assigned_unit TEXT,
  due_at TEXT,                       -- ISO-8601 UTC, set by the server on receipt
  reporter_ref TEXT,                 -- pseudonym; never a name or phone number
  created_at TEXT NOT NULL,          -- ISO-8601 UTC, device clock
  updated_at TEXT NOT NULL,
  -- Case life (docs/workflow.md). Server-stamped unless said otherwise.
  receipt_code TEXT,                 -- 'Q11-XXXX-XXXX', made on the device, kept unique by the server
  received_at TEXT,                  -- when the server received the report: the deadline clock starts
  expected_at TEXT,                  -- expected completion date announced by officials (device)
  resolved_at TEXT,                  -- when the server recorded it resolved (reopen period)
  duplicate_of TEXT                  -- the report this one duplicates (status duplicate; device)
);

CREATE TABLE IF NOT EXISTS case_events (
  id TEXT PRIMARY KEY NOT NULL,      -- UUIDv7; append-only
  report_id TEXT NOT NULL,
  kind TEXT NOT NULL,                -- status | comment | assignment | result
  status TEXT,                       -- the new status, for kind = status
  note TEXT,
  unit_id TEXT,                      -- the new unit, for kind = assignment
  author_ref TEXT,                   -- pseudonym (citizen) or user id (official)
  author_role TEXT,
  created_at TEXT NOT NULL,
  stars INTEGER                      -- 1-5, for kind = rating
);

CREATE INDEX IF NOT EXISTS case_events_by_report ON case_events(report_id, created_at);

-- Reference tables of the case life (docs/workflow.md): compiled into both sides like units
-- and categories, never pushed (devices may not write them).
CREATE TABLE IF NOT EXISTS holidays (
  day TEXT PRIMARY KEY NOT NULL,     -- 'YYYY-MM-DD', a public holiday (no working hours)
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS response_templates (
  id TEXT PRIMARY KEY NOT NULL,      -- 'tiep-nhan', ...
  status TEXT NOT NULL,              -- the status the reply goes with
  title_vi TEXT NOT NULL,
  body_vi TEXT NOT NULL
);

-- A photo attached to a report: the citizen's (role report) or an official's result photo
-- (role result). Only the metadata travels in changesets; the bytes go separately to
-- /v1/photos/{sha256} (docs/protocol.md, "Photos"), so a report is never held back by them.
-- Append-only like case_events. Limits: protocol/include/protocol/photo_limits.h.
CREATE TABLE IF NOT EXISTS photos (
  id TEXT PRIMARY KEY NOT NULL,      -- UUIDv7 made on the device
  report_id TEXT NOT NULL,
  role TEXT NOT NULL,                -- report (filed by the citizen) | result (by an official)
  sha256 TEXT NOT NULL,              -- 64 lowercase hex of the original bytes: the content address
  mime TEXT NOT NULL,                -- image/jpeg | image/png | image/webp | image/heic
  bytes INTEGER NOT NULL,            -- size of the original
  width INTEGER,                     -- pixels, when the device knows them
  height INTEGER,
  author_ref TEXT,                   -- set by the server, as for case_events
  author_role TEXT,
  created_at TEXT NOT NULL           -- ISO-8601 UTC, device clock
);

CREATE INDEX IF NOT EXISTS photos_by_report ON photos(report_id);
CREATE INDEX IF NOT EXISTS photos_by_sha256 ON photos(sha256);
