/**
 * The shape every "queue → bronze" consumer shares: each message is landed or quarantined on its own (partial
 * batch responses: one poison message never fails its neighbours), then the batch's Parquet files are written
 * once. A failed write fails the whole batch, which SQS redelivers; the batch id derives from the message ids,
 * so the retry overwrites rather than duplicates.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { BatchOutcome } from "@tributary/core/ingest";
import type { Ports } from "@tributary/core/platform";
import * as Streams from "@tributary/core/streams";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

export interface Landing {
  add(messageId: string, body: string): Promise<void>;
  close(): Promise<BatchOutcome>;
}

export function bronzeConsumer(service: string, open: (ports: Ports, batchId: string) => Landing) {
  const processor = new BatchProcessor(EventType.SQS);
  return observed(service, async (event: SQSEvent, context, logger): Promise<SQSBatchResponse> => {
    const landing = open(ports(), Streams.batchIdOf(event.Records.map((r) => r.messageId)));
    const response = await processPartialResponse(event, (record: SQSRecord) => landing.add(record.messageId, record.body), processor, { context });
    const outcome = await landing.close();
    logger.info("batch landed", { batchId: outcome.batchId, landed: outcome.landed, quarantined: outcome.quarantined });
    return response;
  });
}
