/**
 * POST /v1/streams/{stream}/records — validates records of a config-declared stream and queues them durably
 * before answering (one record → 202/400; a batch → per-record results).
 */
import * as Streams from "@tributary/core/streams";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

export const handler = observed("events-api", async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, "base64").toString("utf8") : (event.body ?? "");
  const answer = await Streams.answerRecordsRequest(ports(), {
    stream: event.pathParameters?.stream ?? "",
    body,
    // The request context's source IP, never X-Forwarded-For (clients can forge it).
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.requestContext.http.userAgent,
    apiKey: event.headers["x-api-key"],
  });
  return { statusCode: answer.status, headers: { "content-type": "application/json" }, body: JSON.stringify(answer.body) };
});
