/**
 * POST /mp/collect (GA4 Measurement Protocol), POST and GET /collect (Universal Analytics v1): validated,
 * kept durably on the queues, then answered (204, or UA's pixel for GET).
 */
import * as Ga from "@tributary/core/ga";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

export const handler = observed("ga-proxy", async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, "base64").toString("utf8") : (event.body ?? "");
  const answer = await Ga.answerGaRequest(ports(), {
    kind: event.rawPath.endsWith("/mp/collect") ? "ga4" : "ua",
    method: event.requestContext.http.method,
    query: event.queryStringParameters ?? {},
    body,
    contentType: event.headers["content-type"],
    // The request context's source IP, never X-Forwarded-For (clients can forge it).
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.requestContext.http.userAgent,
    origin: event.headers.origin,
  });
  return { statusCode: answer.status, headers: answer.headers, body: answer.body ?? "", isBase64Encoded: answer.base64 ?? false };
});
