/**
 * The HTTP API: the wiring's http routes, throttled by default on every route, access-logged as JSON into a
 * KMS-encrypted log group. CORS is off: no browser client is wired yet, and allowing every origin (SST's
 * default) is not a safe default for an ingestion endpoint.
 *
 * A customer-facing deployment sets `realtime.jwt` in the config: the report routes then get API Gateway's JWT
 * authorizer (issuer and audience checked, and the signature against the issuer's JWKS, before the handler
 * runs); the handler then compares the token's customer claim with the customer asked for.
 */
import type * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import { Api, type ApiAuthorizer, type App, type Function } from "sst/constructs";
import type { Construct } from "constructs";
import type { TributaryConfig } from "@tributary/core/config";
import type { FunctionDecl } from "@tributary/core/wiring";
import { StackWiringError } from "./resources";

/** Steady requests per second and burst size, applied to every route unless a route sets its own. */
export const API_THROTTLE = { rate: 200, burst: 400 } as const;

export const API_ACCESS_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * Functions whose handler checks a verified token's claims (core `Reports.answerReportRequest`). Only their
 * routes get the JWT authorizer: a handler that ignores the claims would gain nothing from the token.
 */
export const JWT_CHECKING_FUNCTIONS: readonly string[] = ["report-api"];

/** The name of the JWT authorizer on the Api (what a route's `authorizer` refers to). */
export const JWT_AUTHORIZER = "jwt";

export interface JwtAuthorizer {
  issuer: string;
  audience: string[];
  /** Route keys (`"GET /v1/reports/…"`) the authorizer guards. */
  routes: ReadonlySet<string>;
}

/**
 * The JWT authorizer the config asks for, on the http routes of the functions that check its claims; undefined
 * without `realtime.jwt`. Fails synth when it is configured but no such route is wired: the operator asked for
 * token checks, and nothing would carry them.
 */
export function jwtAuthorizerFor(config: TributaryConfig, functions: readonly FunctionDecl[]): JwtAuthorizer | undefined {
  const jwt = config.realtime.jwt;
  if (!jwt) return undefined;
  const routes = functions
    .filter((f) => JWT_CHECKING_FUNCTIONS.includes(f.name))
    .flatMap((f) => f.triggers.flatMap((t) => (t.kind === "http" ? [`${t.method} ${t.path}`] : [])));
  if (routes.length === 0) {
    throw new StackWiringError(
      `stacks: realtime.jwt is configured (issuer ${jwt.issuer}), but no http route of ${JWT_CHECKING_FUNCTIONS.join(", ")} is wired to put the authorizer on`,
    );
  }
  return { issuer: jwt.issuer, audience: [...jwt.audience], routes: new Set(routes) };
}

export function buildApi(scope: Construct, routes: ReadonlyMap<string, Function>, logsKey: kms.IKey, jwt?: JwtAuthorizer): Api | undefined {
  if (routes.size === 0) return undefined;
  for (const route of jwt?.routes ?? []) {
    if (!routes.has(route)) throw new StackWiringError(`stacks: the JWT authorizer names route "${route}", which no function is wired to`);
  }
  const app = scope.node.root as App;
  const accessLogs = new logs.LogGroup(scope, "api-access-logs", {
    // The /aws/vendedlogs/ prefix keeps API Gateway from adding to the account's CloudWatch Logs resource policy.
    logGroupName: `/aws/vendedlogs/apis/${app.logicalPrefixedName("api")}`,
    retention: API_ACCESS_LOG_RETENTION,
    encryptionKey: logsKey,
  });
  const authorizers: Record<string, ApiAuthorizer> = jwt
    ? { [JWT_AUTHORIZER]: { type: "jwt", jwt: { issuer: jwt.issuer, audience: jwt.audience } } }
    : {};
  return new Api(scope, "api", {
    cors: false,
    accessLog: { destinationArn: accessLogs.logGroupArn },
    authorizers,
    defaults: { throttle: { rate: API_THROTTLE.rate, burst: API_THROTTLE.burst } },
    routes: Object.fromEntries(
      [...routes].map(([route, fn]) => [route, jwt?.routes.has(route) ? { function: fn, authorizer: JWT_AUTHORIZER } : { function: fn }]),
    ),
  });
}
