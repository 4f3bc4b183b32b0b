/**
 * The HTTP API: the wiring's http routes, throttled by default on every route, access-logged as JSON into a
 * KMS-encrypted log group. CORS is off: no browser client is wired yet, and allowing every origin (SST's
 * default) is not a safe default for an ingestion endpoint.
 */
import type * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import { Api, type App, type Function } from "sst/constructs";
import type { Construct } from "constructs";

/** Steady requests per second and burst size, applied to every route unless a route sets its own. */
export const API_THROTTLE = { rate: 200, burst: 400 } as const;

export const API_ACCESS_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

export function buildApi(scope: Construct, routes: ReadonlyMap<string, Function>, logsKey: kms.IKey): Api | undefined {
  if (routes.size === 0) return undefined;
  const app = scope.node.root as App;
  const accessLogs = new logs.LogGroup(scope, "api-access-logs", {
    // The /aws/vendedlogs/ prefix keeps API Gateway from adding to the account's CloudWatch Logs resource policy.
    logGroupName: `/aws/vendedlogs/apis/${app.logicalPrefixedName("api")}`,
    retention: API_ACCESS_LOG_RETENTION,
    encryptionKey: logsKey,
  });
  return new Api(scope, "api", {
    cors: false,
    accessLog: { destinationArn: accessLogs.logGroupArn },
    defaults: { throttle: { rate: API_THROTTLE.rate, burst: API_THROTTLE.burst } },
    routes: Object.fromEntries([...routes].map(([route, fn]) => [route, { function: fn }])),
  });
}
