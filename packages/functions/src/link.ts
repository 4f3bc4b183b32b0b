/**
 * Consumes link-requests (`record.ingested` routed from the bus): each announcement's rows are resolved to
 * entities and applied to the real-time report. One announcement per SQS record, processed on its own (partial
 * batch responses); a failure is retried by SQS and parked in the DLQ after five receives.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import * as Link from "@tributary/core/link";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

const processor = new BatchProcessor(EventType.SQS);
let context: Link.LinkContext | undefined;

export const handler = observed("link", async (event: SQSEvent, lambdaContext, logger): Promise<SQSBatchResponse> => {
  context ??= Link.linkContext(ports());
  const linkOne = async (record: SQSRecord) => {
    const outcome = await Link.linkAnnouncement(ports(), context!, Link.parseRecordIngested(JSON.parse(record.body)));
    logger.info("announcement linked", { ...outcome });
  };
  return processPartialResponse(event, linkOne, processor, { context: lambdaContext });
});
