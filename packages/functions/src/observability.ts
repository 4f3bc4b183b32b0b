/**
 * One Powertools logger per service (function), attached with middy. Handlers wrap themselves with `observed`.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

export function observed<E, R>(service: string, fn: (event: E, context: Context, logger: Logger) => Promise<R>) {
  const logger = new Logger({ serviceName: service });
  return middy<E, R>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event: E, context: Context) => fn(event, context, logger));
}
