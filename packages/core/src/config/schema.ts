/**
 * The config contract: one typed file (`tributary.config.ts`) declares every source, dataset, stream, link key,
 * PII column, quality expectation and gold report. Everything else (row validators, Parquet schemas, Glue tables,
 * DuckDB views, stack resources) is derived from it.
 */
import { z } from "zod";
import { columnTypeProblem, type ColumnType } from "./column-types";

const NAME = /^[a-z][a-z0-9_]{2,62}$/;
const nameSchema = z
  .string()
  .regex(NAME, "must be 3-63 chars of lower-case letters, digits and underscores, starting with a letter");
const columnNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, "column names are lower-case letters, digits and underscores, starting with a letter");

export const ColumnTypeSchema = z.string().superRefine((type, ctx) => {
  const problem = columnTypeProblem(type);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}) as unknown as z.ZodType<ColumnType>;

export const PiiTreatmentSchema = z.enum(["tokenise", "mask", "drop"]);

export const ColumnSpecSchema = z
  .object({
    type: ColumnTypeSchema,
    nullable: z.boolean().default(true),
    /** How silver treats the raw value; raw PII stays in bronze under the restricted prefix. */
    pii: PiiTreatmentSchema.optional(),
    description: z.string().optional(),
  })
  .strict();

/** `columns: { id: "bigint", email: { type: "string", pii: "tokenise" } }` — order is the Parquet column order. */
const ColumnsSchema = z
  .record(columnNameSchema, z.union([ColumnTypeSchema, ColumnSpecSchema]))
  .refine((cols) => Object.keys(cols).length > 0, "declare at least one column")
  .refine((cols) => Object.keys(cols).every((c) => !c.startsWith("_")), "names starting with _ are reserved for lineage columns");

const DatasetFields = {
  name: nameSchema,
  description: z.string().optional(),
  columns: ColumnsSchema,
  /** Column holding event time; bronze partitions (dt/hour) come from it. Default: ingestion time. */
  partitionTime: columnNameSchema.optional(),
  /** column → link key name (declared under `links.keys`). */
  linkKeys: z.record(columnNameSchema, nameSchema).default({}),
  /** Freshness objective: how old the newest record may be before the dataset counts as stale. */
  freshnessSloMinutes: z.number().int().positive().optional(),
};

export const SqlServerTableSchema = z
  .object({
    ...DatasetFields,
    /** `schema.table` in the source database. */
    table: z.string().regex(/^[A-Za-z_][\w]*\.[A-Za-z_][\w]*$/, "must be schema.table, e.g. dbo.customers"),
    primaryKey: z.array(columnNameSchema).min(1, "declare at least one primary key column"),
    /** CDC capture instance; default `<schema>_<table>`. */
    captureInstance: z.string().optional(),
  })
  .strict();

export const SqlServerSourceSchema = z
  .object({
    type: z.literal("sqlserver"),
    name: nameSchema,
    /** EventBridge schedule expression for the poller, e.g. `rate(1 minute)`. */
    schedule: z.string().regex(/^(rate|cron)\(.+\)$/, "must be an EventBridge schedule expression: rate(...) or cron(...)").default("rate(1 minute)"),
    /** Name of the secret (SST secret / env var locally) with the connection string. Unset locally → embedded stand-in. */
    connectionSecret: z.string().regex(/^[A-Z][A-Z0-9_]+$/, "secret names are UPPER_SNAKE_CASE").optional(),
    /**
     * Windows time zone of the SQL Server's clock (`cdc.lsn_time_mapping` holds server-local times), e.g.
     * "W. Europe Standard Time"; commit times are converted from it to UTC.
     */
    serverTimeZone: z.string().min(1).default("UTC"),
    /** Change rows per batch (and rows per snapshot page); each batch lands before the offset advances. */
    batchSize: z.number().int().positive().max(1_000_000).default(10_000),
    onRetentionGap: z.enum(["fail", "resnapshot"]).default("fail"),
    tables: z.array(SqlServerTableSchema).min(1, "declare at least one table"),
  })
  .strict();

export const SourceSchema = z.discriminatedUnion("type", [SqlServerSourceSchema]);

export const CsvFormatSchema = z
  .object({
    type: z.literal("csv"),
    delimiter: z.string().min(1).max(4).default(","),
    quote: z.string().length(1).default('"'),
    header: z.boolean().default(true),
    encoding: z.enum(["utf8", "utf16le", "latin1"]).default("utf8"),
  })
  .strict();
export const FileFormatSchema = z.discriminatedUnion("type", [
  CsvFormatSchema,
  z.object({ type: z.literal("jsonl") }).strict(),
  z.object({ type: z.literal("parquet") }).strict(),
]);

export const FeedSchema = z
  .object({
    ...DatasetFields,
    format: FileFormatSchema,
    /** Column(s) that identify a row within the feed, for deduplication in silver. */
    primaryKey: z.array(columnNameSchema).optional(),
  })
  .strict();

export const StreamSchema = z
  .object({
    ...DatasetFields,
    /** Column that identifies a record (clients retry with the same id). */
    idColumn: columnNameSchema.optional(),
    maxBatchRecords: z.number().int().min(1).max(500).default(500),
  })
  .strict();

export const GaSchema = z
  .object({
    /** GA4 measurement ids accepted by the proxy; each has its api secret in `TRIBUTARY_GA_API_SECRET` / the SST secret. */
    measurementIds: z.array(z.string().regex(/^G-[A-Z0-9]+$/, "GA4 measurement ids look like G-XXXXXXX")).default([]),
    /** Universal Analytics property ids kept raw (UA no longer processes data). */
    uaPropertyIds: z.array(z.string().regex(/^UA-\d+-\d+$/, "UA property ids look like UA-12345-1")).default([]),
    /** GA4 measurement id that UA hits are mapped and forwarded to (where a mapping exists); unset = keep UA raw only. */
    uaForwardTo: z.string().regex(/^G-[A-Z0-9]+$/, "GA4 measurement ids look like G-XXXXXXX").optional(),
    /** Browser origins allowed to send hits (CORS); empty = server-to-server only. */
    allowedOrigins: z.array(z.string().url()).default([]),
    forward: z.boolean().default(true),
  })
  .strict();

export const LinkKeySchema = z
  .object({
    /** Normalisation before comparing: email lower-cases and trims; upper for barcodes. */
    normalise: z.enum(["none", "trim", "upper", "lower", "email"]).default("trim"),
    /** Store the key hashed (keyed hash) in the link tables — required for PII keys such as email. */
    hashed: z.boolean().default(false),
    /**
     * This key's values live in another key's namespace: `ga_user_id: { sameAs: "customer_id" }` makes GA user id
     * "42" and customer id "42" one link node, so a login links web activity to the customer.
     */
    sameAs: nameSchema.optional(),
    description: z.string().optional(),
  })
  .strict();

/**
 * Which dataset columns feed the real-time report (per linked entity). Each role is optional; the datasets and
 * columns are checked against the config. Versions come from lineage: CDC rows by (`_lsn`, `_seqval`), others by
 * `_ingested_at`, so a replayed or late record never regresses the report.
 */
export const RealtimeSchema = z
  .object({
    /** The link key `GET /v1/reports/customers/{customerId}` looks the customer up by. */
    customerKey: nameSchema.default("customer_id"),
    orders: z
      .object({
        dataset: nameSchema,
        id: columnNameSchema,
        amount: columnNameSchema,
        status: columnNameSchema,
        time: columnNameSchema,
        kit: columnNameSchema.optional(),
        /** Statuses whose amount does not count as spend. */
        excludeFromSpend: z.array(z.string()).default(["cancelled"]),
      })
      .strict()
      .optional(),
    labResults: z
      .object({
        dataset: nameSchema,
        kit: columnNameSchema,
        test: columnNameSchema,
        time: columnNameSchema,
        flag: columnNameSchema.optional(),
        /** When the sample was collected: gold's result turnaround is `time` − `collected`. */
        collected: columnNameSchema.optional(),
        /** Flag values that mean "normal" (not counted as flagged in gold). */
        normalFlags: z.array(z.string()).default(["", "N", "normal"]),
      })
      .strict()
      .optional(),
    /** Web activity: visits keyed by visitor (+ session where the dataset has one); `url` carries utm_source. */
    web: z
      .array(
        z
          .object({
            dataset: nameSchema,
            visitor: columnNameSchema,
            time: columnNameSchema,
            session: columnNameSchema.optional(),
            url: columnNameSchema.optional(),
            /** A boolean column; rows where it is true (tagged bots) do not count as visits. */
            bot: columnNameSchema.optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * A customer-facing deployment puts a JWT authorizer in front of the report API (API keys stay for servers):
     * the token's `customerClaim` must equal the customer id asked for.
     */
    jwt: z
      .object({ issuer: z.string().url(), audience: z.array(z.string().min(1)).min(1), customerClaim: z.string().min(1).default("customer_id") })
      .strict()
      .optional(),
  })
  .strict();

export const ExpectationSchema = z
  .object({
    dataset: nameSchema,
    column: columnNameSchema.optional(),
    check: z.enum(["not_null", "unique", "accepted_values", "references", "freshness"]),
    values: z.array(z.string()).optional(),
    references: z.object({ dataset: nameSchema, column: columnNameSchema }).strict().optional(),
    maxAgeMinutes: z.number().positive().optional(),
    action: z.enum(["warn", "fail", "quarantine"]).default("warn"),
  })
  .strict();

export const ReportSchema = z
  .object({
    name: nameSchema,
    kind: z.enum(["customer_activity", "daily_kpis", "results_by_region"]),
    /** Small-cell suppression: counts below this are hidden (regulatory extracts). */
    minCellSize: z.number().int().min(1).optional(),
    /** results_by_region: where a linked customer's region comes from (joined through entity_id). */
    region: z.object({ dataset: nameSchema, column: columnNameSchema }).strict().optional(),
  })
  .strict();

const GiB = 1024 ** 3;

/**
 * How large a landed file one file-ingest invocation takes on. A larger file is refused with the reason recorded
 * (`manifests/rejected/`) — before it is read when its stored size tells — never loaded in part.
 */
export const FileLimitsSchema = z
  .object({
    /**
     * Bytes of content one invocation reads: checked against the stored size before reading, and against the
     * size after gunzip while reading (gzip CSV is often 10:1, and what takes time is the decompressed rows).
     * Lambda stops an invocation at 15 minutes. File ingestion was measured at 6-8 MB/s of plain CSV end to end
     * (500,000 `lab_results` rows, 41 MB, in 5.4-6.5 s over two runs on a 2 vCPU EPYC with the filesystem lake;
     * most of it in the bronze writer): 15 minutes would be about 5.5-7 GB. The default, 2 GiB (4-6 minutes at
     * that rate), leaves a wide margin for slower Lambda cores, S3 latency and the final flush. Re-derive it from
     * the file-ingest bench when ingestion gets faster.
     */
    maxBytesPerInvocation: z.number().int().positive().default(2 * GiB),
    /**
     * Parquet needs random access, so it is spooled to local disk (/tmp) before it is read. Lambda's ephemeral
     * storage is at most 10 GiB; the default keeps 1 GiB for everything else that uses /tmp.
     */
    maxSpoolBytes: z.number().int().positive().default(9 * GiB),
  })
  .strict();

/** Monthly AWS cost, in US dollars, the budget alerts on when the config names none. */
export const DEFAULT_BUDGET_MONTHLY_USD = 100;

/**
 * Who hears about trouble on AWS (the Operations stack): every alarm, and the cost budget's notifications, go
 * to one SNS topic; each address here is subscribed to it (SNS emails it a confirmation link first). The
 * budget counts the whole account's monthly cost. Ignored by the embedded local mode.
 */
export const AlertsSchema = z
  .object({
    /** Addresses subscribed to the alerts topic; empty = add subscriptions (chat, paging) outside Tributary. */
    emails: z
      .array(z.email("must be an email address"))
      .default([])
      // The same address twice would be one SNS subscription declared twice, and deleting either deletes both.
      .refine((emails) => new Set(emails.map((e) => e.toLowerCase())).size === emails.length, "list each address once"),
    /** Monthly AWS cost budget in USD: alerts at 80% and 100% of actual cost, and at 100% of the forecast. */
    budgetMonthlyUsd: z.number().positive("must be a positive amount of US dollars").default(DEFAULT_BUDGET_MONTHLY_USD),
  })
  .strict();

export const SettingsSchema = z
  .object({
    bronze: z
      .object({
        /** Rows per Parquet file; bounds writer memory for large batches. */
        maxRowsPerFile: z.number().int().min(100).max(5_000_000).default(250_000),
        /**
         * How the queue → bronze consumers (streams, GA) batch: up to `queueBatchSize` records, waiting at most
         * `queueBatchWindowSeconds` for them. Bigger batches mean fewer, larger bronze files; the window is what an
         * accepted record waits before it can reach bronze and the real-time report. For reports fresh within a
         * second, use 10 and 0 (more, smaller files — the medallion's compaction step merges them).
         */
        queueBatchSize: z.number().int().min(1).max(10_000).default(500),
        queueBatchWindowSeconds: z.number().int().min(0).max(300).default(1),
      })
      .strict()
      // Lambda: "when you set BatchSize to a value greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1".
      .refine((b) => b.queueBatchSize <= 10 || b.queueBatchWindowSeconds >= 1, {
        message: "queueBatchSize above 10 needs queueBatchWindowSeconds of at least 1 (an AWS Lambda rule for SQS)",
        path: ["queueBatchWindowSeconds"],
      })
      .default(() => ({ maxRowsPerFile: 250_000, queueBatchSize: 500, queueBatchWindowSeconds: 1 })),
    // A function, so every parsed config gets its own object (a shared default would leak one config's edits into all).
    files: FileLimitsSchema.default(() => FileLimitsSchema.parse({})),
    medallionSchedule: z.string().default("rate(5 minutes)"),
    defaultFreshnessSloMinutes: z.number().int().positive().default(60),
  })
  .strict();

export const ConfigSchema = z
  .object({
    project: nameSchema.default("tributary"),
    sources: z.array(SourceSchema).default([]),
    feeds: z.array(FeedSchema).default([]),
    streams: z.array(StreamSchema).default([]),
    ga: GaSchema.optional(),
    links: z.object({ keys: z.record(nameSchema, LinkKeySchema).default({}) }).strict().default({ keys: {} }),
    realtime: RealtimeSchema.default(() => RealtimeSchema.parse({})),
    quality: z.array(ExpectationSchema).default([]),
    reports: z.array(ReportSchema).default([]),
    alerts: AlertsSchema.default(() => AlertsSchema.parse({})),
    // A function default: every parsed config gets its own settings objects, never a shared one.
    settings: SettingsSchema.default(() => SettingsSchema.parse({})),
  })
  .strict();

/** What a config file is written as (defaults optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** A validated config with every default filled in. */
export type TributaryConfig = z.output<typeof ConfigSchema>;
export type SqlServerSource = z.output<typeof SqlServerSourceSchema>;
export type SqlServerTable = z.output<typeof SqlServerTableSchema>;
export type Feed = z.output<typeof FeedSchema>;
export type Stream = z.output<typeof StreamSchema>;
export type FileFormat = z.output<typeof FileFormatSchema>;
export type ColumnSpec = z.output<typeof ColumnSpecSchema>;
export type LinkKey = z.output<typeof LinkKeySchema>;
export type RealtimeConfig = z.output<typeof RealtimeSchema>;
export type Expectation = z.output<typeof ExpectationSchema>;
export type FileLimits = z.output<typeof FileLimitsSchema>;
export type AlertsConfig = z.output<typeof AlertsSchema>;
