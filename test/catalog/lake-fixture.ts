/**
 * A throwaway filesystem lake with the ports a silver merge needs (tokenise and link-hash keys set, no link
 * table: entity roots are handed in), and a way to land bronze rows of any dataset kind as real Parquet.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileRowValidator, type Dataset, type TributaryConfig } from "@tributary/core/config";
import { BronzeWriter } from "@tributary/core/lake";
import { mergeSilver, type SilverOutcome } from "@tributary/core/medallion";
import type { Ports } from "@tributary/core/platform";
import { cdcPorts } from "../cdc/cdc-harness";

const SECRETS: Record<string, string> = { TOKENISE_KEY: "test-tokenise-key-0123456789", LINK_HASH_KEY: "test-link-hash-key-0123456789" };

export interface LakeFixture {
  dir: string;
  ports: Ports;
  /** Lands raw rows (validated and coerced like ingestion does) as one bronze batch. CDC rows carry their change. */
  land(dataset: Dataset, batch: string, rows: Array<Record<string, unknown> & { $lsn?: string; $op?: string }>): Promise<void>;
  merge(dataset: Dataset): Promise<SilverOutcome>;
  remove(): Promise<void>;
}

export async function lakeFixture(config: TributaryConfig): Promise<LakeFixture> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-catalog-"));
  const ports: Ports = { ...cdcPorts(config, dir, undefined as never), secrets: { get: async (name) => SECRETS[name as string] } };
  let sequence = 0;
  return {
    dir,
    ports,
    async land(dataset, batch, rows) {
      const validate = compileRowValidator(dataset);
      const writer = new BronzeWriter({ store: ports.lake, dataset, batchId: batch, maxRowsPerFile: 1000, ingestedAt: BigInt(Date.parse("2026-11-01T08:00:00Z")) * 1000n });
      for (const { $lsn, $op, ...raw } of rows) {
        const result = validate(raw);
        if (!result.ok) throw new Error(`fixture row is invalid: ${JSON.stringify(result.problems)}`);
        sequence += 1;
        await writer.add(result.row, lineageOf(dataset, `${batch}-${sequence}`, $lsn ?? String(sequence).padStart(20, "0"), $op ?? "insert"));
      }
      await writer.close();
    },
    merge: (dataset) => mergeSilver(ports, dataset, { entityRoots: new Map() }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The lineage the caller of a bronze writer supplies, per dataset kind. */
function lineageOf(dataset: Dataset, id: string, lsn: string, op: string): Parameters<BronzeWriter["add"]>[1] {
  switch (dataset.kind) {
    case "cdc":
      return { _record_id: `${dataset.name}:${lsn}:1:${lsn}:${op === "delete" ? 1 : 2}`, _lsn: lsn, _seqval: lsn, _op: op, _commit_ts: null };
    case "file":
      return { _record_id: `${dataset.name}:${id}`, _file: "landing/fixture.csv", _row_number: 1n };
    case "stream":
    case "ga":
      return { _record_id: `${dataset.name}:${id}`, _received_at: BigInt(Date.parse("2026-11-01T08:00:00Z")) * 1000n, _source_ip: null, _user_agent: null };
  }
}

/**
 * A raw value of every declared column, as text (ingestion coerces text for every type); a column with an
 * `accepted_values` expectation gets its first accepted value, so silver's quality checks keep the row.
 */
export function sampleRow(dataset: Dataset, quality: { dataset: string; column?: string; check: string; values?: string[] }[] = []): Record<string, string> {
  const sample = (type: string) =>
    type.startsWith("decimal") ? "1" : ({ int: "1", bigint: "1", double: "1.5", boolean: "true", date: "2026-11-01", timestamp: "2026-11-01T08:00:00Z", json: "{}" } as Record<string, string>)[type] ?? "x";
  const accepted = (column: string) => quality.find((q) => q.dataset === dataset.name && q.column === column && q.check === "accepted_values")?.values?.[0];
  return Object.fromEntries(dataset.columns.filter((c) => !c.lineage).map((c) => [c.name, accepted(c.name) ?? sample(c.type)]));
}
