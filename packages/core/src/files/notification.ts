/**
 * The file-ingest entry point: one queue message holding an S3 "Object Created" event delivered by EventBridge
 * (locally: the landing scanner emits the same shape). Files we refuse — an unsafe key or one outside a feed, a
 * file too large for one invocation, columns that do not match the feed — are recorded with their reason under
 * `manifests/rejected/`: permanent problems are answered once, not retried into the DLQ.
 */
import { createHash } from "node:crypto";
import { S3EventNotificationEventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/s3";
import type { Ports } from "../platform";
import type { IngestProgress } from "./byte-meter";
import { FilesError, RejectedFileError } from "./errors";
import { ingestFile, type IngestFileOptions } from "./ingest";
import type { FileManifest } from "./manifest";

export const REJECTED_PREFIX = "manifests/rejected/";

export type NotificationOutcome =
  | ({ outcome: "ingested" | "already-ingested" } & Pick<FileManifest, "key" | "rowsRead" | "rowsLanded" | "rowsQuarantined">)
  | { outcome: "rejected"; key: string; reason: string };

export interface IngestNotificationOptions extends IngestFileOptions {
  onProgress?: (progress: IngestProgress) => void;
}

/**
 * @example await ingestNotification(ports, JSON.stringify(objectCreatedEvent)) // { outcome: "ingested", rowsRead: 120, … }
 */
export async function ingestNotification(ports: Ports, body: string, options: IngestNotificationOptions = {}): Promise<NotificationOutcome> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new FilesError(`files: notification is not JSON: ${body.slice(0, 200)}`, { cause: error });
  }
  const event = S3EventNotificationEventBridgeSchema.safeParse(json);
  if (!event.success) throw new FilesError(`files: notification is not an S3 Object Created event: ${event.error.message}`);
  const { object } = event.data.detail;
  const { onProgress, ...fileOptions } = options;
  try {
    const manifest = await ingestFile(
      ports,
      {
        key: object.key,
        etag: (object.etag ?? "").replaceAll('"', ""),
        ...(object.size !== undefined ? { size: object.size } : {}),
        ...(object["version-id"] ? { versionId: object["version-id"] } : {}),
      },
      onProgress,
      fileOptions,
    );
    const { key, rowsRead, rowsLanded, rowsQuarantined } = manifest;
    return { outcome: manifest.status === "ingested" ? "ingested" : "already-ingested", key, rowsRead, rowsLanded, rowsQuarantined };
  } catch (error) {
    if (!(error instanceof RejectedFileError)) throw error;
    const record = { key: error.key, error: error.name, reason: error.reason, rejectedAt: new Date().toISOString(), event: event.data };
    const id = createHash("sha256").update(`${error.key}\n${object.etag ?? ""}`).digest("hex").slice(0, 20);
    await ports.lake.put(`${REJECTED_PREFIX}${id}.json`, JSON.stringify(record, null, 2), { contentType: "application/json" });
    return { outcome: "rejected", key: error.key, reason: error.reason };
  }
}
