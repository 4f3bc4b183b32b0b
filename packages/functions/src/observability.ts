/**
 * One Powertools logger, metrics and tracer per service (function), attached with middy middleware. Handlers
 * wrap themselves with `observed` (HTTP ones with `observedHttp`) and use the instances it hands them; none
 * creates its own.
 * - Logger: JSON lines on stdout, each with the Lambda context (`function_request_id`, `cold_start`, …).
 * - Metrics: EMF lines on stdout, a `ColdStart` metric on each cold start, flushed after every invocation.
 * - Tracer: an X-Ray subsegment per invocation (the stacks turn active tracing on), HTTP calls included.
 * The local platform turns metrics and tracing off (`POWERTOOLS_METRICS_DISABLED`, `POWERTOOLS_TRACE_ENABLED`).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { MetricsOptions } from "@aws-lambda-powertools/metrics/types";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { ports } from "./platform";

export interface Invocation {
  /**
   * This invocation's logger: the service's, with this invocation's context and keys. A child per invocation,
   * because the local platform runs invocations of one function concurrently in one process, and keys set on
   * the shared logger (a correlation id) would leak into a neighbour's lines.
   */
  logger: Logger;
  /** The service's metrics; `service` is a default dimension. Stored metrics are flushed after the invocation. */
  metrics: Metrics;
  tracer: Tracer;
}

export interface ObservedOptions {
  /** The CloudWatch namespace of the service's metrics. Default: the config's `project`, as on every stack's functions. */
  metricsNamespace?: string;
}

/**
 * @example export const handler = observed("link", async (event: SQSEvent, context, { logger }) => { … });
 */
export function observed<E, R>(service: string, fn: (event: E, context: Context, invocation: Invocation) => Promise<R>, options: ObservedOptions = {}) {
  const logger = new Logger({ serviceName: service });
  const tracer = new Tracer({ serviceName: service });
  // Created at the first invocation: the namespace comes from the config, which the platform provides by then.
  let metrics: Metrics | undefined;
  const serviceMetrics = () =>
    (metrics ??= new Metrics({ namespace: options.metricsNamespace ?? ports().config.project, serviceName: service, logger: metricsLogger(logger) }));
  return (
    middy<E, R>()
      // Responses stay out of traces: they carry reports and records, personal data included.
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(logMetricsOf(serviceMetrics))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .handler(async (event: E, context: Context) => {
        const invocation: Invocation = { logger: logger.createChild(), metrics: serviceMetrics(), tracer };
        try {
          return await fn(event, context, invocation);
        } catch (error) {
          // Lambda prints the error too, but not as JSON with the invocation's keys (its correlation id).
          invocation.logger.error("invocation failed", error as Error);
          throw error;
        }
      })
  );
}

type MetricsMiddleware = ReturnType<typeof logMetrics>;

/**
 * Powertools' `logMetrics` middleware (with the cold-start metric) on metrics created when first needed. When
 * creating them failed (no ports: a misconfigured function), flushing is skipped rather than failing again, so
 * the other middlewares still close their work (the trace's subsegment).
 */
function logMetricsOf(metrics: () => Metrics): MetricsMiddleware {
  let middleware: MetricsMiddleware | undefined;
  return {
    before: (request) => (middleware ??= logMetrics(metrics(), { captureColdStartMetric: true })).before?.(request),
    after: (request) => middleware?.after?.(request),
    onError: (request) => middleware?.onError?.(request),
  };
}

/**
 * Powertools warns at every flush that stored no application metric; most invocations of most functions store
 * none by design (the cold start is their only metric), so that warning is logged at debug level. Other warnings
 * (an invalid dimension) stay warnings, as JSON lines of the service.
 */
const NO_APPLICATION_METRICS = "No application metrics to publish";

function metricsLogger(logger: Logger): NonNullable<MetricsOptions["logger"]> {
  const text = (content: unknown[]) => content.map(String).join(" ");
  return {
    debug: (...content: unknown[]) => logger.debug(text(content)),
    info: (...content: unknown[]) => logger.info(text(content)),
    warn: (...content: unknown[]) => (text(content).startsWith(NO_APPLICATION_METRICS) ? logger.debug(text(content)) : logger.warn(text(content))),
    error: (...content: unknown[]) => logger.error(text(content)),
  };
}
