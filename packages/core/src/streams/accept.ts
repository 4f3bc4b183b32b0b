/**
 * Accepting records for a config-declared stream: validate each with the stream's row validator, put the
 * valid ones on the durable queue, and only then answer — per record, so a client retries only failures
 * (like Kinesis PutRecords).
 */
import { randomUUID } from "node:crypto";
import { compileRowValidator, datasets, formatTimestamp, nowMicros, type Dataset, type FieldProblem, type RowResult } from "../config";
import { CORRELATION_ID_FIELD } from "../ingest";
import type { Ports } from "../platform";
import { BadRequestError, UnknownStreamError } from "./errors";
import type { QueuedRecord } from "./envelope";
import { truncateIp } from "./client-ip";

/** Bodies above this are refused with 413 before parsing (API Gateway's own cap is 10 MB). */
export const MAX_BODY_BYTES = 1_048_576;

export interface IncomingRequest {
  stream: string;
  body: string;
  sourceIp?: string | null;
  userAgent?: string | null;
  /**
   * The request's correlation id, carried in each queued envelope (`correlationId`) so the bronze consumer can
   * log it. Written here, with the envelope, rather than stamped on afterwards by re-parsing each message.
   */
  correlationId?: string;
}

export type RecordResult =
  | { index: number; status: "accepted"; eventId: string }
  | { index: number; status: "rejected"; problems: FieldProblem[] };

export interface AcceptOutcome {
  /** True when the body was a `{ "records": [...] }` batch. */
  batch: boolean;
  accepted: number;
  rejected: number;
  results: RecordResult[];
}

const validators = new WeakMap<Dataset, (raw: unknown) => RowResult>();

function streamDataset(ports: Ports, stream: string): Dataset {
  const streams = datasets(ports.config).filter((d) => d.kind === "stream");
  const dataset = streams.find((d) => d.name === stream);
  if (!dataset) throw new UnknownStreamError(stream, streams.map((d) => d.name));
  return dataset;
}

/** Splits a body into records: one JSON object, or `{ "records": [...] }` up to the stream's batch limit. */
export function parseRecordsBody(body: string, maxRecords: number): { batch: boolean; records: unknown[] } {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new BadRequestError(413, `body is larger than ${MAX_BODY_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new BadRequestError(400, `body is not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new BadRequestError(400, 'body must be a JSON object (one record) or {"records": [...]}');
  }
  const records = (parsed as { records?: unknown }).records;
  if (records === undefined) return { batch: false, records: [parsed] };
  if (!Array.isArray(records)) throw new BadRequestError(400, '"records" must be an array');
  if (records.length === 0) throw new BadRequestError(400, '"records" is empty');
  if (records.length > maxRecords) throw new BadRequestError(413, `"records" holds ${records.length} records; the limit is ${maxRecords}`);
  return { batch: true, records };
}

/**
 * Validates and durably queues the records of one request.
 *
 * @example
 * const outcome = await acceptRecords(ports, { stream: "user_events", body: JSON.stringify(record) });
 * outcome.results[0]; // { index: 0, status: "accepted", eventId: "..." }
 */
export async function acceptRecords(ports: Ports, request: IncomingRequest): Promise<AcceptOutcome> {
  const dataset = streamDataset(ports, request.stream);
  const maxRecords = ports.config.streams.find((s) => s.name === dataset.name)?.maxBatchRecords ?? 500;
  const { batch, records } = parseRecordsBody(request.body, maxRecords);
  let validate = validators.get(dataset);
  if (!validate) validators.set(dataset, (validate = compileRowValidator(dataset)));

  const receivedAt = formatTimestamp(nowMicros());
  const sourceIp = truncateIp(request.sourceIp);
  const results: RecordResult[] = [];
  const messages: { id: string; body: string }[] = [];
  records.forEach((record, index) => {
    const checked = validate(record);
    if (!checked.ok) {
      results.push({ index, status: "rejected", problems: checked.problems });
      return;
    }
    const eventId = randomUUID();
    const envelope: QueuedRecord & { [CORRELATION_ID_FIELD]?: string } = {
      v: 1,
      stream: dataset.name,
      eventId,
      receivedAt,
      sourceIp,
      userAgent: request.userAgent ?? null,
      record: record as Record<string, unknown>,
      ...(request.correlationId === undefined ? {} : { [CORRELATION_ID_FIELD]: request.correlationId }),
    };
    messages.push({ id: eventId, body: JSON.stringify(envelope) });
    results.push({ index, status: "accepted", eventId });
  });
  if (messages.length > 0) await ports.queues.send("stream-records", messages);
  return { batch, accepted: messages.length, rejected: records.length - messages.length, results };
}
