SELECT * FROM (VALUES
  (1::BIGINT, 's-1', '12.30', true, DATE '2026-10-01', TIMESTAMPTZ '2026-10-01 08:00:00+00'),
  (2::BIGINT, 's-2', 'abc', false, DATE '2026-10-01', TIMESTAMPTZ '2026-10-01 09:00:00.123456+00'),
  (NULL, 's-3', '1.5', NULL, NULL, TIMESTAMPTZ '2026-10-01 10:00:00+00'),
  (4::BIGINT, 's-4', '7', true, DATE '2026-10-02', TIMESTAMPTZ '2026-10-02 08:00:00+00')
) AS t(reading_id, sensor, value, ok, taken_on, taken_at)
