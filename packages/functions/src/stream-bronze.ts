/**
 * Consumes the stream-records queue: each message is landed or quarantined on its own (partial batch
 * responses), then the batch's Parquet files are written once. A failed write fails the whole batch, which
 * SQS redelivers; the batch id derives from the message ids, so the retry overwrites rather than duplicates.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import * as Streams from "@tributary/core/streams";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

const processor = new BatchProcessor(EventType.SQS);

export const handler = observed("stream-bronze", async (event: SQSEvent, context, logger): Promise<SQSBatchResponse> => {
  const landing = new Streams.StreamLanding(ports(), Streams.batchIdOf(event.Records.map((r) => r.messageId)));
  const response = await processPartialResponse(event, (record: SQSRecord) => landing.add(record.messageId, record.body), processor, { context });
  const outcome = await landing.close();
  logger.info("stream batch landed", { batchId: outcome.batchId, landed: outcome.landed, quarantined: outcome.quarantined });
  return response;
});
