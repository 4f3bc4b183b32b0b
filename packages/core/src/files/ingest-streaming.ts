/**
 * The streaming path: the file is read row by row in JS — gunzip, hash, the format's reader, the feed's row
 * validator — and rows land through `IngestBatch` (bronze Parquet chunks of `maxRowsPerFile` rows, quarantine,
 * `record.ingested`). It reads every format and encoding; `ingestFile` sends it what the DuckDB path does not take
 * (JSON Lines, Parquet, a CSV dialect DuckDB cannot read exactly), and any file DuckDB read differently.
 */
import { compileRowValidator, describeProblems } from "../config";
import { IngestBatch } from "../ingest";
import type { Ports } from "../platform";
import { ByteMeter, type IngestProgress } from "./byte-meter";
import { decodeStream } from "./decode";
import { HeaderMismatchError, UnreadableContentError, UnreadableFileError } from "./errors";
import { headerProblem } from "./header";
import { ingestionError, type FileToIngest, type LandedFile } from "./landed-file";
import { assertBeforeDeadline, limitContent } from "./limits";
import { readRows } from "./read-rows";

/** How often the deadline is looked at, in rows. */
const DEADLINE_CHECK_EVERY_ROWS = 1000;

/**
 * @example const landed = await ingestStreaming(ports, { key, size, feed, dataset, batchId }, onProgress, options);
 */
export async function ingestStreaming(
  ports: Ports,
  file: FileToIngest,
  onProgress: ((progress: IngestProgress) => void) | undefined,
  options: { readonly deadline?: number },
): Promise<LandedFile> {
  const { key, size, feed, dataset, batchId } = file;
  // CSV and Parquet columns are checked against the feed up front; JSON Lines objects may carry extra fields.
  const validate = compileRowValidator(dataset, { unknownFields: feed.format.type === "jsonl" ? "ignore" : "reject" });
  const batch = new IngestBatch(ports, batchId);
  let rowsRead = 0;
  const meter = new ByteMeter(() => rowsRead, size, onProgress);
  let gzip: boolean;
  const counted = { bytes: 0 };
  try {
    assertBeforeDeadline(key, options.deadline, { bytes: 0, size });
    const decoded = await decodeStream(meter.measure(await ports.lake.getStream(key)));
    gzip = decoded.gzip;
    const content = limitContent(key, decoded.stream, ports.config.settings.files, counted);
    const rows = readRows(content, feed.format, {
      columns: dataset.columns.filter((c) => !c.lineage).map((c) => c.name),
      onColumns: (names) => {
        const problem = headerProblem(dataset, names);
        if (problem) throw new HeaderMismatchError(key, problem);
      },
      spool: { key, maxBytes: ports.config.settings.files.maxSpoolBytes },
    });
    for await (const item of rows) {
      rowsRead += 1;
      const origin = `${key}:${item.rowNumber}`;
      const recordId = `${batchId}:${item.rowNumber}`;
      if ("problem" in item) {
        await batch.quarantine(dataset, { recordId, reason: item.problem, origin, raw: item.raw });
      } else {
        const checked = validate(item.record);
        if (checked.ok) {
          await batch.land(dataset, checked.row, { _record_id: recordId, _file: key, _row_number: BigInt(item.rowNumber) });
        } else {
          await batch.quarantine(dataset, { recordId, reason: describeProblems(checked.problems), origin, raw: item.raw });
        }
      }
      if (rowsRead % DEADLINE_CHECK_EVERY_ROWS === 0) assertBeforeDeadline(key, options.deadline, { bytes: meter.bytes, size });
    }
    if (meter.bytes !== size) {
      throw new UnreadableContentError(`read ${meter.bytes} bytes but the object has ${size}: it changed while being read`);
    }
  } catch (error) {
    // Never a partial load: chunks already flushed are removed and nothing is announced.
    await removeWhatLanded(batch, key, error);
    throw ingestionError(key, error);
  }
  meter.report();
  const readDone = Date.now();
  const outcome = await batch.close();
  const landed = outcome.datasets.find((d) => d.dataset === dataset.name);
  return {
    gzip,
    bytes: meter.bytes,
    contentBytes: counted.bytes,
    sha256: meter.sha256(),
    rowsRead,
    rowsLanded: outcome.landed,
    rowsQuarantined: outcome.quarantined,
    files: landed?.files ?? [],
    quarantineFiles: landed?.quarantineFiles ?? [],
    readDone,
  };
}

async function removeWhatLanded(batch: IngestBatch, key: string, cause: unknown): Promise<void> {
  try {
    await batch.abort();
  } catch (abortError) {
    throw new UnreadableFileError(
      key,
      `${(cause as Error).message}; removing the chunks it had written failed too (${(abortError as Error).message}), so bronze may hold part of it`,
      { cause },
    );
  }
}
