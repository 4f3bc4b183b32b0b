/** The `readings` columns the file tests declare their feeds with: one of each type a partner file meets most. */
export const READINGS_COLUMNS = {
  reading_id: { type: "bigint", nullable: false },
  sensor: { type: "string", nullable: false },
  value: "decimal(10,2)",
  ok: "boolean",
  taken_on: "date",
  taken_at: { type: "timestamp", nullable: false },
} as const;
