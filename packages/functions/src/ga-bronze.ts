/**
 * Consumes ga-hits: each hit's events become rows of bronze `ga_events` (or quarantine), written once per batch.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import * as Ga from "@tributary/core/ga";
import * as Streams from "@tributary/core/streams";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

const processor = new BatchProcessor(EventType.SQS);

export const handler = observed("ga-bronze", async (event: SQSEvent, context, logger): Promise<SQSBatchResponse> => {
  const landing = new Ga.GaLanding(ports(), Streams.batchIdOf(event.Records.map((r) => r.messageId)));
  const response = await processPartialResponse(event, (record: SQSRecord) => landing.add(record.messageId, record.body), processor, { context });
  const outcome = await landing.close();
  logger.info("ga batch landed", { batchId: outcome.batchId, landed: outcome.landed, quarantined: outcome.quarantined });
  return response;
});
