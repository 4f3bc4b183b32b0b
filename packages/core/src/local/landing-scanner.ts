/**
 * Local stand-in for S3 → EventBridge notifications: scans `landing/` in the local lake and emits an
 * "Object Created" event, in the shape S3 sends to EventBridge, for every new or changed object.
 * A file copied in by hand is announced only once its size is stable across two scans (no half-written reads).
 * What was announced is persisted, so a restart neither misses nor repeats a file.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { LakeObject, LakeStore } from "../lake";
import { LANDING_PREFIX } from "../lake/keys";

export interface ObjectCreatedEvent {
  version: "0";
  id: string;
  "detail-type": "Object Created";
  source: "aws.s3";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    version: "0";
    bucket: { name: string };
    object: { key: string; size: number; etag: string; sequencer: string };
    "request-id": string;
    requester: string;
    "source-ip-address": string;
    reason: "PutObject";
  };
}

/** The EventBridge event S3 emits for a new object. https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html */
export function objectCreatedEvent(bucket: string, object: LakeObject): ObjectCreatedEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "000000000000",
    time: new Date().toISOString(),
    region: "local",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: { key: object.key, size: object.size, etag: object.etag, sequencer: object.lastModified.getTime().toString(16).padStart(16, "0") },
      "request-id": randomUUID(),
      requester: "000000000000",
      "source-ip-address": "127.0.0.1",
      reason: "PutObject",
    },
  };
}

export interface LandingScanner {
  /** One scan now; resolves with the number of objects announced. */
  scan(): Promise<number>;
  stop(): Promise<void>;
}

export function startLandingScanner(options: {
  store: LakeStore;
  bucket: string;
  statePath: string;
  intervalMs: number;
  announce: (event: ObjectCreatedEvent) => Promise<void>;
  onError: (error: unknown) => void;
}): LandingScanner {
  let announced: Record<string, string> | undefined; // key → etag
  const pending = new Map<string, string>(); // key → "size:etag" seen on the previous scan
  let running: Promise<number> | undefined;
  let stopped = false;

  const load = async () => {
    if (announced) return announced;
    try {
      announced = JSON.parse(await readFile(options.statePath, "utf8")) as Record<string, string>;
    } catch {
      announced = {};
    }
    return announced;
  };
  const save = async (state: Record<string, string>) => {
    await mkdir(dirname(options.statePath), { recursive: true });
    await writeFile(`${options.statePath}.tmp`, JSON.stringify(state));
    await rename(`${options.statePath}.tmp`, options.statePath);
  };

  const scanOnce = async (): Promise<number> => {
    const state = await load();
    let count = 0;
    for await (const object of options.store.list(LANDING_PREFIX)) {
      if (state[object.key] === object.etag) continue;
      const fingerprint = `${object.size}:${object.etag}`;
      if (pending.get(object.key) !== fingerprint) {
        pending.set(object.key, fingerprint);
        continue;
      }
      pending.delete(object.key);
      await options.announce(objectCreatedEvent(options.bucket, object));
      state[object.key] = object.etag;
      await save(state);
      count += 1;
    }
    return count;
  };

  const scan = () => (running ??= scanOnce().finally(() => (running = undefined)));
  const timer = setInterval(() => {
    if (!stopped) scan().catch(options.onError);
  }, options.intervalMs);
  return {
    scan,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
