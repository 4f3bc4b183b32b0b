/**
 * POST /v1/streams/{stream}/records — validates records of a config-declared stream and queues them durably
 * before answering (one record → 202/400; a batch → per-record results). Each queued record carries the
 * request's correlation id (`correlationId` in its envelope), which the answer's `x-correlation-id` header and this
 * function's log line name too.
 */
import * as Streams from "@tributary/core/streams";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { observedHttp } from "./observed-http";
import { ports } from "./platform";

export const handler = observedHttp("events-api", async (event: APIGatewayProxyEventV2, _context, { logger, correlationId }) => {
  const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, "base64").toString("utf8") : (event.body ?? "");
  const stream = event.pathParameters?.stream ?? "";
  const answer = await Streams.answerRecordsRequest(ports(), {
    stream,
    correlationId,
    body,
    // The request context's source IP, never X-Forwarded-For (clients can forge it).
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.requestContext.http.userAgent,
    apiKey: event.headers["x-api-key"],
  });
  // Ids and counts only: problems and error texts may quote the records' values.
  logger.info("records request answered", { stream, status: answer.status, eventIds: acceptedEventIds(answer.body) });
  return { statusCode: answer.status, headers: { "content-type": "application/json" }, body: JSON.stringify(answer.body) };
});

/** The event ids the answer gave the accepted records: what a client quotes, and what stream-bronze logs. */
function acceptedEventIds(body: Record<string, unknown>): string[] {
  if (typeof body.eventId === "string") return [body.eventId];
  const results = Array.isArray(body.results) ? (body.results as Streams.RecordResult[]) : [];
  return results.flatMap((r) => (r.status === "accepted" ? [r.eventId] : []));
}
