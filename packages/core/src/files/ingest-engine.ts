/**
 * Which path ingests a feed's files. `ingestFile` is the one entry point; it picks the path here.
 *
 * - **duckdb** (CSV/TSV in any declared encoding): Node stages the file as numbered, well-formed lines
 *   (`csv-staging.ts`), DuckDB types, checks and writes them as bronze Parquet in parallel (`duckdb-load.ts`).
 *   About ten times the streaming path's throughput, in bounded memory.
 * - **streaming** (`ingest-streaming.ts`): row by row in JS. It takes what the DuckDB path cannot do exactly:
 *   JSON Lines (a bad line's reason is V8's own JSON.parse message, and nested values become `json` text as
 *   JSON.stringify writes them), Parquet (already read through DuckDB, then checked row by row: its files are typed
 *   and rarely large enough to matter), and CSV dialects DuckDB or the staged form cannot carry exactly (a
 *   non-ASCII quote or delimiter, a delimiter holding the quote or a line break).
 */
import type { Feed, FileFormat } from "../config";
import { FilesError } from "./errors";

export type IngestEngine = "duckdb" | "streaming";

/**
 * Why the DuckDB path cannot read this format exactly as the streaming path does, or undefined when it can.
 *
 * @example duckDbEngineProblem({ type: "jsonl" }) // "JSON Lines is read by the streaming path"
 */
export function duckDbEngineProblem(format: FileFormat): string | undefined {
  if (format.type === "jsonl") return "JSON Lines is read by the streaming path";
  if (format.type === "parquet") return "Parquet is read by the streaming path";
  const { delimiter, quote } = format;
  if (quote.charCodeAt(0) > 0x7f) return `the quote ${JSON.stringify(quote)} is not ASCII`;
  // DuckDB takes delimiters of up to 4 bytes, and splits repeated multi-byte ones differently ("a§§§§b").
  if ([...delimiter].some((c) => c.charCodeAt(0) > 0x7f)) return `the delimiter ${JSON.stringify(delimiter)} is not ASCII`;
  if (/[\r\n]/.test(delimiter + quote)) return "the delimiter or quote holds a line break";
  if (delimiter.includes(quote)) return `the delimiter ${JSON.stringify(delimiter)} holds the quote`;
  return undefined;
}

/**
 * @example chooseEngine(feed, "auto") // "duckdb" for a CSV feed
 */
export function chooseEngine(feed: Feed, requested: IngestEngine | "auto" = "auto"): IngestEngine {
  const problem = duckDbEngineProblem(feed.format);
  if (requested === "streaming") return "streaming";
  if (requested === "duckdb" && problem) throw new FilesError(`files: feed ${feed.name} cannot use the DuckDB path: ${problem}`);
  return problem ? "streaming" : "duckdb";
}
