/**
 * The queue journal's record format (one JSON object per line, short keys because the send path writes one per
 * message) and its replay. A line without its trailing newline is the torn tail of a write that never finished
 * its fsync, so it was never acknowledged and is skipped; any other unreadable line is corruption.
 */
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { QueueJournalCorruptError } from "../errors";
import type { StoredMessage } from "./message-store";

/** Sent. Snapshots written by compaction carry the receive state too (`n`, `f`, `u`). */
export interface SentRecord {
  t: "s";
  /** Message id (the queue's, like SQS's MessageId). */
  m: string;
  /** The producer's id (deduplication / correlation). */
  i: string;
  b: string;
  /** Sent at, epoch ms. */
  at: number;
  n?: number;
  f?: number;
  u?: number;
}
/** Received: the new receive count and the instant it becomes visible again. */
export interface ReceivedRecord {
  t: "r";
  m: string;
  n: number;
  /** Invisible until, epoch ms. */
  u: number;
  at: number;
}
export interface VisibilityRecord {
  t: "v";
  m: string;
  u: number;
}
/** Gone from this queue: deleted (`d`), moved to the dead-letter queue (`x`) or expired by retention (`e`). */
export interface RemovedRecord {
  t: "d" | "x" | "e";
  m: string;
}
export type JournalRecord = SentRecord | ReceivedRecord | VisibilityRecord | RemovedRecord;

export const encodeRecord = (record: JournalRecord): string => JSON.stringify(record);

/**
 * The journal text that recreates `messages` on replay: one sent record each, carrying its receive state.
 *
 * @example await AppendLog.create(file, encodeSnapshot(store.live()));
 */
export function encodeSnapshot(messages: Iterable<StoredMessage>): string {
  const lines: string[] = [];
  for (const message of messages) {
    const record: SentRecord = { t: "s", m: message.messageId, i: message.id, b: message.body, at: message.sentAt };
    if (message.receiveCount > 0) record.n = message.receiveCount;
    if (message.firstReceivedAt !== undefined) record.f = message.firstReceivedAt;
    if (message.state === "inflight") record.u = message.invisibleUntil;
    lines.push(encodeRecord(record));
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** A message as the journal last described it. */
export interface ReplayedMessage {
  messageId: string;
  id: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  /** 0 when never received or made visible again. */
  invisibleUntil: number;
}

/**
 * Rebuilds the live messages (in send order) from a journal; a missing file is an empty queue.
 *
 * @example const { messages } = await replayJournal("/tmp/q/journal.jsonl"); messages.size // 42
 */
export async function replayJournal(file: string): Promise<{ messages: Map<string, ReplayedMessage>; tornTail: boolean }> {
  const messages = new Map<string, ReplayedMessage>();
  const { tornTail } = await readRecords(file, (r) => {
    if (r.t === "s") {
      messages.set(r.m, { messageId: r.m, id: r.i, body: r.b, sentAt: r.at, receiveCount: r.n ?? 0, firstReceivedAt: r.f, invisibleUntil: r.u ?? 0 });
      return;
    }
    const message = messages.get(r.m);
    // A record for a message that is already gone changes nothing (e.g. a delete racing a redelivery).
    if (!message) return;
    if (r.t === "r") {
      message.receiveCount = r.n;
      message.firstReceivedAt ??= r.at;
      message.invisibleUntil = r.u;
    } else if (r.t === "v") {
      message.invisibleUntil = r.u;
    } else {
      messages.delete(r.m);
    }
  });
  return { messages, tornTail };
}

/** Streams the journal's complete lines to `apply`, in order. Returns whether a torn tail was skipped. */
async function readRecords(file: string, apply: (record: JournalRecord) => void): Promise<{ tornTail: boolean }> {
  const decoder = new StringDecoder("utf8");
  let carry = "";
  let lineNumber = 0;
  const applyLine = (line: string) => {
    lineNumber++;
    if (line.length === 0) return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new QueueJournalCorruptError(file, lineNumber, { cause: error });
    }
    if (!isRecord(record)) throw new QueueJournalCorruptError(file, lineNumber, { cause: new Error(`unknown record ${line.slice(0, 80)}`) });
    apply(record);
  };
  try {
    for await (const chunk of createReadStream(file)) {
      const text = carry + decoder.write(chunk as Buffer);
      const lines = text.split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) applyLine(line);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { tornTail: false };
    throw error;
  }
  carry += decoder.end();
  return { tornTail: carry.length > 0 };
}

function isRecord(value: unknown): value is JournalRecord {
  if (value === null || typeof value !== "object") return false;
  const r = value as Record<string, unknown>;
  if (typeof r.m !== "string") return false;
  switch (r.t) {
    case "s":
      return typeof r.i === "string" && typeof r.b === "string" && typeof r.at === "number";
    case "r":
      return typeof r.n === "number" && typeof r.u === "number" && typeof r.at === "number";
    case "v":
      return typeof r.u === "number";
    case "d":
    case "x":
    case "e":
      return true;
    default:
      return false;
  }
}
