/**
 * The files path, measured: generated gzip CSVs of lab results (bench/generate-lab-results.ts, the file bench's
 * generator) put under landing/ (not measured: the partner's upload is priced on its own), then the wired
 * file-ingest handler invoked with the S3 "Object Created" event the bus rule delivers. A small and a large file
 * separate a file's fixed cost from a GiB's. Link runs over the small file's announcements (the large file's
 * carries no keys: past 50,000 rows link reads them back from bronze, which is the same work per record, but all
 * of a file's rows in one invocation).
 */
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { MAX_ANNOUNCED_LINK_RECORDS } from "../../packages/core/src/ingest";
import { objectCreatedEvent } from "../../packages/core/src/local";
import { ensureLabResultsFile, type LabResultsFile } from "../generate-lab-results";
import { GIB } from "./cost-model";
import { BENCH_BUCKET, openEnvironment, sqsEventOf, type CostEnvironment } from "./environment";
import { MeasurementError } from "./errors";
import { invokeMeasured, SampleBuilder } from "./invoke-measured";
import type { MeasuredFiles } from "./measured";
import { measureLink } from "./measure-link";
import { fitWork, type Work, type WorkSample } from "./work";

export interface FilesMeasurement {
  measured: MeasuredFiles;
  files: LabResultsFile[];
  samples: Record<"small" | "large" | "link", WorkSample[]>;
}

async function ingestOne(env: CostEnvironment, file: LabResultsFile, folder: string) {
  const object = await env.counting.ports.lake.put(`landing/lab_results/${folder}/${basename(file.path)}`, createReadStream(file.path));
  const event = sqsEventOf("file-notifications", [{ id: "s3", body: JSON.stringify(objectCreatedEvent(BENCH_BUCKET, object)) }]);
  const call = await invokeMeasured(env.counting, await env.load("file-ingest"), event);
  const events = env.counting.takeEvents();
  const landed = events.reduce((n, e) => n + (e.detailType === "record.ingested" && (e.detail as { part?: number }).part === 0 ? Number((e.detail as { landed?: number }).landed ?? 0) : 0), 0);
  const expected = file.rows - file.expectedQuarantined;
  if (landed !== expected) throw new MeasurementError(`cost: file-ingest landed ${landed} rows of ${file.path}, expected ${expected}`);
  const sample = new SampleBuilder();
  sample.add(call, file.uncompressedBytes / GIB);
  return { sample: sample.build(), events, landed };
}

/**
 * What a file announces is not linear in its size: past `MAX_ANNOUNCED_LINK_RECORDS` rows a file is announced once,
 * without keys. So those counts are the large file's, per file, valid for files that size and larger.
 */
function perFileAnnouncements(work: Work, large: WorkSample): Work {
  const fields = ["eventBridgeCalls", "eventBridgeBilled", "linkAnnouncements", "linkDeliveriesBilled"] as const;
  const requests = { ...work.requests };
  for (const f of fields) requests[f] = { perInvocation: large.requests[f] / large.invocations, perItem: 0 };
  return { ...work, requests };
}

/**
 * @example const { measured } = await measureFiles({ smallMb: 2, largeMb: 100, linkRecords: 3000, log: console.error });
 */
export async function measureFiles(options: { smallMb: number; largeMb: number; linkRecords: number; log: (line: string) => void }): Promise<FilesMeasurement> {
  const small = await ensureLabResultsFile(options.smallMb, options.log);
  const large = await ensureLabResultsFile(options.largeMb, options.log);
  const env = await openEnvironment(["ingest_ledger", "link_graph", "realtime_reports"]);
  try {
    options.log("  files: warm-up ingest (not measured)…");
    await ingestOne(env, small, "warm-up");
    options.log(`  files: ${options.smallMb} MiB and ${options.largeMb} MiB CSV (gzip) through file-ingest…`);
    const s = await ingestOne(env, small, "cost");
    const l = await ingestOne(env, large, "cost");
    options.log("  files: link over the small file's announcements…");
    const link = await measureLink(env, s.events, options.linkRecords);
    const largeGiB = large.uncompressedBytes / GIB;
    if (l.landed <= MAX_ANNOUNCED_LINK_RECORDS) throw new MeasurementError(`cost: the large file (${options.largeMb} MiB) must land over ${MAX_ANNOUNCED_LINK_RECORDS} rows, landed ${l.landed}`);
    return {
      measured: {
        ingest: perFileAnnouncements(fitWork([s.sample, l.sample]), l.sample),
        link: fitWork(link),
        rowsPerGiB: l.landed / largeGiB,
        gzipRatio: large.compressedBytes / large.uncompressedBytes,
        bronzeBytesPerGiB: l.sample.requests.s3BytesWritten / largeGiB,
      },
      files: [small, large],
      samples: { small: [s.sample], large: [l.sample], link },
    };
  } finally {
    await env.close();
  }
}
