/**
 * Per-table CDC offsets in the `cdc_offsets` DynamoDB table. Each advance is a conditional write on the item's
 * version, so two pollers can never both advance one offset: the second gets `OffsetConflictError` and its work
 * is discarded (at-least-once; its bronze files carry the same change keys and silver drops them).
 */
import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Ports } from "../platform";
import type { ChangePosition } from "./change-source";
import { OffsetConflictError } from "./errors";
import { isConditionalCheckFailed } from "../platform/conditional-check";

/**
 * Where streaming resumes:
 * - `after`: every change at or below `lsn` is in bronze; the next window starts at `incrementLsn(lsn)`.
 * - `from`: nothing at `lsn` is read yet (right after a snapshot taken at `lsn`); the next window starts at it.
 * - `inside`: a bounded batch ended inside `position.lsn`; the next read starts at `position` and skips the
 *   `serial` rows already landed at exactly that position.
 */
export type Resume =
  | { kind: "after"; lsn: string }
  | { kind: "from"; lsn: string }
  | { kind: "inside"; position: ChangePosition; serial: number };

export interface SnapshotState {
  status: "pending" | "running" | "done";
  /** Why it was taken: `initial`, `requested` (CLI) or `retention-gap`. */
  reason: string;
  /** Max LSN recorded before the first page: snapshot rows carry it, and streaming starts from it. */
  lsn?: string;
  /** Key of the last row landed (primary key order), to resume a snapshot that was interrupted. */
  afterKey?: unknown[];
  rows: number;
  /** Rows in the table when the snapshot began (for progress), when the source can count them. */
  totalRows?: number;
  startedAt?: string;
  completedAt?: string;
  /** Whether streaming moves to the snapshot LSN once it completes (initial and retention snapshots) or keeps its offset. */
  resetsStream: boolean;
}

export interface TableOffset {
  source: string;
  table: string;
  /** The capture instance being read; changes from a newer one are read after switching. */
  captureInstance?: string;
  /** Undefined until the first snapshot completed. */
  resume?: Resume;
  snapshot: SnapshotState;
  /** Incremented on every write; the conditional write compares it. 0 = never written. */
  version: number;
  /** Status, for `cdc status` and the lag metric. */
  lastPollAt?: string;
  /** Commit time of the newest change landed (ISO). */
  lastChangeCommitAt?: string;
  /** Seconds the offset is behind the source's latest commit (0 when caught up). */
  lagSeconds?: number;
  rowsLanded: number;
  rowsQuarantined: number;
  /** Columns the capture instance has that the config does not declare (schema drift, reported not landed). */
  undeclaredColumns?: string[];
  lastError?: string;
}

export const offsetKey = (source: string, table: string) => `offset#${source}#${table}`;

/** The table's offset, or a fresh one that asks for the initial snapshot. */
export async function loadOffset(ports: Ports, source: string, table: string): Promise<TableOffset> {
  const out = await ports.dynamo.send(new GetCommand({ TableName: ports.tableName("cdc_offsets"), Key: { pk: offsetKey(source, table) }, ConsistentRead: true }));
  if (out.Item) return out.Item.offset as TableOffset;
  return {
    source,
    table,
    snapshot: { status: "pending", reason: "initial", rows: 0, resetsStream: true },
    version: 0,
    rowsLanded: 0,
    rowsQuarantined: 0,
  };
}

/**
 * Writes `next` if the stored offset is still at `current.version`; returns the stored offset.
 *
 * @example current = await advanceOffset(ports, current, { ...current, resume: { kind: "after", lsn } });
 */
export async function advanceOffset(ports: Ports, current: TableOffset, next: TableOffset): Promise<TableOffset> {
  const key = offsetKey(current.source, current.table);
  const stored: TableOffset = { ...next, version: current.version + 1 };
  try {
    await ports.dynamo.send(
      new PutCommand({
        TableName: ports.tableName("cdc_offsets"),
        Item: { pk: key, kind: "offset", source: current.source, offset: stored },
        ConditionExpression: current.version === 0 ? "attribute_not_exists(pk)" : "#offset.#version = :version",
        ...(current.version === 0 ? {} : { ExpressionAttributeNames: { "#offset": "offset", "#version": "version" }, ExpressionAttributeValues: { ":version": current.version } }),
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      throw new OffsetConflictError(key, current.version, { cause: error });
    }
    throw error;
  }
  return stored;
}

/** Every stored offset of a source (or of all sources), for `cdc status`. */
export async function listOffsets(ports: Ports, source?: string): Promise<TableOffset[]> {
  const offsets: TableOffset[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ports.dynamo.send(
      new ScanCommand({ TableName: ports.tableName("cdc_offsets"), ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of out.Items ?? []) {
      if (item.kind === "offset" && (!source || item.source === source)) offsets.push(item.offset as TableOffset);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return offsets.sort((a, b) => `${a.source}.${a.table}`.localeCompare(`${b.source}.${b.table}`));
}
