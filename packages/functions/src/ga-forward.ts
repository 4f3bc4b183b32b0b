/**
 * Consumes ga-forward: each hit is forwarded to Google once per event (forward status in DynamoDB). A hit Google
 * could not take yet is reported as a batch item failure, so SQS redelivers it; past the 72 h window the queue's
 * redrive policy moves it to the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import * as Ga from "@tributary/core/ga";
import { correlationIdOf } from "@tributary/core/ingest";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

const processor = new BatchProcessor(EventType.SQS);

export const handler = observed("ga-forward", async (event: SQSEvent, context, { logger }): Promise<SQSBatchResponse> => {
  return processPartialResponse(
    event,
    async (record: SQSRecord) => {
      const outcome = await Ga.forwardQueuedHit(ports(), record.body);
      logger.info("ga hit forwarded", { messageId: record.messageId, correlationId: correlationIdOf(record.body), ...outcome });
    },
    processor,
    { context },
  );
});
