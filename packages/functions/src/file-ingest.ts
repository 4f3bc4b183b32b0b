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

export const handler = observed("file-ingest", async (event: SQSEvent, context, logger): Promise<SQSBatchResponse> => {
  return processPartialResponse(
    event,
    async (record: SQSRecord) => {
      const outcome = await Files.ingestNotification(ports(), record.body);
      logger.info("file processed", { ...outcome });
    },
    processor,
    { context },
  );
});
