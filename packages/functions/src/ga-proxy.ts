/**
 * POST /mp/collect (GA4 Measurement Protocol), POST and GET /collect (Universal Analytics v1): validated,
 * kept durably on the queues, then answered (204, or UA's pixel for GET). The queued hit carries the request's
 * correlation id (`correlationId`), answered in the `x-correlation-id` header.
 */
import * as Ga from "@tributary/core/ga";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { observedHttp } from "./observed-http";
import { ports } from "./platform";

export const handler = observedHttp("ga-proxy", async (event: APIGatewayProxyEventV2, _context, { logger, correlationId }) => {
  const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, "base64").toString("utf8") : (event.body ?? "");
  const kind = event.rawPath.endsWith("/mp/collect") ? "ga4" : "ua";
  const answer = await Ga.answerGaRequest(ports(), {
    kind,
    correlationId,
    method: event.requestContext.http.method,
    query: event.queryStringParameters ?? {},
    body,
    contentType: event.headers["content-type"],
    // The request context's source IP, never X-Forwarded-For (clients can forge it).
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.requestContext.http.userAgent,
    origin: event.headers.origin,
  });
  // No query string: it holds the api_secret.
  logger.info("ga hit answered", { protocol: kind, status: answer.status });
  return { statusCode: answer.status, headers: answer.headers, body: answer.body ?? "", isBase64Encoded: answer.base64 ?? false };
});
