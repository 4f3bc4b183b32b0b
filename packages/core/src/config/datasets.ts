/**
 * Flattens the config into one list of datasets — the unit every other part works on (bronze writer,
 * Glue tables, DuckDB views, row validators). Lineage columns are added here, once.
 */
import type { ColumnType } from "./column-types";
import type { ColumnSpec, Feed, SqlServerTable, Stream, TributaryConfig } from "./schema";
import { GA_EVENTS_DATASET } from "./ga-dataset";
import { UnknownDatasetError } from "./errors";

export type DatasetKind = "cdc" | "file" | "stream" | "ga";
export type PiiTreatment = NonNullable<ColumnSpec["pii"]>;

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
  pii?: PiiTreatment;
  /** True for the `_…` columns Tributary adds. */
  lineage: boolean;
}

export interface Dataset {
  name: string;
  kind: DatasetKind;
  /** Lake source segment: the SQL Server source name, `files`, `streams` or `ga`. */
  source: string;
  /** Declared columns, then lineage columns: the Parquet column order. */
  columns: Column[];
  primaryKey: string[];
  /** Column the dt/hour partitions come from; `_ingested_at` when the config names none. */
  partitionTime: string;
  linkKeys: Record<string, string>;
  /** Holds raw PII: bronze lives under the restricted prefix. */
  restricted: boolean;
  freshnessSloMinutes: number;
}

const col = (name: string, type: ColumnType, nullable = false): Column => ({ name, type, nullable, lineage: true });

/** Columns every bronze record carries. */
export const COMMON_LINEAGE: Column[] = [
  col("_record_id", "string"),
  col("_ingested_at", "timestamp"),
  col("_source", "string"),
  col("_batch_id", "string"),
];

export const KIND_LINEAGE: Record<DatasetKind, Column[]> = {
  cdc: [col("_lsn", "string"), col("_seqval", "string"), col("_op", "string"), col("_commit_ts", "timestamp", true)],
  file: [col("_file", "string"), col("_row_number", "bigint")],
  stream: [col("_received_at", "timestamp"), col("_source_ip", "string", true), col("_user_agent", "string", true)],
  ga: [col("_received_at", "timestamp"), col("_source_ip", "string", true), col("_user_agent", "string", true)],
};

/** Columns of a quarantine table: why, where from, and the raw record as JSON. */
export const QUARANTINE_COLUMNS: Column[] = [
  col("_record_id", "string"),
  col("_quarantined_at", "timestamp"),
  col("_source", "string"),
  col("_batch_id", "string"),
  col("_reason", "string"),
  col("_origin", "string", true),
  col("_raw", "string", true),
];

/**
 * Where stream messages that cannot be routed to a declared stream are quarantined (not JSON, not an envelope,
 * or a stream removed from the config since the record was accepted). It has no bronze table, only
 * `quarantine.unrouted_records`.
 */
export const UNROUTED_RECORDS: Dataset = {
  name: "unrouted_records",
  kind: "stream",
  source: "streams",
  columns: [],
  primaryKey: [],
  partitionTime: "_ingested_at",
  linkKeys: {},
  restricted: false,
  freshnessSloMinutes: 60,
};

interface DatasetDecl {
  name: string;
  columns: Record<string, ColumnType | ColumnSpec | { type: ColumnType; nullable?: boolean; pii?: PiiTreatment }>;
  partitionTime?: string;
  linkKeys?: Record<string, string>;
  freshnessSloMinutes?: number;
}

function toDataset(decl: DatasetDecl, kind: DatasetKind, source: string, primaryKey: string[], defaultSlo: number): Dataset {
  const declared = Object.entries(decl.columns).map(([name, spec]): Column => {
    const s = typeof spec === "string" ? { type: spec } : spec;
    return { name, type: s.type, nullable: s.nullable ?? true, ...(s.pii ? { pii: s.pii } : {}), lineage: false };
  });
  return {
    name: decl.name,
    kind,
    source,
    columns: [...declared, ...COMMON_LINEAGE, ...KIND_LINEAGE[kind]],
    primaryKey,
    partitionTime: decl.partitionTime ?? "_ingested_at",
    linkKeys: decl.linkKeys ?? {},
    restricted: declared.some((c) => c.pii !== undefined),
    freshnessSloMinutes: decl.freshnessSloMinutes ?? defaultSlo,
  };
}

/**
 * Every dataset the config declares, in a stable order.
 *
 * @example datasets(config).map((d) => d.name) // ["customers", "orders", "lab_results", "user_events", "user_utm", "ga_events"]
 */
export function datasets(config: TributaryConfig): Dataset[] {
  // Hot path: every request resolves its dataset. A config is immutable once parsed, so derive once per config.
  let derived = derivedDatasets.get(config);
  if (!derived) derivedDatasets.set(config, (derived = deriveDatasets(config)));
  return derived;
}

const derivedDatasets = new WeakMap<TributaryConfig, Dataset[]>();

function deriveDatasets(config: TributaryConfig): Dataset[] {
  const slo = config.settings.defaultFreshnessSloMinutes;
  const out: Dataset[] = [];
  for (const source of config.sources) {
    for (const table of source.tables as SqlServerTable[]) out.push(toDataset(table, "cdc", source.name, table.primaryKey, slo));
  }
  for (const feed of config.feeds as Feed[]) out.push(toDataset(feed, "file", "files", feed.primaryKey ?? [], slo));
  for (const stream of config.streams as Stream[]) {
    out.push(toDataset(stream, "stream", "streams", stream.idColumn ? [stream.idColumn] : ["_record_id"], slo));
  }
  if (config.ga) out.push(toDataset(GA_EVENTS_DATASET, "ga", "ga", ["event_id"], slo));
  return out;
}

/** The dataset called `name`, or a clear error. */
export function datasetNamed(config: TributaryConfig, name: string): Dataset {
  const all = datasets(config);
  const found = all.find((d) => d.name === name);
  if (!found) throw new UnknownDatasetError(name, all.map((d) => d.name));
  return found;
}
