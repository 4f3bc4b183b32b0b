/**
 * GET /v1/reports/customers/{customerId} and GET /v1/reports/entities/{entityId}: a linked entity's real-time
 * report with its freshness. API key (x-api-key, `reports` scope), or a JWT verified by API Gateway's authorizer.
 */
import * as Reports from "@tributary/core/reports";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from "aws-lambda";
import { observed } from "./observability";
import { ports } from "./platform";

export const handler = observed("report-api", async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyResultV2> => {
  const customerId = event.pathParameters?.customerId;
  const answer = await Reports.answerReportRequest(ports(), {
    by: customerId !== undefined ? "customer" : "entity",
    id: customerId ?? event.pathParameters?.entityId ?? "",
    apiKey: event.headers["x-api-key"],
    // Present only when the route has a JWT authorizer (a customer-facing deployment).
    ...(event.requestContext.authorizer?.jwt ? { jwtClaims: event.requestContext.authorizer.jwt.claims } : {}),
  });
  return { statusCode: answer.status, headers: { "content-type": "application/json", "cache-control": "no-store" }, body: JSON.stringify(answer.body) };
});
