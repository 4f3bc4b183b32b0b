/**
 * GET /v1/reports/customers/{customerId} and GET /v1/reports/entities/{entityId}: a linked entity's real-time
 * report with its freshness. API key (x-api-key, `reports` scope), or a JWT verified by API Gateway's authorizer.
 */
import * as Reports from "@tributary/core/reports";
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { observedHttp } from "./observed-http";
import { ports } from "./platform";

export const handler = observedHttp("report-api", async (event: APIGatewayProxyEventV2WithJWTAuthorizer, _context, { logger }) => {
  const customerId = event.pathParameters?.customerId;
  const by = customerId !== undefined ? "customer" : "entity";
  const answer = await Reports.answerReportRequest(ports(), {
    by,
    id: customerId ?? event.pathParameters?.entityId ?? "",
    apiKey: event.headers["x-api-key"],
    // Present only when the route has a JWT authorizer (a customer-facing deployment).
    ...(event.requestContext.authorizer?.jwt ? { jwtClaims: event.requestContext.authorizer.jwt.claims } : {}),
  });
  logger.info("report request answered", { by, status: answer.status });
  return { statusCode: answer.status, headers: { "content-type": "application/json", "cache-control": "no-store" }, body: JSON.stringify(answer.body) };
});
