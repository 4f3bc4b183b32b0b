/**
 * Wiring declared once, as data: which function listens to which HTTP route, queue, bus pattern, schedule or
 * state-machine step, and which resources it may touch. The SST stacks build AWS resources from it and the
 * embedded local platform builds its in-process equivalents from it; `test/wiring.test.ts` proves they agree.
 */
import { datasets, type TributaryConfig } from "../config";
import type { EventPattern } from "./event-pattern";

export type QueueName = "stream-records" | "file-notifications" | "ga-hits" | "ga-forward" | "link-requests";
/** A declared queue or its dead-letter queue (`<name>-dlq`, which the stacks and local runtime create for each). */
export type QueueRef = QueueName | `${QueueName}-dlq`;
export type TableName = "ingest_ledger" | "ga_forward_status" | "cdc_offsets" | "link_graph" | "realtime_reports" | "workflow_state";
/** Built-in secrets, plus each SQL Server source's `connectionSecret` (UPPER_SNAKE_CASE, named in the config). */
export type SecretName = "API_KEYS" | "GA_API_SECRETS" | "LINK_HASH_KEY" | Uppercase<string>;

export interface QueueDecl {
  name: QueueName;
  /** Seconds a received message stays hidden; AWS advises ≥ 6× the consumer's timeout. */
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to `<name>-dlq`. */
  maxReceiveCount: number;
  retentionDays: number;
}

export interface TableDecl {
  name: TableName;
  partitionKey: string;
  sortKey?: string;
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  ttlAttribute?: string;
}

export type Trigger =
  | { kind: "http"; method: "GET" | "POST" | "PUT" | "DELETE"; path: string }
  | { kind: "queue"; queue: QueueName; batchSize: number; batchWindowSeconds: number }
  | { kind: "schedule"; name: string; expression: string; input?: Record<string, unknown> }
  | { kind: "bus"; rule: string; pattern: EventPattern }
  | { kind: "step"; machine: string; state: string };

/** Lake access by key prefix; the stacks turn these into IAM statements scoped to `<prefix>*`. */
export interface LakeAccess {
  read: string[];
  write: string[];
  /** Prefixes the function may delete under (bronze compaction replaces small files); none when omitted. */
  delete?: string[];
}

export interface FunctionDecl {
  name: string;
  /** `packages/functions/src/<file>.handler`, relative to the repo root (SST's handler format). */
  handler: string;
  description: string;
  triggers: Trigger[];
  timeoutSeconds: number;
  memoryMb: number;
  /** Lambda's /tmp size (512–10240 MB), for functions that stage lake files for DuckDB; 512 when omitted. */
  ephemeralStorageMb?: number;
  lake: LakeAccess;
  /** Queues the function may send to; a `-dlq` entry lets it park permanent failures for replay. */
  sendsTo: QueueRef[];
  putsEvents: boolean;
  tables: { name: TableName; access: "read" | "readwrite" }[];
  /** Secrets the function may read (SST secrets on AWS, environment variables locally). */
  secrets: SecretName[];
}

/** A bus rule that routes events to a queue (functions subscribe with `bus` triggers instead). */
export interface RuleDecl {
  name: string;
  /** Events from S3 arrive on the account's default bus; our own events on the `tributary` bus. */
  bus: "default" | "tributary";
  pattern: EventPattern;
  targetQueue: QueueName;
}

/**
 * A state machine: its Task states are answered by the functions whose `step` triggers name it; it starts on a
 * schedule and on bus events, and runs at most this long.
 */
export interface MachineDecl {
  name: string;
  schedule: { name: string; expression: string };
  /** Bus rules (on the `tributary` bus) that start an execution. */
  startOn: { rule: string; pattern: EventPattern }[];
  timeoutMinutes: number;
}

export interface Wiring {
  queues: QueueDecl[];
  tables: TableDecl[];
  functions: FunctionDecl[];
  rules: RuleDecl[];
  machines: MachineDecl[];
}

export interface WiringContext {
  /** Name of the lake bucket: the S3 notification rule matches only this bucket. */
  lakeBucket: string;
}

/**
 * Google keeps Measurement Protocol hits for 72 hours; a hit not forwarded by then is useless to it.
 * The forward queue redelivers every `GA_FORWARD_VISIBILITY_SECONDS`, so `maxReceiveCount` is chosen to make
 * SQS move a hit to the DLQ once that window has passed.
 */
export const GA_FORWARD_WINDOW_HOURS = 72;
export const GA_FORWARD_TIMEOUT_SECONDS = 120;
/** AWS advises a visibility timeout of at least 6× the consumer's timeout. */
export const GA_FORWARD_VISIBILITY_SECONDS = 6 * GA_FORWARD_TIMEOUT_SECONDS;

/** The name of the bus Tributary's own events travel on. */
export const BUS_NAME = "tributary";
export const EVENT_SOURCE = "tributary";

/**
 * The whole platform's wiring for a config.
 *
 * @example wiring(config, { lakeBucket: "my-lake" }).functions.map((f) => f.name) // ["events-api", "stream-bronze", "file-ingest"]
 */
export function wiring(config: TributaryConfig, ctx: WiringContext): Wiring {
  const feedPrefixes = config.feeds.map((f) => `landing/${f.name}/`);
  return {
    queues: [
      { name: "stream-records", visibilityTimeoutSeconds: 180, maxReceiveCount: 5, retentionDays: 14 },
      { name: "file-notifications", visibilityTimeoutSeconds: 5400, maxReceiveCount: 3, retentionDays: 14 },
      { name: "ga-hits", visibilityTimeoutSeconds: 180, maxReceiveCount: 5, retentionDays: 14 },
      {
        name: "ga-forward",
        visibilityTimeoutSeconds: GA_FORWARD_VISIBILITY_SECONDS,
        maxReceiveCount: Math.ceil((GA_FORWARD_WINDOW_HOURS * 3600) / GA_FORWARD_VISIBILITY_SECONDS),
        retentionDays: 4,
      },
      { name: "link-requests", visibilityTimeoutSeconds: 6 * LINK_TIMEOUT_SECONDS, maxReceiveCount: 5, retentionDays: 14 },
    ],
    tables: [
      { name: "ingest_ledger", partitionKey: "pk" },
      { name: "ga_forward_status", partitionKey: "pk", ttlAttribute: "expiresAt" },
      { name: "cdc_offsets", partitionKey: "pk" },
      { name: "link_graph", partitionKey: "pk", sortKey: "sk" },
      { name: "realtime_reports", partitionKey: "pk", sortKey: "sk" },
      { name: "workflow_state", partitionKey: "pk" },
    ],
    functions: [
      {
        name: "events-api",
        handler: "packages/functions/src/events-api.handler",
        description: "Accepts records for config-declared streams and queues them durably before answering.",
        triggers: [{ kind: "http", method: "POST", path: "/v1/streams/{stream}/records" }],
        timeoutSeconds: 10,
        memoryMb: 512,
        lake: { read: [], write: [] },
        sendsTo: ["stream-records"],
        putsEvents: false,
        tables: [],
        secrets: ["API_KEYS"],
      },
      {
        name: "stream-bronze",
        handler: "packages/functions/src/stream-bronze.handler",
        description: "Batches queued stream records into bronze Parquet; quarantines invalid ones.",
        triggers: [{ kind: "queue", queue: "stream-records", batchSize: config.settings.bronze.queueBatchSize, batchWindowSeconds: config.settings.bronze.queueBatchWindowSeconds }],
        timeoutSeconds: 30,
        memoryMb: 1024,
        lake: { read: [], write: ["bronze/streams/", "quarantine/streams/", "restricted/bronze/streams/", "restricted/quarantine/streams/"] },
        sendsTo: [],
        putsEvents: true,
        tables: [],
        secrets: [],
      },
      {
        name: "file-ingest",
        handler: "packages/functions/src/file-ingest.handler",
        description: "Streams a landed partner file into bronze Parquet chunks; quarantines bad rows.",
        triggers: [{ kind: "queue", queue: "file-notifications", batchSize: 1, batchWindowSeconds: 0 }],
        timeoutSeconds: 900,
        memoryMb: 2048,
        // /tmp holds a CSV staged for DuckDB (pieces not yet loaded, up to the decompressed size) and the bronze
        // Parquet before it is stored, or a Parquet file spooled to be read (settings.files.maxSpoolBytes, 9 GiB).
        ephemeralStorageMb: 10240,
        lake: {
          read: feedPrefixes.length > 0 ? feedPrefixes : ["landing/"],
          write: ["bronze/files/", "quarantine/files/", "restricted/bronze/files/", "restricted/quarantine/files/", "manifests/files/", "manifests/rejected/"],
          // Its own chunks only: a file that fails part-way removes what it had stored, and a retry that writes
          // fewer chunks than an earlier attempt removes the extra ones (never a partial or doubled load).
          delete: ["bronze/files/", "quarantine/files/", "restricted/bronze/files/", "restricted/quarantine/files/"],
        },
        sendsTo: [],
        putsEvents: true,
        tables: [{ name: "ingest_ledger", access: "readwrite" }],
        secrets: [],
      },
      ...gaFunctions(config),
      ...cdcFunctions(config),
      ...linkFunctions(config),
      ...medallionFunctions(config),
    ],
    rules: [
      {
        name: "landing-object-created",
        bus: "default",
        pattern: {
          source: ["aws.s3"],
          "detail-type": ["Object Created"],
          detail: { bucket: { name: [ctx.lakeBucket] }, object: { key: [{ prefix: "landing/" }] } },
        },
        targetQueue: "file-notifications",
      },
      {
        name: "record-ingested",
        bus: "tributary",
        pattern: { source: [EVENT_SOURCE], "detail-type": ["record.ingested"] },
        targetQueue: "link-requests",
      },
    ],
    machines: [
      {
        name: MEDALLION_MACHINE,
        schedule: { name: "medallion-schedule", expression: config.settings.medallionSchedule },
        // A partner file is a closed batch of bronze: merge it now rather than at the next tick. Streams, GA and
        // CDC land continuously, so the schedule takes them (a run per consumer batch would cost more than it gains).
        startOn: [{ rule: "medallion-file-ingested", pattern: { source: [EVENT_SOURCE], "detail-type": [FILE_INGESTED] } }],
        timeoutMinutes: MEDALLION_TIMEOUT_MINUTES,
      },
    ],
  };
}

/** The GA proxy, its bronze consumer and its forwarder — only when the config declares a GA property. */
function gaFunctions(config: TributaryConfig): FunctionDecl[] {
  if (!config.ga) return [];
  return [
    {
      name: "ga-proxy",
      handler: "packages/functions/src/ga-proxy.handler",
      description: "GA4 Measurement Protocol and Universal Analytics collect endpoints: validate, keep the hit durably, answer fast.",
      triggers: [
        { kind: "http", method: "POST", path: "/mp/collect" },
        { kind: "http", method: "POST", path: "/collect" },
        { kind: "http", method: "GET", path: "/collect" },
      ],
      timeoutSeconds: 10,
      memoryMb: 512,
      lake: { read: [], write: [] },
      sendsTo: config.ga.forward ? ["ga-hits", "ga-forward"] : ["ga-hits"],
      putsEvents: false,
      tables: [],
      secrets: ["GA_API_SECRETS"],
    },
    {
      name: "ga-bronze",
      handler: "packages/functions/src/ga-bronze.handler",
      description: "Batches accepted GA hits into bronze ga_events (one row per event); quarantines what fails.",
      triggers: [{ kind: "queue", queue: "ga-hits", batchSize: config.settings.bronze.queueBatchSize, batchWindowSeconds: config.settings.bronze.queueBatchWindowSeconds }],
      timeoutSeconds: 30,
      memoryMb: 1024,
      lake: { read: [], write: ["bronze/ga/", "quarantine/ga/"] },
      sendsTo: [],
      putsEvents: true,
      tables: [],
      secrets: [],
    },
    {
      name: "ga-forward",
      handler: "packages/functions/src/ga-forward.handler",
      description: "Forwards accepted GA hits to Google with jittered retries, once per event; DLQ after the 72 h window.",
      triggers: [{ kind: "queue", queue: "ga-forward", batchSize: 10, batchWindowSeconds: 0 }],
      // One hit may take ~55 s in the worst case (4 attempts × 10 s timeout + backoff), so 120 s leaves room.
      timeoutSeconds: GA_FORWARD_TIMEOUT_SECONDS,
      memoryMb: 256,
      lake: { read: [], write: [] },
      putsEvents: false,
      // A hit Google refuses outright (4xx) will never succeed: it goes straight to the DLQ for inspection.
      sendsTo: ["ga-forward-dlq"],
      tables: [{ name: "ga_forward_status", access: "readwrite" }],
      secrets: ["GA_API_SECRETS"],
    },
  ];
}

/** Seconds a CDC poll may run; the poller stops taking new batches a margin before it. */
export const CDC_POLL_TIMEOUT_SECONDS = 300;

/**
 * The CDC poller: one schedule per SQL Server source (rate from the config) invoking it with `{ source }`.
 * Two polls of one source never run at once: a lease in `cdc_offsets` refuses the second, and every offset
 * advance is a conditional write.
 */
function cdcFunctions(config: TributaryConfig): FunctionDecl[] {
  if (config.sources.length === 0) return [];
  const names = config.sources.map((s) => s.name);
  return [
    {
      name: "cdc-poll",
      handler: "packages/functions/src/cdc-poll.handler",
      description: "Polls SQL Server CDC from the stored LSN (snapshot first), lands bronze, then advances the offset.",
      triggers: config.sources.map((s) => ({ kind: "schedule" as const, name: `cdc-poll-${s.name}`, expression: s.schedule, input: { source: s.name } })),
      timeoutSeconds: CDC_POLL_TIMEOUT_SECONDS,
      memoryMb: 1024,
      lake: {
        read: [],
        write: names.flatMap((n) => [`bronze/${n}/`, `quarantine/${n}/`, `restricted/bronze/${n}/`, `restricted/quarantine/${n}/`]),
      },
      sendsTo: [],
      putsEvents: true,
      tables: [{ name: "cdc_offsets", access: "readwrite" }],
      secrets: config.sources.flatMap((s) => (s.connectionSecret ? [s.connectionSecret as Uppercase<string>] : [])),
    },
  ];
}

export const LINK_TIMEOUT_SECONDS = 120;

/**
 * Linking and the real-time report: `record.ingested` reaches the link function through a queue (retries, a DLQ
 * to replay from; batch window 0 because freshness is the point), and the report API reads what it wrote.
 */
function linkFunctions(config: TributaryConfig): FunctionDecl[] {
  const hashed = Object.values(config.links.keys).some((k) => k.hashed);
  return [
    {
      name: "link",
      handler: "packages/functions/src/link.handler",
      description: "Resolves landed records to entities in the link tables (merging what they bridge) and updates the real-time report.",
      triggers: [{ kind: "queue", queue: "link-requests", batchSize: 10, batchWindowSeconds: 0 }],
      timeoutSeconds: LINK_TIMEOUT_SECONDS,
      memoryMb: 1024,
      // Rows are read from bronze; datasets with PII columns (email for the hashed key, lab values) land only in the restricted copy.
      lake: { read: ["bronze/", "restricted/bronze/"], write: [] },
      sendsTo: [],
      putsEvents: false,
      tables: [
        { name: "link_graph", access: "readwrite" },
        { name: "realtime_reports", access: "readwrite" },
      ],
      secrets: hashed ? ["LINK_HASH_KEY"] : [],
    },
    {
      name: "report-api",
      handler: "packages/functions/src/report-api.handler",
      description: "Real-time per-customer report with its freshness, from the link and report tables.",
      triggers: [
        { kind: "http", method: "GET", path: "/v1/reports/customers/{customerId}" },
        { kind: "http", method: "GET", path: "/v1/reports/entities/{entityId}" },
      ],
      timeoutSeconds: 10,
      memoryMb: 512,
      lake: { read: [], write: [] },
      sendsTo: [],
      putsEvents: false,
      tables: [
        { name: "link_graph", access: "read" },
        { name: "realtime_reports", access: "read" },
      ],
      secrets: config.links.keys[config.realtime.customerKey]?.hashed ? ["API_KEYS", "LINK_HASH_KEY"] : ["API_KEYS"],
    },
  ];
}

/** The medallion state machine's name and limits (core's medallion/workflow.ts builds its definition). */
export const MEDALLION_MACHINE = "medallion";
export const MEDALLION_TIMEOUT_MINUTES = 120;
const FILE_INGESTED = "file.ingested";

/**
 * The medallion workflow's Lambdas, one per kind of work so each gets only its own permissions and size:
 * planning (find work, announce, release the run's lease), silver (merge + compact one dataset: the heavy one,
 * DuckDB over staged bronze) and gold (build one report from silver). Each answers its states by `task` name.
 */
function medallionFunctions(config: TributaryConfig): FunctionDecl[] {
  const step = (...states: string[]) => states.map((state) => ({ kind: "step" as const, machine: MEDALLION_MACHINE, state }));
  const allDatasets = datasets(config);
  const tokenises = allDatasets.some((d) => d.columns.some((c) => c.pii === "tokenise"));
  const hashedLinks = allDatasets.some((d) => Object.values(d.linkKeys).some((k) => config.links.keys[k]?.hashed));
  const bronze = ["bronze/", "restricted/bronze/"];
  return [
    {
      name: "medallion-plan",
      handler: "packages/functions/src/medallion.handler",
      description: "Medallion: takes the run's lease and finds datasets past their watermark; announces gold.updated and freshness at the end.",
      triggers: step("FindWork", "Announce", "ReleaseLease"),
      timeoutSeconds: 120,
      memoryMb: 512,
      lake: { read: [...bronze, "silver/"], write: [] },
      sendsTo: [],
      putsEvents: true,
      tables: [{ name: "workflow_state", access: "readwrite" }],
      secrets: [],
    },
    {
      name: "medallion-silver",
      handler: "packages/functions/src/medallion.handler",
      description: "Medallion: merges one dataset's new bronze into a new silver version (PII treated, quality checked) and compacts closed bronze partitions.",
      triggers: step("MergeDataset", "CompactDataset"),
      timeoutSeconds: 900,
      memoryMb: 6144,
      ephemeralStorageMb: 10240,
      // Deletes: bronze files a compaction replaced, and silver files of a version that is not published (put while
      // its quality checks ran, then a check failed or quarantined rows). The bucket is versioned.
      lake: { read: [...bronze, "silver/"], write: ["silver/", "quarantine/silver/", ...bronze], delete: [...bronze, "silver/"] },
      sendsTo: [],
      putsEvents: false,
      tables: [{ name: "link_graph", access: "read" }],
      secrets: [...(tokenises ? ["TOKENISE_KEY" as const] : []), ...(hashedLinks ? ["LINK_HASH_KEY" as const] : [])],
    },
    {
      name: "medallion-gold",
      handler: "packages/functions/src/medallion.handler",
      description: "Medallion: builds one gold report from the current silver versions and publishes it atomically.",
      triggers: step("BuildReport"),
      timeoutSeconds: 900,
      memoryMb: 4096,
      ephemeralStorageMb: 4096,
      lake: { read: ["silver/"], write: ["gold/"] },
      sendsTo: [],
      putsEvents: false,
      tables: [],
      secrets: [],
    },
  ];
}

/** One line per trigger, e.g. `events-api <- http POST /v1/streams/{stream}/records`; both runtimes print and compare these. */
export function describeTrigger(fn: string, t: Trigger): string {
  switch (t.kind) {
    case "http":
      return `${fn} <- http ${t.method} ${t.path}`;
    case "queue":
      return `${fn} <- queue ${t.queue} (batch ${t.batchSize}, window ${t.batchWindowSeconds}s)`;
    case "schedule":
      return `${fn} <- schedule ${t.name} ${t.expression}`;
    case "bus":
      return `${fn} <- bus rule ${t.rule}`;
    case "step":
      return `${fn} <- step ${t.machine}.${t.state}`;
  }
}

/** What starts a state machine, one line each, e.g. `machine medallion <- schedule medallion-schedule rate(5 minutes)`. */
export function describeMachineTriggers(machine: MachineDecl): string[] {
  return [
    `machine ${machine.name} <- schedule ${machine.schedule.name} ${machine.schedule.expression}`,
    ...machine.startOn.map((s) => `machine ${machine.name} <- bus rule ${s.rule}`),
  ];
}
