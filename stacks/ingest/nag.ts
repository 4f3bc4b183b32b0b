/**
 * cdk-nag findings on the Ingest stack that are deliberate, each suppressed on the exact resource and finding
 * with the reason. Everything else cdk-nag's AwsSolutions pack reports is fixed in the stack instead.
 */
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { NagSuppressions } from "cdk-nag";
import type { Api, Function } from "sst/constructs";
import type { FunctionDecl } from "@tributary/core/wiring";

/** A wiring function and the Lambda built from it. */
export interface BuiltFunction {
  decl: FunctionDecl;
  fn: Function;
}

export const NODE_RUNTIME_REASON =
  "Runtime pinned to nodejs22.x by the project (Node 22 LTS, what Tributary is built and tested for); moving to nodejs24.x is a deliberate upgrade, not a synth default.";

export function suppressIngestFindings(functions: BuiltFunction[], api: Api | undefined): void {
  for (const { decl, fn } of functions) {
    NagSuppressions.addResourceSuppressions(fn, [{ id: "AwsSolutions-L1", reason: NODE_RUNTIME_REASON }]);
    if (!fn.role) continue;
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: "AwsSolutions-IAM5",
          reason:
            "X-Ray tracing (active): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource \"*\" (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html).",
          appliesTo: ["Resource::*"],
        },
        ...lakePrefixSuppressions(decl),
      ],
      true,
    );
  }
  if (api) suppressOpenRouteFindings(functions, api);
}

/**
 * Why each function may have routes without an API Gateway authorizer: its handler authenticates the caller
 * before anything is read or written. A route whose function is not listed keeps its AwsSolutions-APIG4 finding,
 * so a new unauthenticated endpoint fails the nag check until someone writes down why it is safe.
 */
export const OPEN_ROUTE_REASONS: Readonly<Record<string, string>> = {
  "events-api":
    "Stream writes authenticate in the handler: an x-api-key matched against SHA-256 hashes in the API_KEYS secret, 401/403 before anything is written.",
  "ga-proxy":
    "GA hits authenticate per protocol in the handler: GA4 /mp/collect needs its measurement_id with the api_secret from GA_API_SECRETS (the Measurement Protocol's own scheme, query parameters an authorizer cannot check without the secret); UA /collect is a public browser beacon by protocol design, accepted only for configured property ids.",
  "report-api":
    "Without realtime.jwt in the config, report reads authenticate in the handler: an x-api-key whose entry in the API_KEYS secret (matched by SHA-256 hash) allows reading reports, 401/403 before any table is read. Setting realtime.jwt puts API Gateway's JWT authorizer on these routes instead.",
};

/** APIG4 suppressed route by route, only on routes without an authorizer whose function is in `OPEN_ROUTE_REASONS`. */
function suppressOpenRouteFindings(functions: BuiltFunction[], api: Api): void {
  const functionOfRoute = new Map<string, string>(
    functions.flatMap(({ decl }) => decl.triggers.flatMap((t) => (t.kind === "http" ? [[`${t.method} ${t.path}`, decl.name] as const] : []))),
  );
  for (const route of api.node.findAll().filter((c): c is apigwv2.CfnRoute => c instanceof apigwv2.CfnRoute)) {
    const reason = OPEN_ROUTE_REASONS[functionOfRoute.get(route.routeKey) ?? ""];
    if (route.authorizationType !== "NONE" || !reason) continue;
    NagSuppressions.addResourceSuppressions(route, [
      { id: "AwsSolutions-APIG4", reason: `${reason} The API is also throttled and access-logged.` },
    ]);
  }
}

/** `bucket/<prefix>*` is how object access is scoped to a declared prefix; only those exact prefixes are allowed. */
function lakePrefixSuppressions(decl: FunctionDecl) {
  const prefixes = [...new Set([...decl.lake.read, ...decl.lake.write])];
  if (prefixes.length === 0) return [];
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return [
    {
      id: "AwsSolutions-IAM5",
      reason: `Lake object access is scoped to the key prefixes the wiring declares for ${decl.name} (${prefixes.join(", ")}); a prefix needs the trailing *.`,
      appliesTo: prefixes.map((p) => ({ regex: `/^Resource::<[A-Za-z0-9]+\\.Arn>\\/${escape(p)}\\*$/` })),
    },
  ];
}
