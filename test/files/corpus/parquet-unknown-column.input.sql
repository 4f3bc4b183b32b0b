SELECT 1::BIGINT AS reading_id, 's-1' AS sensor, TIMESTAMPTZ '2026-10-01 08:00:00+00' AS taken_at, 'x' AS colour
