/**
 * One Powertools logger, metrics and tracer per service (function), wrapped around the handler with middy.
 * Handlers wrap themselves with `observed` (HTTP ones with `observedHttp`) and use the instances it hands them;
 * none creates its own.
 * - Logger: JSON lines on stdout, each with the Lambda context (`function_request_id`, `cold_start`, …), written
 *   through a child of the service's logger that serves one invocation at a time (see `invocationLoggers`).
 * - Metrics: EMF lines on stdout, a `ColdStart` metric on each cold start, flushed after every invocation that
 *   stored one.
 * - Tracer: an X-Ray subsegment per invocation (the stacks turn active tracing on), HTTP calls included.
 * The local platform turns metrics and tracing off (`POWERTOOLS_METRICS_DISABLED`, `POWERTOOLS_TRACE_ENABLED`).
 */
import { Logger } from "@aws-lambda-powertools/logger";
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
   * This invocation's logger: the service's, with this invocation's context and keys. A child that serves this
   * invocation alone (reused by a later one, keys reset, once this one ends), because the local platform runs
   * invocations of one function concurrently in one process, and keys set on the shared logger (a correlation
   * id) would leak into a neighbour's lines.
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
  const loggers = invocationLoggers(logger);
  return (
    middy<E, R>()
      // Responses stay out of traces: they carry reports and records, personal data included.
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(logMetricsOf(serviceMetrics))
      .handler(async (event: E, context: Context) => {
        const invocationLogger = loggers.take(event, context);
        const invocation: Invocation = { logger: invocationLogger, metrics: serviceMetrics(), tracer };
        try {
          return await fn(event, context, invocation);
        } catch (error) {
          // Lambda prints the error too, but not as JSON with the invocation's keys (its correlation id).
          invocation.logger.error("invocation failed", error as Error);
          throw error;
        } finally {
          loggers.give(invocationLogger);
        }
      })
  );
}

/**
 * What Powertools' `injectLambdaContext` middleware did (context, event logging, debug sampling), for loggers
 * that serve one invocation at a time: children of the service's logger, one per invocation in flight, reused
 * once it ends. A new Powertools child builds a `Console` and re-reads the environment, which cost more than
 * the rest of a small API request; reuse is safe because a child serves one invocation at a time and its keys
 * are reset when it comes back. On Lambda (one invocation at a time) that is one child for the life of the
 * environment, so only the first invocation's lines say `cold_start: true`, as Powertools means it. The
 * service's own logger gets each context too: the metrics' warnings are logged through it.
 */
function invocationLoggers(parent: Logger): { take(event: unknown, context: Context): Logger; give(child: Logger): void } {
  const idle: Logger[] = [];
  let created = 0;
  // Debug sampling is re-drawn per invocation, as the middleware did; only worth its cost when it is configured.
  const sampling = Number(process.env.POWERTOOLS_LOGGER_SAMPLE_RATE ?? 0) > 0;
  return {
    take(event, context) {
      parent.addContext(context);
      let child = idle.pop();
      if (!child) {
        child = parent.createChild();
        // A new child reports its first context as a cold start; only the environment's first invocation was
        // one, so later children spend that on a first `addContext`.
        if (created++ > 0) child.addContext(context);
      } else if (sampling) {
        child.refreshSampleRateCalculation();
      }
      child.addContext(context);
      child.logEventIfEnabled(event);
      return child;
    },
    give(child) {
      child.resetKeys();
      idle.push(child);
    },
  };
}

type MetricsMiddleware = ReturnType<typeof logMetrics>;

/**
 * Powertools' `logMetrics` middleware (with the cold-start metric) on metrics created when first needed. When
 * creating them failed (no ports: a misconfigured function), flushing is skipped rather than failing again, so
 * the other middlewares still close their work (the trace's subsegment).
 *
 * An invocation that stored no metric (most of them: the cold start is published at once, on its own) is not
 * flushed: Powertools would build an EMF document only to drop it, and warn. Only what a flush resets is reset.
 */
function logMetricsOf(metrics: () => Metrics): MetricsMiddleware {
  let middleware: MetricsMiddleware | undefined;
  let created: Metrics | undefined;
  const flush: NonNullable<MetricsMiddleware["after"]> = (request) => {
    if (!created || created.hasStoredMetrics()) return middleware?.after?.(request);
    created.clearDimensions();
    created.clearMetadata();
  };
  return {
    before: (request) => (middleware ??= logMetrics((created = metrics()), { captureColdStartMetric: true })).before?.(request),
    after: flush,
    onError: flush,
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
