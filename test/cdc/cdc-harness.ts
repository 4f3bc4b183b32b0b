/**
 * A CDC poller under test: the shipped config (batch size adjustable), the embedded stand-in in memory,
 * dynalite for offsets, a filesystem lake in a temp dir and a bus that keeps what it was given. `bronze()` reads
 * back what landed with DuckDB, and `stateFromBronze` replays it the way silver will (latest change per key).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { openLakeQuery } from "../../packages/core/src/catalog";
import { EmbeddedChangeSource, embeddedTablesOf, pollSource, type ChangeRow, type ChangeSource, type PollOptions, type PollReport } from "../../packages/core/src/cdc";
import { datasets, parseConfig, parseTimestampMicros, type TributaryConfig } from "../../packages/core/src/config";
import { FileSystemLakeStore } from "../../packages/core/src/lake";
import { startLocalDynamo, type LocalDynamo } from "../../packages/core/src/local/dynamo";
import type { BusEvent, Ports } from "../../packages/core/src/platform";
import shipped from "../../tributary.config";

export interface CdcHarness {
  config: TributaryConfig;
  ports: Ports;
  source: EmbeddedChangeSource;
  events: BusEvent[];
  poll(options?: PollOptions, changes?: ChangeSource): Promise<PollReport>;
  /** Bronze rows of a table, ordered by change position. */
  bronze(table: string): Promise<Record<string, unknown>[]>;
  /** The table's current rows in the source, keyed by primary key, values as text. */
  sourceState(table: string): Promise<Map<string, Record<string, unknown>>>;
  /** Replaces the dynamo client (fault injection); returns the original. */
  dynamo: LocalDynamo;
  dispose(): Promise<void>;
}

/**
 * Ports for polling outside a platform: a filesystem lake in `lakeDir`, offsets in `dynamo`, a bus that keeps
 * the events in `events`; queues and secrets unused. Shared by this harness, the live suite and the benchmark.
 */
export function cdcPorts(config: TributaryConfig, lakeDir: string, dynamo: DynamoDBDocumentClient, events: BusEvent[] = []): Ports {
  return {
    config,
    lake: new FileSystemLakeStore(lakeDir),
    queues: { send: async () => undefined },
    bus: { put: async (e) => void events.push(...e) },
    dynamo,
    secrets: { get: async () => undefined },
    settings: { gaEndpoint: "http://127.0.0.1:9" },
    tableName: (table) => table,
  };
}

export async function startCdcHarness(options: { batchSize?: number; onRetentionGap?: "fail" | "resnapshot" } = {}): Promise<CdcHarness> {
  const input = structuredClone(shipped) as unknown as { sources: Record<string, unknown>[] };
  input.sources[0] = { ...input.sources[0], batchSize: options.batchSize ?? 10_000, onRetentionGap: options.onRetentionGap ?? "fail" };
  const config = parseConfig(input);
  const dir = await mkdtemp(join(tmpdir(), "tributary-cdc-"));
  const dynamo = await startLocalDynamo({ tables: [{ name: "cdc_offsets", partitionKey: "pk" }] });
  const backend = config.sources[0]!;
  const source = await EmbeddedChangeSource.open({ tables: embeddedTablesOf(backend, datasets(config).filter((d) => d.kind === "cdc")) });
  const events: BusEvent[] = [];
  const ports: Ports = { ...cdcPorts(config, dir, dynamo.doc, events), changeSources: { open: async () => source } };
  const harness: CdcHarness = {
    config,
    ports,
    source,
    events,
    dynamo,
    poll: (pollOptions = {}, changes = source) => pollSource(harness.ports, backend.name, changes, pollOptions),
    async bronze(table) {
      const lake = await openLakeQuery(ports.lake, config);
      try {
        return await lake.query(`SELECT * FROM bronze.${table} ORDER BY _lsn, _seqval, _op`);
      } catch (error) {
        if (/does not exist|no files/i.test((error as Error).message)) return [];
        throw error;
      } finally {
        await lake.close();
      }
    },
    async sourceState(table) {
      const t = source.tables.find((x) => x.table.endsWith(`.${table}`))!;
      const rows = await source.snapshotPage(t.table, { primaryKey: t.primaryKey, limit: 1_000_000 });
      return new Map(rows.map((r) => [keyOf(t.primaryKey, r), r]));
    },
    async dispose() {
      await source.close();
      await dynamo.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export const keyOf = (primaryKey: string[], row: Record<string, unknown>) => primaryKey.map((k) => String(row[k])).join("|");

const OP_ORDER: Record<string, number> = { snapshot: 0, delete: 1, insert: 2, update_before: 3, update_after: 4 };

/**
 * The table's state rebuilt from bronze as silver will: per key, the row with the highest (lsn, seqval, op);
 * deletes remove the key; update_before images are ignored.
 */
export function stateFromBronze(rows: Record<string, unknown>[], primaryKey: string[]): Map<string, Record<string, unknown>> {
  const latest = new Map<string, Record<string, unknown>>();
  const order = (r: Record<string, unknown>) => `${r._lsn}|${r._seqval}|${OP_ORDER[String(r._op)]}`;
  for (const row of rows) {
    if (row._op === "update_before") continue;
    const key = keyOf(primaryKey, row);
    const seen = latest.get(key);
    if (!seen || order(row) >= order(seen)) latest.set(key, row);
  }
  for (const [key, row] of latest) if (row._op === "delete") latest.delete(key);
  return latest;
}

/** Duplicated change keys (table, lsn, seqval, op) whose rows differ: must always be empty. */
export function conflictingDuplicates(rows: Record<string, unknown>[]): string[] {
  const seen = new Map<string, string>();
  const conflicts: string[] = [];
  for (const row of rows) {
    const key = `${row._lsn}|${row._seqval}|${row._op}|${row._op === "snapshot" ? row._record_id : ""}`;
    const { _ingested_at, _batch_id, ...content } = row;
    const text = JSON.stringify(content, (_, v) => (typeof v === "bigint" ? v.toString() : v));
    const before = seen.get(key);
    if (before !== undefined && before !== text) conflicts.push(key);
    seen.set(key, text);
  }
  return conflicts;
}

/** Compares source rows (text values) with bronze rows (typed values) on the declared columns, as text. */
export function sameState(source: Map<string, Record<string, unknown>>, rebuilt: Map<string, Record<string, unknown>>, columns: string[]): string[] {
  const problems: string[] = [];
  for (const [key, row] of source) {
    const got = rebuilt.get(key);
    if (!got) problems.push(`missing ${key}`);
    else for (const c of columns) if (textOf(row[c]) !== textOf(got[c])) problems.push(`${key}.${c}: source ${textOf(row[c])} bronze ${textOf(got[c])}`);
  }
  for (const key of rebuilt.keys()) if (!source.has(key)) problems.push(`extra ${key}`);
  return problems;
}

/** Text of a value for comparison; timestamps (source text or DuckDB's rendering) as epoch micros. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return "null";
  const text = String(value);
  const micros = text.length > 10 ? parseTimestampMicros(text) : undefined;
  return micros === undefined ? text : `${micros}µs`;
}

/**
 * `source` with every call passed through except `readChanges`, which goes through `read` (given the call's
 * number, from 1, and the real read): for benches and tests that delay or fail particular reads.
 */
export function withReadChanges(
  source: ChangeSource,
  read: (call: number, run: () => Promise<ChangeRow[]>) => Promise<ChangeRow[]>,
): ChangeSource {
  let calls = 0;
  return {
    kind: source.kind,
    maxLsn: () => source.maxLsn(),
    commitTimeOf: (lsn) => source.commitTimeOf(lsn),
    incrementLsn: (lsn) => source.incrementLsn(lsn),
    captureInstances: (table) => source.captureInstances(table),
    minLsn: (instance) => source.minLsn(instance),
    readChanges: (instance, options) => read((calls += 1), () => source.readChanges(instance, options)),
    snapshotPage: (table, options) => source.snapshotPage(table, options),
    close: () => source.close(),
  };
}
