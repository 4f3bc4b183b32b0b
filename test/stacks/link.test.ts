/**
 * Linking and the real-time report on AWS, as the Ingest stack builds them: the `link_graph` and
 * `realtime_reports` tables, the `link-requests` queue fed by the `record-ingested` rule on the tributary bus,
 * the link function (reads bronze, writes the two tables) and report-api (reads the two tables, nothing else),
 * with API Gateway's JWT authorizer on the report routes when the config asks for it.
 * Expected values are written out here, not derived from the wiring, so a wiring change that widens access fails.
 * Templates only (functions are not bundled): what is asserted is resources and permissions, not code.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@tributary/core/config";
import { wiring } from "@tributary/core/wiring";
import { jwtAuthorizerFor } from "../../stacks/ingest/api";
import { StackWiringError } from "../../stacks/ingest/resources";
import shippedConfig from "../../tributary.config";
import { importOf, lakeExports, removeSynthOutput, synthesize, TEST_REGION, type Synthesized } from "./synth";

type Resource = { Type: string; Properties: Record<string, any> };

const JWT = { issuer: "https://auth.example.com/", audience: ["tributary-reports", "tributary-app"], customerClaim: "sub" };
/** The shipped config, made customer-facing: report routes behind a JWT authorizer. */
const JWT_CONFIG = { ...shippedConfig, realtime: { ...shippedConfig.realtime, jwt: JWT } };
const REPORT_ROUTES = ["GET /v1/reports/customers/{customerId}", "GET /v1/reports/entities/{entityId}"];
const LINK_TABLES = ["link_graph", "realtime_reports"];
const READ_PREFIXES = ["bronze/", "restricted/bronze/"];
const TABLE_READ_ACTIONS = ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query"];
const TABLE_WRITE_ACTIONS = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];
/** Any action that changes data or sends it somewhere, in any service a Tributary function touches. */
const WRITE_ACTION = /^(dynamodb:(Put|Update|Delete|BatchWrite|TransactWrite|PartiQL(Insert|Update|Delete)|Create|Restore|Import)|s3:(Put|Delete|Abort|Restore|Replicate)|sqs:(SendMessage|Purge|Delete)|events:Put|sns:Publish|kms:(Encrypt|GenerateDataKey|ReEncrypt))/;

let plain: Synthesized;
let withJwt: Synthesized;
let ingest: Template;
/** How Ingest refers to the Lake stack's bucket ARN and lake key ARN: imports of its exports. */
let lakeBucketArn: unknown;
let lakeKeyArn: unknown;

beforeAll(async () => {
  plain = await synthesize(undefined, { bundle: false });
  withJwt = await synthesize(JWT_CONFIG, { bundle: false });
  ingest = plain.templates.Ingest;
  const lake = lakeExports(plain.templates.Lake);
  lakeBucketArn = importOf(lake.bucketArn);
  lakeKeyArn = importOf(lake.keyArn);
});
afterAll(removeSynthOutput);

const resourcesIn = (template: Template, type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];
const resources = (type: string) => resourcesIn(ingest, type);
const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const sorted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();
const tableNamed = (name: string) => resources("AWS::DynamoDB::Table").find(([, t]) => t.Properties.TableName === `test-tributary-${name}`)!;
const queueNamed = (name: string) => resources("AWS::SQS::Queue").find(([, q]) => q.Properties.QueueName === `test-tributary-${name}`)!;
const functionNamed = (name: string) => resources("AWS::Lambda::Function").find(([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === name)!;
const keyWithAlias = (alias: string) => resources("AWS::KMS::Alias").find(([, a]) => a.Properties.AliasName === alias)![1].Properties.TargetKeyId["Fn::GetAtt"][0] as string;
/** Every statement of every policy on the function's role. */
const statementsOf = (name: string): any[] => {
  const roleId = functionNamed(name)[1].Properties.Role["Fn::GetAtt"][0];
  return resources("AWS::IAM::Policy")
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
};
const actionsOf = (statements: any[]) => [...new Set(statements.flatMap((s) => asList(s.Action) as string[]))].sort();
const withActionPrefix = (statements: any[], prefix: string) => statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith(prefix)));
const resourcesOf = (statements: any[]) => statements.flatMap((s) => asList(s.Resource));
const ssmParametersOf = (name: string) => JSON.stringify(resourcesOf(withActionPrefix(statementsOf(name), "ssm:")));

describe("link and report tables", () => {
  it("are on demand, keyed by pk and sk, encrypted with the rotating tables key, with point-in-time recovery", () => {
    // Prepare
    const tableKeyId = keyWithAlias("alias/tributary/test/tables");

    for (const name of LINK_TABLES) {
      // Act
      const [, table] = tableNamed(name);

      // Assess
      expect(table.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: arnOf(tableKeyId) },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      expect(sorted(table.Properties.AttributeDefinitions)).toEqual(sorted([{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }]));
    }
    expect(tableNamed("ingest_ledger")[1].Properties.SSESpecification.KMSMasterKeyId).toEqual(arnOf(tableKeyId));
    expect(ingest.findResources("AWS::KMS::Key")[tableKeyId]!.Properties.EnableKeyRotation).toBe(true);
  });
});

describe("the link-requests queue", () => {
  it("is encrypted with the rotating queues key, hides messages for 6x the link timeout and moves them to its DLQ after 5 receives", () => {
    // Prepare
    const queueKeyId = keyWithAlias("alias/tributary/test/queues");

    // Act
    const [, queue] = queueNamed("link-requests");
    const [dlqId, dlq] = queueNamed("link-requests-dlq");

    // Assess
    expect(queue.Properties).toMatchObject({
      KmsMasterKeyId: arnOf(queueKeyId),
      VisibilityTimeout: 6 * functionNamed("link")[1].Properties.Timeout,
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: 5 },
    });
    expect(dlq.Properties).toMatchObject({ KmsMasterKeyId: arnOf(queueKeyId), MessageRetentionPeriod: 14 * 86_400 });
    expect(ingest.findResources("AWS::KMS::Key")[queueKeyId]!.Properties.EnableKeyRotation).toBe(true);
  });

  it("refuses non-TLS requests, on the queue and its DLQ", () => {
    for (const name of ["link-requests", "link-requests-dlq"]) {
      const [queueId] = queueNamed(name);
      const [, policy] = resources("AWS::SQS::QueuePolicy").find(([, p]) => p.Properties.Queues.some((q: any) => q.Ref === queueId))!;

      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Action: "sqs:*", Principal: { AWS: "*" }, Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
    }
  });

  it("feeds only the link function, 10 messages at a time without waiting, with partial batch responses", () => {
    const [queueId] = queueNamed("link-requests");

    const mappings = resources("AWS::Lambda::EventSourceMapping").filter(([, m]) => m.Properties.EventSourceArn["Fn::GetAtt"][0] === queueId);

    expect(mappings.map(([, m]) => m.Properties)).toEqual([
      expect.objectContaining({
        FunctionName: { Ref: functionNamed("link")[0] },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 0,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      }),
    ]);
  });

  it("alarms on its DLQ as soon as one message waits there", () => {
    const [dlqId] = queueNamed("link-requests-dlq");
    const [topicId] = resources("AWS::SNS::Topic").find(([, t]) => t.Properties.DisplayName === "Tributary alerts")!;

    const alarm = resources("AWS::CloudWatch::Alarm").find(([, a]) => a.Properties.Dimensions?.[0]?.Value?.["Fn::GetAtt"]?.[0] === dlqId);

    expect(alarm?.[1].Properties).toMatchObject({
      MetricName: "ApproximateNumberOfMessagesVisible",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [{ Ref: topicId }],
    });
  });
});

describe("the record-ingested rule", () => {
  const ruleTargeting = (queueId: string) =>
    resources("AWS::Events::Rule").filter(([, r]) => (r.Properties.Targets ?? []).some((t: any) => t.Arn["Fn::GetAtt"]?.[0] === queueId));

  it("matches record.ingested from tributary on the tributary bus and delivers to link-requests, parking failures in its DLQ", () => {
    // Prepare
    const [busId] = resources("AWS::Events::EventBus").find(([, b]) => b.Properties.Name === "test-tributary-tributary")!;
    const [queueId] = queueNamed("link-requests");
    const [dlqId] = queueNamed("link-requests-dlq");

    // Act
    const rules = ruleTargeting(queueId);

    // Assess
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.Properties.EventBusName).toEqual({ Ref: busId });
    expect(rule.Properties.EventPattern).toEqual({ source: ["tributary"], "detail-type": ["record.ingested"] });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: arnOf(queueId),
        DeadLetterConfig: { Arn: arnOf(dlqId) },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      }),
    ]);
  });

  it("is the only sender the link-requests queue policy allows", () => {
    const [queueId] = queueNamed("link-requests");
    const [ruleId] = ruleTargeting(queueId)[0]!;
    const [, policy] = resources("AWS::SQS::QueuePolicy").find(([, p]) => p.Properties.Queues.some((q: any) => q.Ref === queueId))!;

    const allows = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === "Allow");

    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: arnOf(queueId),
        Condition: { ArnEquals: { "aws:SourceArn": arnOf(ruleId) } },
      }),
    ]);
  });
});

describe("the link function", () => {
  it("reads only bronze/ and restricted/bronze/ of the lake, and writes nothing there", () => {
    // Prepare
    const statements = statementsOf("link");

    // Act
    const s3 = withActionPrefix(statements, "s3:");
    const objectStatements = s3.filter((s) => !asList(s.Action).includes("s3:ListBucket"));
    const lakeKey = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(lakeKeyArn));

    // Assess
    expect(actionsOf(s3)).toEqual(["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]);
    expect(actionsOf(objectStatements)).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(sorted(resourcesOf(objectStatements))).toEqual(sorted(READ_PREFIXES.map((p) => ({ "Fn::Join": ["", [lakeBucketArn, `/${p}*`]] }))));
    expect(s3.find((s) => asList(s.Action).includes("s3:ListBucket"))).toMatchObject({
      Resource: lakeBucketArn,
      Condition: { StringLike: { "s3:prefix": ["bronze/*", "restricted/bronze/*"] } },
    });
    // Decrypting what it reads, through S3 only; no data keys, since it writes no object.
    expect(lakeKey).toEqual([
      expect.objectContaining({ Action: "kms:Decrypt", Condition: { StringEquals: { "kms:ViaService": `s3.${TEST_REGION}.amazonaws.com` } } }),
    ]);
  });

  it("reads and writes exactly the two link tables, and sends nothing to any queue or bus", () => {
    const statements = statementsOf("link");

    const dynamo = withActionPrefix(statements, "dynamodb:");

    expect(actionsOf(dynamo)).toEqual([...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS].sort());
    expect(sorted(resourcesOf(dynamo))).toEqual(sorted(LINK_TABLES.map((t) => arnOf(tableNamed(t)[0]))));
    for (const table of LINK_TABLES) {
      const onTable = dynamo.filter((s) => asList(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(arnOf(tableNamed(table)[0]))));
      expect(actionsOf(onTable), table).toEqual([...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS].sort());
    }
    expect(actionsOf(statements).filter((a) => a === "sqs:SendMessage" || a.startsWith("events:"))).toEqual([]);
  });

  it("consumes only link-requests and reads only the LINK_HASH_KEY secret", () => {
    const statements = statementsOf("link");

    const sqs = withActionPrefix(statements, "sqs:");

    expect(sorted(resourcesOf(sqs))).toEqual(sorted([arnOf(queueNamed("link-requests")[0])]));
    expect(ssmParametersOf("link")).toMatch(/\/Secret\/LINK_HASH_KEY\//);
    expect(ssmParametersOf("link")).not.toMatch(/\/Secret\/(?!LINK_HASH_KEY\/)/);
  });
});

describe("report-api", () => {
  it("reads the two link tables with read-only actions", () => {
    const statements = statementsOf("report-api");

    const dynamo = withActionPrefix(statements, "dynamodb:");

    expect(actionsOf(dynamo)).toEqual(TABLE_READ_ACTIONS);
    expect(actionsOf(dynamo)).toEqual(expect.arrayContaining(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]));
    expect(sorted(resourcesOf(dynamo))).toEqual(sorted(LINK_TABLES.map((t) => arnOf(tableNamed(t)[0]))));
  });

  it("may write, send or encrypt nothing anywhere, has no lake access and reads only API_KEYS", () => {
    const statements = statementsOf("report-api");

    const actions = actionsOf(statements);

    expect(actions.filter((a) => WRITE_ACTION.test(a) || a.includes("*"))).toEqual([]);
    expect(actions.filter((a) => a.startsWith("s3:"))).toEqual([]);
    expect(statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(lakeKeyArn))).toEqual([]);
    expect(actionsOf(withActionPrefix(statements, "kms:"))).toEqual(["kms:Decrypt", "kms:DescribeKey"]);
    expect(ssmParametersOf("report-api")).toMatch(/\/Secret\/API_KEYS\//);
    expect(ssmParametersOf("report-api")).not.toMatch(/\/Secret\/(?!API_KEYS\/)/);
  });

  it("gives neither new function a wildcard action, nor Resource * beyond X-Ray", () => {
    for (const name of ["link", "report-api"]) {
      const statements = statementsOf(name);

      expect(actionsOf(statements).filter((a) => a.includes("*")), name).toEqual([]);
      expect(statements.filter((s) => asList(s.Resource).includes("*")).map((s) => s.Action), name).toEqual([["xray:PutTraceSegments", "xray:PutTelemetryRecords"]]);
    }
  });
});

describe("report routes and the JWT authorizer", () => {
  const routesOf = (template: Template) => resourcesIn(template, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties);

  it("puts no authorizer on any route when the config sets no realtime.jwt", () => {
    const routes = routesOf(plain.templates.Ingest);

    expect(routes.map((r) => r.RouteKey)).toEqual(expect.arrayContaining(REPORT_ROUTES));
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType, r.AuthorizerId])).toEqual(routes.map((r) => [r.RouteKey, "NONE", undefined]));
    expect(resourcesIn(plain.templates.Ingest, "AWS::ApiGatewayV2::Authorizer")).toEqual([]);
  });

  it("puts a JWT authorizer with the configured issuer and audience on the two report routes only, when realtime.jwt is set", () => {
    // Prepare
    const template = withJwt.templates.Ingest;

    // Act
    const authorizers = resourcesIn(template, "AWS::ApiGatewayV2::Authorizer");
    const routes = routesOf(template);

    // Assess
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: { Issuer: JWT.issuer, Audience: JWT.audience },
    });
    const guarded = routes.filter((r) => r.AuthorizationType === "JWT");
    expect(guarded.map((r) => r.RouteKey).sort()).toEqual([...REPORT_ROUTES].sort());
    for (const route of guarded) expect(route.AuthorizerId).toEqual({ Ref: authorizerId });
    const open = routes.filter((r) => !REPORT_ROUTES.includes(r.RouteKey));
    expect(open.length).toBeGreaterThan(0);
    for (const route of open) expect([route.RouteKey, route.AuthorizationType, route.AuthorizerId]).toEqual([route.RouteKey, "NONE", undefined]);
  });

  it("hands report-api API Gateway's v2 payload, where the handler reads the verified claims", () => {
    const template = withJwt.templates.Ingest;
    const [reportApiId] = resourcesIn(template, "AWS::Lambda::Function").find(([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === "report-api")!;

    const integrations = resourcesIn(template, "AWS::ApiGatewayV2::Integration").filter(([, i]) => i.Properties.IntegrationUri?.["Fn::GetAtt"]?.[0] === reportApiId);

    expect(integrations.length).toBeGreaterThan(0);
    for (const [, integration] of integrations) expect(integration.Properties.PayloadFormatVersion).toBe("2.0");
  });

  it("fails synth when realtime.jwt is set but no report route is wired to carry the authorizer", () => {
    const config = parseConfig(JWT_CONFIG);
    const withoutReports = wiring(config, { lakeBucket: "lake" }).functions.filter((f) => f.name !== "report-api");

    expect(() => jwtAuthorizerFor(config, withoutReports)).toThrow(StackWiringError);
    expect(() => jwtAuthorizerFor(config, withoutReports)).toThrow(/realtime\.jwt is configured \(issuer https:\/\/auth\.example\.com\/\)/);
  });
});

describe("cdk-nag", () => {
  it("finds nothing unsuppressed in the stacks, with and without the JWT authorizer", () => {
    const none = { Lake: [], Ingest: [], Catalog: [], Medallion: [], Operations: [] };
    expect(plain.nagFindings).toEqual(none);
    expect(withJwt.nagFindings).toEqual(none);
  });
});
