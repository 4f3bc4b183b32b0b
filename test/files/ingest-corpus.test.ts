/**
 * The ugly-file corpus: every `corpus/<case>.input.*` goes through `ingestFile` on a real local platform
 * (dynalite ledger, filesystem lake) and what a user would then query — the landed rows, the quarantined rows
 * with their row numbers and reasons — is compared with `corpus/<case>.expected.json`.
 *
 * Every case runs through both paths, on a platform each: the one `ingestFile` picks (DuckDB for CSV feeds) and the
 * streaming path, against the same golden file — so the two paths agree row for row, reason for reason.
 *
 * A `.input.sql` case is a DuckDB query whose result is written as Parquet and landed as `<case>.parquet`.
 * Run with UPDATE_GOLDEN=1 to rewrite the expected files from what ingestion does now (then review the diff).
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLakeQuery } from "@tributary/core/catalog";
import { datasetNamed, formatTimestamp, parseTimestampMicros, type ConfigInput } from "@tributary/core/config";
import { ingestFile } from "@tributary/core/files";
import shipped from "../../tributary.config";
import { startTestPlatform, type TestPlatform } from "../support/platform";
import { READINGS_COLUMNS } from "./readings-columns";

const CORPUS = join(import.meta.dirname, "corpus");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const readings = READINGS_COLUMNS;
const readingsFeed = (name: string, format: Record<string, unknown>) => ({ name, format, columns: readings, partitionTime: "taken_at" });

/** The shipped config plus small fixture feeds for what `lab_results` (comma CSV, utf8, strings) does not cover. */
const config = {
  ...shipped,
  feeds: [
    ...(shipped.feeds ?? []),
    readingsFeed("readings_csv", { type: "csv" }),
    readingsFeed("readings_tsv", { type: "csv", delimiter: "\t" }),
    readingsFeed("readings_latin1", { type: "csv", delimiter: ";", encoding: "latin1" }),
    readingsFeed("readings_headerless", { type: "csv", header: false }),
    // Excel's "Unicode Text": UTF-16LE with a byte order mark, tab-separated, CRLF
    readingsFeed("readings_utf16", { type: "csv", delimiter: "\t", encoding: "utf16le" }),
    readingsFeed("readings_jsonl", { type: "jsonl" }),
    readingsFeed("readings_parquet", { type: "parquet" }),
  ],
  // Small chunks, so a file that fails part-way has already flushed some (which must then be removed).
  settings: { ...shipped.settings, bronze: { maxRowsPerFile: 100 } },
} as ConfigInput;

interface Expected {
  feed: string;
  /** What ingestFile resolved with (counts), or the error it threw. */
  manifest?: { format: string; gzip: boolean; rowsRead: number; rowsLanded: number; rowsQuarantined: number };
  error?: { name: string; message: string };
  /** Landed rows in row order: the declared columns (canonical values, timestamps as ISO) and `_row_number`. */
  landed: Record<string, unknown>[];
  quarantined: { row: number; reason: string; raw: string }[];
}

const cases = readdirSync(CORPUS)
  .filter((f) => f.includes(".input."))
  .map((input) => ({ name: input.slice(0, input.indexOf(".input.")), input }))
  .sort((a, b) => a.name.localeCompare(b.name));

describe.each(["auto", "streaming"] as const)("ingestFile (engine: %s): the ugly-file corpus", (engine) => {
  let platform: TestPlatform;
  let scratch: string;
  beforeAll(async () => {
    // These tests drive ingestion directly: the landing scanner must not race them.
    platform = await startTestPlatform({ config, landingScanMs: 3_600_000 });
    scratch = await mkdtemp(join(tmpdir(), "tributary-corpus-"));
  });
  afterAll(async () => {
    await platform?.dispose();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("has a golden file for every input", () => {
    const golden = readdirSync(CORPUS).filter((f) => f.endsWith(".expected.json")).map((f) => f.replace(".expected.json", ""));
    expect(golden.sort()).toEqual(cases.map((c) => c.name));
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)("$name", async ({ name, input }) => {
    // Prepare
    const expectedPath = join(CORPUS, `${name}.expected.json`);
    const expected = JSON.parse(await readFile(expectedPath, "utf8")) as Expected;
    const { bytes, fileName } = await inputBytes(input, scratch);
    const key = `landing/${expected.feed}/corpus/${fileName}`;
    const object = await platform.ports.lake.put(key, bytes);

    // Act
    const outcome = await ingestFile(platform.ports, object, undefined, { engine }).then(
      (manifest) => ({ manifest }),
      (error: Error) => ({ error }),
    );

    // Assess
    const actual: Expected = {
      feed: expected.feed,
      ...("manifest" in outcome
        ? { manifest: pick(outcome.manifest, ["format", "gzip", "rowsRead", "rowsLanded", "rowsQuarantined"]) }
        : { error: { name: outcome.error.name, message: outcome.error.message } }),
      ...(await whatAUserSees(platform, expected.feed, key)),
    };
    if (UPDATE && engine === "streaming") await writeFile(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(expected);
    if ("manifest" in outcome) {
      const { manifest } = outcome;
      expect(manifest.rowsRead).toBe(manifest.rowsLanded + manifest.rowsQuarantined);
      expect([manifest.rowsLanded, manifest.rowsQuarantined]).toEqual([actual.landed.length, actual.quarantined.length]);
      expect({ bytes: manifest.bytes, sha256: manifest.sha256 }).toEqual({ bytes: bytes.length, sha256: sha256(bytes) });
      // CSV goes through DuckDB unless told otherwise, and DuckDB read every case as the scanner staged it.
      expect({ engine: manifest.engine, fallback: manifest.engineFallback }).toEqual({
        engine: engine === "auto" && manifest.format === "csv" ? "duckdb" : "streaming",
        fallback: undefined,
      });
    }
  });
});

async function inputBytes(input: string, scratch: string): Promise<{ bytes: Buffer; fileName: string }> {
  const path = join(CORPUS, input);
  const fileName = input.replace(".input.", ".");
  if (!input.endsWith(".input.sql")) return { bytes: await readFile(path), fileName };
  const out = join(scratch, `${input}.parquet`);
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    await connection.run(`COPY (${await readFile(path, "utf8")}) TO '${out}' (FORMAT PARQUET)`);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  return { bytes: await readFile(out), fileName: fileName.replace(/\.sql$/, ".parquet") };
}

/** The landed and quarantined rows of one file, as `tributary query` shows them. */
async function whatAUserSees(platform: TestPlatform, feed: string, key: string): Promise<Pick<Expected, "landed" | "quarantined">> {
  const dataset = datasetNamed(platform.config, feed);
  const declared = dataset.columns.filter((c) => !c.lineage);
  const lake = await openLakeQuery(platform.ports.lake, platform.config);
  try {
    const quoted = key.replaceAll("'", "''");
    const landedRows = await lake.query(
      `SELECT ${declared.map((c) => c.name).join(", ")}, _row_number FROM bronze.${feed} WHERE _file = '${quoted}' ORDER BY _row_number`,
    );
    const quarantinedRows = await lake.query(`SELECT _origin, _reason, _raw FROM quarantine.${feed} WHERE _origin LIKE '${quoted}:%'`);
    const landed = landedRows.map((row) => {
      const out: Record<string, unknown> = { _row_number: Number(row._row_number) };
      for (const c of declared) {
        const value = row[c.name];
        out[c.name] = c.type === "timestamp" && typeof value === "string" ? formatTimestamp(parseTimestampMicros(value)!) : value;
      }
      return out;
    });
    const quarantined = quarantinedRows
      .map((row) => ({ row: Number(String(row._origin).slice(key.length + 1)), reason: String(row._reason), raw: String(row._raw) }))
      .sort((a, b) => a.row - b.row);
    return { landed, quarantined };
  } finally {
    await lake.close();
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
