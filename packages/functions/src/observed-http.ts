/**
 * HTTP functions (API Gateway HTTP API, payload 2.0) observed with a correlation id per request: the client's
 * `x-correlation-id` when it sends a valid one, else API Gateway's request id. The id is on each of the
 * invocation's log lines (`correlation_id`), annotated on its trace, answered in the `x-correlation-id` header,
 * and handed to the handler to stamp on what the request queues (`Ingest.correlatedPorts`), so the bronze
 * consumers can log it next to the files the request's records landed in.
 */
import { CorrelationIdSchema } from "@tributary/core/ingest";
import type { APIGatewayProxyEventHeaders, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { observed, type Invocation, type ObservedOptions } from "./observability";

export const CORRELATION_HEADER = "x-correlation-id";

/** What an HTTP function needs of its event (v2 events with or without an authorizer qualify). */
export interface HttpRequest {
  headers: APIGatewayProxyEventHeaders;
  requestContext: { requestId: string };
}

export interface HttpInvocation extends Invocation {
  correlationId: string;
}

/**
 * The request's correlation id. A header that fails `CorrelationIdSchema` is not used (it would reach logs,
 * traces and queue messages); `ignored` says why, without echoing it.
 *
 * @example requestCorrelationId({ headers: { "x-correlation-id": "order-42" }, requestContext: { requestId: "Ab1=" } }) // { correlationId: "order-42" }
 */
export function requestCorrelationId(event: HttpRequest): { correlationId: string; ignored?: string } {
  // HTTP APIs (payload 2.0) and the local server both hand over header names in lower case.
  const sent = event.headers[CORRELATION_HEADER];
  if (sent === undefined) return { correlationId: event.requestContext.requestId };
  const checked = CorrelationIdSchema.safeParse(sent);
  if (checked.success) return { correlationId: checked.data };
  return { correlationId: event.requestContext.requestId, ignored: `${CORRELATION_HEADER} of ${sent.length} characters ${checked.error.issues[0]?.message}` };
}

/**
 * @example export const handler = observedHttp("events-api", async (event: APIGatewayProxyEventV2, context, { correlationId }) => ({ statusCode: 202 }));
 */
export function observedHttp<E extends HttpRequest>(
  service: string,
  fn: (event: E, context: Context, invocation: HttpInvocation) => Promise<APIGatewayProxyStructuredResultV2>,
  options: ObservedOptions = {},
) {
  return observed<E, APIGatewayProxyStructuredResultV2>(
    service,
    async (event, context, invocation) => {
      const { correlationId, ignored } = requestCorrelationId(event);
      invocation.logger.setCorrelationId(correlationId);
      invocation.tracer.putAnnotation("correlation_id", correlationId);
      if (ignored) invocation.logger.warn(`correlation id from the request ignored: ${ignored}; using the request id`);
      const result = await fn(event, context, { ...invocation, correlationId });
      return { ...result, headers: { ...result.headers, [CORRELATION_HEADER]: correlationId } };
    },
    options,
  );
}
