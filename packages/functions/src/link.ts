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
/** Kept per container (the graph's pointer cache pays off); rebuilt when the ports change (a new local platform). */
let context: { ports: ReturnType<typeof ports>; link: Link.LinkContext } | undefined;

export const handler = observed("link", async (event: SQSEvent, lambdaContext, { logger }): Promise<SQSBatchResponse> => {
  if (context?.ports !== ports()) context = { ports: ports(), link: Link.linkContext(ports()) };
  const link = context.link;
  const linkOne = async (record: SQSRecord) => {
    try {
      const outcome = await Link.linkAnnouncement(ports(), link, Link.parseRecordIngested(JSON.parse(record.body)));
      logger.info("announcement linked", { ...outcome });
    } catch (error) {
      // SQS retries it (then the DLQ); the reason must be in the log, not only in the partial-batch response.
      logger.error("announcement failed", { messageId: record.messageId, error: error as Error });
      throw error;
    }
  };
  return processPartialResponse(event, linkOne, processor, { context: lambdaContext });
});
