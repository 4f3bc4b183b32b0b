/**
 * The shape every "queue → bronze" consumer shares: each message is landed or quarantined on its own (partial
 * batch responses: one poison message never fails its neighbours), then the batch's Parquet files are written
 * once. A failed write fails the whole batch, which SQS redelivers; the batch id derives from the message ids,
 * so the retry overwrites rather than duplicates.
 *
 * Each landed batch is logged with its files and, per message, the correlation id of the request that queued it
 * and the event ids it carried: an operator can follow a request from the API's log line to its bronze file.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { correlationIdOf, type BatchOutcome } from "@tributary/core/ingest";
import type { Ports } from "@tributary/core/platform";
import * as Streams from "@tributary/core/streams";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

export interface Landing {
  add(messageId: string, body: string): Promise<void>;
  close(): Promise<BatchOutcome>;
}

/**
 * @param eventIdsOf - the event ids a queued body carries (none when it cannot be read: it is quarantined then)
 * @example export const handler = bronzeConsumer("stream-bronze", (ports, batchId) => new Streams.StreamLanding(ports, batchId), eventIdsOf);
 */
export function bronzeConsumer(service: string, open: (ports: Ports, batchId: string) => Landing, eventIdsOf: (body: string) => string[]) {
  const processor = new BatchProcessor(EventType.SQS);
  return observed(service, async (event: SQSEvent, context, { logger }): Promise<SQSBatchResponse> => {
    const landing = open(ports(), Streams.batchIdOf(event.Records.map((r) => r.messageId)));
    const response = await processPartialResponse(event, (record: SQSRecord) => landing.add(record.messageId, record.body), processor, { context });
    const outcome = await landing.close();
    logger.info("batch landed", {
      batchId: outcome.batchId,
      landed: outcome.landed,
      quarantined: outcome.quarantined,
      datasets: outcome.datasets,
      messages: event.Records.map((r) => ({ messageId: r.messageId, correlationId: correlationIdOf(r.body), eventIds: eventIdsOf(r.body) })),
      // Redelivered by SQS, so their records are in a later batch (or, past maxReceiveCount, in the DLQ).
      failedMessageIds: response.batchItemFailures.map((f) => f.itemIdentifier),
    });
    return response;
  });
}
