/**
 * Builds the event Lambda's SQS event source mapping hands a function, field for field.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event
 */
import { createHash } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { ReceivedMessage } from "./queue-types";

/** The account id the local platform reports everywhere AWS would put one. */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** @example localQueueArn("stream-records", "eu-west-1") // "arn:aws:sqs:eu-west-1:000000000000:stream-records" */
export function localQueueArn(queueName: string, region: string): string {
  return `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${queueName}`;
}

/**
 * @example toSqsEvent(await queue.receive(10), { queueArn: localQueueArn("stream-records", region), region }).Records.length
 */
export function toSqsEvent(messages: readonly ReceivedMessage[], source: { queueArn: string; region: string }): SQSEvent {
  return { Records: messages.map((m) => toSqsRecord(m, source)) };
}

function toSqsRecord(m: ReceivedMessage, source: { queueArn: string; region: string }): SQSRecord {
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: LOCAL_ACCOUNT_ID,
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
    },
    // The producer's id travels as the `id` attribute, as the SQS adapter (platform/aws.ts) sends it.
    messageAttributes: { id: { dataType: "String", stringValue: m.id, stringListValues: [], binaryListValues: [] } },
    md5OfBody: createHash("md5").update(m.body, "utf8").digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}
