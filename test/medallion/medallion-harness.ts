/**
 * Medallion test fixtures: bronze batches landed as real Parquet (CDC changes or stream/file records), and table
 * versions read back through their published manifest.
 */
import { join } from "node:path";
import { compileRowValidator, type CanonicalValue, type Dataset } from "@tributary/core/config";
import { BronzeWriter } from "@tributary/core/lake";
import { readCurrentManifest, type TableLayer } from "@tributary/core/medallion";
import type { Ports } from "@tributary/core/platform";

const OP_NUMBER: Record<string, number> = { delete: 1, insert: 2, update_before: 3, update_after: 4 };

export interface Change {
  lsn: string;
  seqval: string;
  op: "snapshot" | "insert" | "update_before" | "update_after" | "delete";
  command?: number;
  row: Record<string, unknown>;
}
export interface Batch {
  batch: string;
  /** CDC changes (CDC datasets) or plain records (others). */
  changes?: Change[];
  records?: { recordId: string; ingestedAt: string; row: Record<string, unknown> }[];
}

export async function land(ports: Ports, dataset: Dataset, batch: Batch): Promise<void> {
  const validate = compileRowValidator(dataset);
  const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
  const writer = new BronzeWriter({ store: ports.lake, dataset, batchId: batch.batch, maxRowsPerFile: 1000, ingestedAt: micros(batch.records?.[0]?.ingestedAt ?? "2026-11-01T00:00:00Z") });
  const checked = (row: Record<string, unknown>) => {
    const result = validate(row);
    if (!result.ok) throw new Error(`fixture row is invalid: ${JSON.stringify(result.problems)}`);
    return result.row;
  };
  for (const c of batch.changes ?? []) {
    const recordId = c.op === "snapshot" ? `${dataset.name}:${c.lsn}:snapshot:${JSON.stringify(dataset.primaryKey.map((k) => String(c.row[k])))}` : `${dataset.name}:${c.lsn}:${c.command ?? 1}:${c.seqval}:${OP_NUMBER[c.op]}`;
    await writer.add(checked(c.row), { _record_id: recordId, _lsn: c.lsn, _seqval: c.seqval, _op: c.op, _commit_ts: null });
  }
  for (const r of batch.records ?? []) {
    const lineage: Record<string, CanonicalValue> =
      dataset.kind === "file" ? { _file: `landing/${dataset.name}/fixture.csv`, _row_number: 1n } : { _received_at: micros(r.ingestedAt), _source_ip: null, _user_agent: null };
    await writer.add(checked(r.row), { _record_id: r.recordId, ...lineage });
  }
  await writer.close();
}

/** The rows of a table's current version (selected columns), read with DuckDB from the lake directory `dir`. */
export async function tableRows(ports: Ports, dir: string, layer: TableLayer, table: string, show: string[] | "*"): Promise<Record<string, unknown>[]> {
  const manifest = await readCurrentManifest(ports.lake, layer, table);
  if (!manifest || manifest.files.length === 0) return [];
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const paths = manifest.files.map((f) => `'${join(dir, f.key)}'`).join(", ");
  const columns = show === "*" ? "*" : show.map((c) => `"${c}"`).join(", ");
  const reader = await conn.runAndReadAll(`SELECT ${columns} FROM read_parquet([${paths}], hive_partitioning = false)`);
  const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
  conn.closeSync();
  db.closeSync();
  return rows;
}
