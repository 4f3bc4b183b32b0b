/**
 * A deterministic gzip CSV of partner lab results for the file-ingestion benchmark: the `lab_results` feed's
 * columns, realistic values (some quoted, a few with commas and doubled quotes inside), reported_at rising
 * through the file as a partner's daily export would, and a few % of bad rows of known kinds. The same size
 * always gives the same bytes, so runs on different days ingest the same file.
 *
 * The file and a sidecar `.json` (row counts, bytes) go to `bench/.data/` and are reused when present;
 * generating is not part of any measurement.
 *
 * Run alone: BENCH_FILE_MB=100 tsx bench/generate-lab-results.ts
 */
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { createGzip } from "node:zlib";
import { seededRandom } from "../packages/core/src/cdc/embedded-changes";

/** Bump when the generated content changes, so an old file in bench/.data is not reused by mistake. */
const GENERATOR_VERSION = 2;
const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), ".data");
const HEADER = "kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id";

/** The kinds of bad rows, and how many per 10 000 rows. Each is one a partner file really contains. */
const BAD_ROWS_PER_10K = {
  /** reported_at that is not a calendar instant (2026-02-30, "pending"): a type error for both sides. */
  badTimestamp: 100,
  /** reported_at empty: required by the feed; DuckDB has no NOT NULL in read_csv and keeps it as NULL. */
  missingReportedAt: 50,
  /** kit_barcode empty: required by the feed; DuckDB keeps it as NULL. */
  missingBarcode: 50,
  /** An eighth field (a stray comma): a field-count error for both sides. */
  extraField: 50,
  /** Six fields (lab_id cut off): a field-count error for both sides. */
  missingField: 50,
} as const;
type BadKind = keyof typeof BAD_ROWS_PER_10K;

export interface LabResultsFile {
  path: string;
  /** Bytes on disk (gzip). */
  compressedBytes: number;
  /** Bytes of CSV text, header included. */
  uncompressedBytes: number;
  /** Data rows (the header is not a row). */
  rows: number;
  /** Bad rows of each kind, as generated. */
  bad: Record<BadKind, number>;
  /** Rows the lab_results feed must quarantine (every kind). */
  expectedQuarantined: number;
  /** Rows a typed read_csv rejects (type and field-count errors; it has no required columns). */
  expectedDuckdbRejected: number;
  generatorVersion: number;
}

const TEST_CODES = ["HBA1C", "LDL", "HDL", "TRIG", "CHOL", "TSH", "FT4", "VITD", "B12", "FERRITIN", "CRP", "GLU", "ALT", "AST", "GGT", "CREAT", "EGFR", "PSA", "FOLATE", "TESTO"];
const FLAGS = ["N", "N", "N", "N", "N", "H", "L", "HH", "LL", ""];
const LABS = ["LAB-01", "LAB-02", "LAB-03", "LAB-04", "LAB-05", "LAB-06", "LAB-07", "LAB-08", "LAB-09", "LAB-10", "LAB-11", "LAB-12"];
const BARCODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/** First reported_at of every file; about 20 000 rows per simulated minute of the partner's day. */
const START_MS = Date.UTC(2026, 0, 5, 6, 0, 0);

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}

/** One CSV line (no newline) for data row `n`, and the bad kind it carries, if any. */
function makeRow(random: () => number, n: number): { line: string; bad?: BadKind } {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  let barcode = "KIT-";
  for (let i = 0; i < 10; i++) barcode += BARCODE_ALPHABET[Math.floor(random() * BARCODE_ALPHABET.length)];
  const test = pick(TEST_CODES);
  const roll = random();
  const result =
    roll < 0.02 ? `"${(1000 + Math.floor(random() * 9000)).toLocaleString("en-US")}"` // "1,234": quoted, comma inside
    : roll < 0.03 ? `"positive ""weak"""` // doubled quotes inside a quoted field
    : roll < 0.06 ? pick(["<0.5", ">500", "Not detected", "Detected"])
    : (random() * 200).toFixed(random() < 0.5 ? 1 : 2);
  const flag = pick(FLAGS);
  // ~20 000 rows per minute: a 2 GB file spans about 16 hours of one reporting day; rows are in order, with jitter.
  const reportedMs = START_MS + Math.floor(n * 3) + Math.floor(random() * 2000);
  const collected = random() < 0.03 ? "" : iso(reportedMs - 86_400_000 - Math.floor(random() * 4 * 86_400_000));
  let reported = iso(reportedMs);
  const lab = random() < 0.05 ? `"${pick(LABS)}"` : pick(LABS);

  const badRoll = Math.floor(random() * 10_000);
  let bad: BadKind | undefined;
  let threshold = 0;
  for (const [kind, per10k] of Object.entries(BAD_ROWS_PER_10K) as [BadKind, number][]) {
    threshold += per10k;
    if (badRoll < threshold) {
      bad = kind;
      break;
    }
  }
  switch (bad) {
    case "badTimestamp":
      reported = random() < 0.5 ? reported.replace(/-\d\d-\d\dT/, "-02-30T") : "pending";
      break;
    case "missingReportedAt":
      reported = "";
      break;
    case "missingBarcode":
      barcode = "";
      break;
    case "extraField":
      return { line: `${barcode},${test},${result},${flag},${collected},${reported},${lab},retest`, bad };
    case "missingField":
      return { line: `${barcode},${test},${result},${flag},${collected},${reported}`, bad };
  }
  return { line: `${barcode},${test},${result},${flag},${collected},${reported},${lab}`, bad };
}

/**
 * The benchmark file of at most (and within one row of) `targetMb` MiB of CSV text (gzip on disk), generated once
 * and then reused.
 *
 * @example const file = await ensureLabResultsFile(100); // bench/.data/lab-results-100.csv.gz
 */
export async function ensureLabResultsFile(targetMb: number, log: (line: string) => void = () => undefined): Promise<LabResultsFile> {
  if (!(Number.isFinite(targetMb) && targetMb > 0)) throw new Error(`bench: BENCH_FILE_MB must be a positive number, got ${targetMb}`);
  const path = join(DATA_DIR, `lab-results-${targetMb}.csv.gz`);
  const sidecar = `${path}.json`;
  const existing = await readFile(sidecar, "utf8").then((t) => JSON.parse(t) as LabResultsFile, () => undefined);
  const onDisk = await stat(path).catch(() => undefined);
  if (existing?.generatorVersion === GENERATOR_VERSION && onDisk?.size === existing.compressedBytes) return { ...existing, path };

  await mkdir(DATA_DIR, { recursive: true });
  const started = Date.now();
  log(`  generating ${path} (${targetMb} MiB of CSV)…`);
  const temp = `${path}.partial`;
  const gzip = createGzip();
  const out = createWriteStream(temp);
  gzip.pipe(out);
  const closed = once(out, "close");
  const random = seededRandom(0x1ab5eed);
  const target = targetMb * 1024 * 1024;
  const bad = Object.fromEntries(Object.keys(BAD_ROWS_PER_10K).map((k) => [k, 0])) as Record<BadKind, number>;
  let bytes = HEADER.length + 1;
  let rows = 0;
  let chunk = HEADER + "\n";
  // Never past the target: 2048 MiB is exactly the shipped settings.files.maxBytesPerInvocation, which refuses
  // content beyond it.
  for (;;) {
    const row = makeRow(random, rows);
    if (bytes + row.line.length + 1 > target) break;
    rows += 1;
    if (row.bad) bad[row.bad] += 1;
    chunk += row.line + "\n";
    bytes += row.line.length + 1; // ASCII only, so characters are bytes
    if (chunk.length >= 1 << 20) {
      if (!gzip.write(chunk)) await once(gzip, "drain");
      chunk = "";
    }
  }
  gzip.end(chunk);
  await closed;
  await rename(temp, path);
  const file: LabResultsFile = {
    path,
    compressedBytes: (await stat(path)).size,
    uncompressedBytes: bytes,
    rows,
    bad,
    expectedQuarantined: Object.values(bad).reduce((a, b) => a + b, 0),
    expectedDuckdbRejected: bad.badTimestamp + bad.extraField + bad.missingField,
    generatorVersion: GENERATOR_VERSION,
  };
  await writeFile(sidecar, JSON.stringify(file, null, 2));
  log(`  generated ${rows} rows, ${(file.compressedBytes / 2 ** 20).toFixed(0)} MiB gzip, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = await ensureLabResultsFile(Number(process.env.BENCH_FILE_MB ?? 100), console.error);
  console.log(JSON.stringify(file, null, 2));
}
