/**
 * Consumes file-notifications: each message is an S3 "Object Created" event (via EventBridge) for a key under
 * landing/. The file is streamed into bronze; a key we must not read is rejected with its reason, not retried.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import * as Files from "@tributary/core/files";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

const processor = new BatchProcessor(EventType.SQS);
const DEADLINE_MARGIN_MS = 60_000;

export const handler = observed("file-ingest", async (event: SQSEvent, context, { logger }): Promise<SQSBatchResponse> => {
  return processPartialResponse(
    event,
    async (record: SQSRecord) => {
      // Stop a minute before Lambda would kill us: the file is then refused whole (nothing partial stays in
      // bronze) and its reason recorded, instead of a timeout leaving flushed chunks behind.
      const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
      const onProgress = ports().observer?.fileProgress;
      const outcome = await Files.ingestNotification(ports(), record.body, { deadline, ...(onProgress ? { onProgress } : {}) });
      logger.info("file processed", { ...outcome });
    },
    processor,
    { context },
  );
});
