/**
 * The Ingest stack against the wiring it is built from: every expectation is derived from `wiring(config)`,
 * so these tests follow the wiring as it grows, and fail when the stack stops following it.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@tributary/core/config";
import { BUS_NAME, wiring, type FunctionDecl, type Wiring } from "@tributary/core/wiring";
import { AWS_ENV } from "../../packages/core/src/platform/aws-env";
import { API_ACCESS_LOG_RETENTION, API_THROTTLE } from "../../stacks/ingest/api";
import { DEAD_LETTER_RETENTION_DAYS } from "../../stacks/ingest/queues";
import { FUNCTION_LOG_RETENTION, LAMBDA_ARCHITECTURE } from "../../stacks/shared/function-defaults";
import shippedConfig from "../../tributary.config";
import { importOf, lakeExports, removeSynthOutput, synthesize, TEST_REGION, type Synthesized } from "./synth";

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: unknown };

let synthesized: Synthesized;
let ingest: Template;
let lake: Template;
let wired: Wiring;
/** How Ingest refers to the lake bucket's name and ARN: imports of the Lake stack's exports. */
let lakeBucketName: unknown;
let lakeBucketArn: unknown;

beforeAll(async () => {
  synthesized = await synthesize();
  ({ Ingest: ingest, Lake: lake } = synthesized.templates);
  const exports = lakeExports(lake);
  lakeBucketName = importOf(exports.bucketName);
  lakeBucketArn = importOf(exports.bucketArn);
  wired = wiring(parseConfig(shippedConfig), { lakeBucket: lakeBucketName as string });
});
afterAll(removeSynthOutput);

const resources = (type: string): [string, Resource][] => Object.entries(ingest.findResources(type)) as [string, Resource][];
const functionOf = (decl: FunctionDecl) => {
  const found = resources("AWS::Lambda::Function").find(([, r]) => r.Properties.Description === decl.description);
  expect(found, `Lambda for ${decl.name}`).toBeDefined();
  return found!;
};
const queueNamed = (name: string) => {
  const found = resources("AWS::SQS::Queue").find(([, r]) => r.Properties.QueueName === `test-tributary-${name}`);
  expect(found, `queue ${name}`).toBeDefined();
  return found!;
};
/** Every statement of every inline policy attached to the function's role. */
const statementsOf = (decl: FunctionDecl): any[] => {
  const role = functionOf(decl)[1].Properties.Role["Fn::GetAtt"][0];
  return resources("AWS::IAM::Policy")
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
};
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const lakeObjects = (prefix: string) => ({ "Fn::Join": ["", [lakeBucketArn, `/${prefix}*`]] });

describe("Ingest stack: queues", () => {
  it("builds every wiring queue KMS-encrypted, with its timeouts and a dead-letter queue", () => {
    for (const decl of wired.queues) {
      const [, queue] = queueNamed(decl.name);
      const [dlqId, dlq] = queueNamed(`${decl.name}-dlq`);

      expect(queue.Properties).toMatchObject({
        VisibilityTimeout: decl.visibilityTimeoutSeconds,
        MessageRetentionPeriod: decl.retentionDays * 86_400,
        KmsMasterKeyId: { "Fn::GetAtt": [expect.any(String), "Arn"] },
        RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [dlqId, "Arn"] }, maxReceiveCount: decl.maxReceiveCount },
      });
      expect(dlq.Properties).toMatchObject({
        KmsMasterKeyId: queue.Properties.KmsMasterKeyId,
        MessageRetentionPeriod: DEAD_LETTER_RETENTION_DAYS * 86_400,
      });
    }
  });

  it("denies non-TLS access to every queue", () => {
    const queueIds = resources("AWS::SQS::Queue").map(([id]) => id);
    for (const id of queueIds) {
      const [, policy] = resources("AWS::SQS::QueuePolicy").find(([, p]) => p.Properties.Queues.some((q: any) => q.Ref === id))!;

      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Action: "sqs:*", Principal: { AWS: "*" }, Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
    }
    expect(queueIds).toHaveLength(wired.queues.length * 2);
  });
});

describe("Ingest stack: functions", () => {
  it("builds every wiring function on nodejs22.x with its handler, limits, tracing and encrypted log group", () => {
    for (const decl of wired.functions) {
      const [, fn] = functionOf(decl);
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;

      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: [LAMBDA_ARCHITECTURE],
        Handler: decl.handler,
        Timeout: decl.timeoutSeconds,
        MemorySize: decl.memoryMb,
        TracingConfig: { Mode: "Active" },
      });
      expect(ingest.findResources("AWS::Logs::LogGroup")[logGroupId]!.Properties).toMatchObject({
        RetentionInDays: FUNCTION_LOG_RETENTION,
        KmsKeyId: { "Fn::GetAtt": [expect.any(String), "Arn"] },
      });
    }
    expect(resources("AWS::Lambda::Function").filter(([, r]) => r.Properties.Handler !== "index.handler")).toHaveLength(wired.functions.length);
  });

  it("tells every function where its resources are, under the names in AWS_ENV", () => {
    const expectedNames = [AWS_ENV.stage, AWS_ENV.lakeBucket, AWS_ENV.busName, ...wired.queues.map((q) => AWS_ENV.queueUrl(q.name)), ...wired.tables.map((t) => AWS_ENV.tableName(t.name))];
    for (const decl of wired.functions) {
      const env = functionOf(decl)[1].Properties.Environment.Variables;

      expect(Object.keys(env)).toEqual(expect.arrayContaining(expectedNames));
      expect(env[AWS_ENV.stage]).toBe("test");
      expect(env[AWS_ENV.lakeBucket]).toEqual(lakeBucketName);
    }
  });

  it("gives no function a wildcard action, and Resource * only to X-Ray (which has no resource-level permissions)", () => {
    const statements = [...Object.values(ingest.findResources("AWS::IAM::Policy")), ...Object.values(lake.findResources("AWS::IAM::Policy"))].flatMap(
      (p: any) => p.Properties.PolicyDocument.Statement,
    );

    expect(statements.flatMap((s) => asList(s.Action)).filter((a: string) => a.includes("*"))).toEqual([]);
    expect(statements.filter((s) => asList(s.Resource).includes("*")).map((s) => s.Action)).toEqual(
      wired.functions.map(() => ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]),
    );
  });

  it("scopes lake access to exactly the prefixes each function declares", () => {
    for (const decl of wired.functions) {
      const statements = statementsOf(decl);
      const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
      const lakeResources = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith("s3:"))).flatMap((s) => asList(s.Resource));
      const declared = [...decl.lake.read, ...decl.lake.write];

      expect(lakeResources).toEqual(
        expect.arrayContaining([...decl.lake.read.map(lakeObjects), ...decl.lake.write.map(lakeObjects), ...(declared.length ? [lakeBucketArn] : [])]),
      );
      expect(new Set(lakeResources.map((r) => JSON.stringify(r))).size).toBe(new Set(declared).size + (declared.length ? 1 : 0));
      if (decl.lake.read.length) expect(asList(bySid("LakeRead").Resource)).toEqual(decl.lake.read.map(lakeObjects));
      if (decl.lake.write.length) {
        expect(asList(bySid("LakeWrite").Resource)).toEqual(decl.lake.write.map(lakeObjects));
        expect(bySid("LakeWrite").Action).toContain("s3:PutObject");
      }
      if (declared.length) {
        expect(bySid("LakeListDeclaredPrefixes").Condition).toEqual({ StringLike: { "s3:prefix": [...new Set(declared)].map((p) => `${p}*`) } });
        expect(bySid("LakeKeyViaS3").Condition).toEqual({ StringEquals: { "kms:ViaService": `s3.${TEST_REGION}.amazonaws.com` } });
      } else {
        expect(bySid("LakeKeyViaS3")).toBeUndefined();
      }
    }
  });

  it("lets file-ingest delete only its own bronze and quarantine chunks (cleanup of a failed or retried file), never landing files or manifests", () => {
    const decl = wired.functions.find((f) => f.name === "file-ingest")!;
    const del = statementsOf(decl).find((s) => s.Sid === "LakeDelete");

    expect(del.Action).toBe("s3:DeleteObject");
    expect(asList(del.Resource)).toEqual(["bronze/files/", "quarantine/files/", "restricted/bronze/files/", "restricted/quarantine/files/"].map(lakeObjects));
    expect(JSON.stringify(del.Resource)).not.toMatch(/landing|manifests/);
  });

  it("lets a function send only to the queues, bus and tables its wiring names", () => {
    for (const decl of wired.functions) {
      const statements = statementsOf(decl);
      const resourcesFor = (action: string) => statements.filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource));

      expect(resourcesFor("sqs:SendMessage")).toEqual(decl.sendsTo.map((q) => ({ "Fn::GetAtt": [queueNamed(q)[0], "Arn"] })));
      expect(resourcesFor("events:PutEvents")).toHaveLength(decl.putsEvents ? 1 : 0);
      expect(resourcesFor("dynamodb:GetItem")).toHaveLength(decl.tables.length);
      expect(resourcesFor("dynamodb:PutItem")).toHaveLength(decl.tables.filter((t) => t.access === "readwrite").length);
    }
  });

  it("lets a function read only the secrets its wiring names", () => {
    const all = [...new Set(wired.functions.flatMap((f) => f.secrets))];
    expect(all.length).toBeGreaterThan(0);
    for (const decl of wired.functions) {
      const ssm = JSON.stringify(statementsOf(decl).filter((s) => asList(s.Action).some((a: string) => a.startsWith("ssm:"))));
      for (const name of all) {
        // SST secrets are SSM parameters under /sst/<app>/<stage>/Secret/<NAME>/…
        expect(ssm.includes(`/Secret/${name}/`), `${decl.name} reading ${name}`).toBe(decl.secrets.includes(name));
      }
    }
  });
});

describe("Ingest stack: triggers", () => {
  it("maps every queue trigger to an event source mapping with its batch settings and partial batch responses", () => {
    const mappings = resources("AWS::Lambda::EventSourceMapping");
    const expected = wired.functions.flatMap((decl) => decl.triggers.flatMap((t) => (t.kind === "queue" ? [{ decl, t }] : [])));

    for (const { decl, t } of expected) {
      expect(mappings.map(([, m]) => m.Properties)).toContainEqual(
        expect.objectContaining({
          FunctionName: { Ref: functionOf(decl)[0] },
          EventSourceArn: { "Fn::GetAtt": [queueNamed(t.queue)[0], "Arn"] },
          BatchSize: t.batchSize,
          MaximumBatchingWindowInSeconds: t.batchWindowSeconds,
          FunctionResponseTypes: ["ReportBatchItemFailures"],
        }),
      );
    }
    expect(mappings).toHaveLength(expected.length);
  });

  it("routes every http trigger through the throttled, access-logged HTTP API", () => {
    const routes = resources("AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties.RouteKey);
    const [, stage] = resources("AWS::ApiGatewayV2::Stage")[0]!;
    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn["Fn::GetAtt"][0];

    expect(routes.sort()).toEqual(
      wired.functions.flatMap((f) => f.triggers.flatMap((t) => (t.kind === "http" ? [`${t.method} ${t.path}`] : []))).sort(),
    );
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: API_THROTTLE.burst, ThrottlingRateLimit: API_THROTTLE.rate });
    expect(stage.Properties.AccessLogSettings.Format).toContain('"requestId":"$context.requestId"');
    expect(stage.Properties.AccessLogSettings.Format).toContain('"ip":"$context.identity.sourceIp"');
    expect(ingest.findResources("AWS::Logs::LogGroup")[logGroupId]!.Properties).toMatchObject({
      RetentionInDays: API_ACCESS_LOG_RETENTION,
      KmsKeyId: { "Fn::GetAtt": [expect.any(String), "Arn"] },
    });
    expect(resources("AWS::ApiGatewayV2::Api")[0]![1].Properties.CorsConfiguration).toBeUndefined();
  });

  it("routes each wired rule's events from its bus (S3's on the default one) to the wired queue, and only from that rule", () => {
    const [busId] = resources("AWS::Events::EventBus")[0]!;
    expect(new Set(wired.rules.map((r) => r.bus))).toEqual(new Set(["default", "tributary"]));
    for (const rule of wired.rules) {
      const [ruleId, built] = resources("AWS::Events::Rule").find(([, r]) => r.Properties.Description?.includes(`rule ${rule.name} `))!;
      const [queueId] = queueNamed(rule.targetQueue);
      const [, queuePolicy] = resources("AWS::SQS::QueuePolicy").find(([, p]) => p.Properties.Queues[0].Ref === queueId)!;

      expect(built.Properties.EventPattern).toEqual(rule.pattern);
      expect(built.Properties.EventBusName).toEqual(rule.bus === "default" ? "default" : { Ref: busId });
      const [dlqId] = queueNamed(`${rule.targetQueue}-dlq`);
      expect(built.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { "Fn::GetAtt": [queueId, "Arn"] },
          // Undeliverable events are parked in the queue's DLQ, never dropped after EventBridge's retries.
          DeadLetterConfig: { Arn: { "Fn::GetAtt": [dlqId, "Arn"] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        }),
      ]);
      expect(queuePolicy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Condition: { ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": [ruleId, "Arn"] } } },
        }),
      );
    }
    const landing = wired.rules.find((r) => r.name === "landing-object-created")!;
    expect(landing.pattern).toMatchObject({ detail: { bucket: { name: [lakeBucketName] }, object: { key: [{ prefix: "landing/" }] } } });
  });
});

describe("Ingest stack: tables, bus and keys", () => {
  it("builds every wiring table on demand, encrypted with a customer-managed key, with point-in-time recovery", () => {
    for (const decl of wired.tables) {
      const [, table] = resources("AWS::DynamoDB::Table").find(([, t]) => t.Properties.TableName === `test-tributary-${decl.name}`)!;

      expect(table.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: decl.partitionKey, KeyType: "HASH" }, ...(decl.sortKey ? [{ AttributeName: decl.sortKey, KeyType: "RANGE" }] : [])],
        SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: { "Fn::GetAtt": [expect.any(String), "Arn"] } },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      expect(table.Properties.TimeToLiveSpecification).toEqual(decl.ttlAttribute ? { AttributeName: decl.ttlAttribute, Enabled: true } : undefined);
    }
  });

  it("creates the tributary bus", () => {
    expect(resources("AWS::Events::EventBus").map(([, b]) => b.Properties.Name)).toEqual([`test-tributary-${BUS_NAME}`]);
  });

  it("rotates every key", () => {
    for (const [, key] of resources("AWS::KMS::Key")) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it("passes cdk-nag's AwsSolutions checks with no unsuppressed finding", () => {
    expect(synthesized.nagFindings.Ingest).toEqual([]);
  });
});

describe("Ingest stack: follows the config", () => {
  it("lets file ingestion read the landing prefix of a feed added to the config", async () => {
    // Prepare
    const config = structuredClone(shippedConfig) as any;
    config.feeds.push({ ...config.feeds[0], name: "partner_returns", description: "a second partner feed" });
    const decl = wiring(parseConfig(config), { lakeBucket: "lake" }).functions.find((f) => f.name === "file-ingest")!;

    // Act
    const { Ingest } = (await synthesize(config, { bundle: false })).templates;

    // Assess
    const role = Object.entries(Ingest.findResources("AWS::Lambda::Function")).find(([, r]) => r.Properties.Description === decl.description)![1]
      .Properties.Role["Fn::GetAtt"][0];
    const read = Object.values(Ingest.findResources("AWS::IAM::Policy"))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .find((st: any) => st.Sid === "LakeRead");
    expect(decl.lake.read).toContain("landing/partner_returns/");
    expect(read.Resource).toEqual(decl.lake.read.map(lakeObjects));
  });
});

describe("Ingest stack: alarms", () => {
  it("alarms on every dead-letter queue as soon as one message waits, into an encrypted TLS-only topic", () => {
    const alarms = resources("AWS::CloudWatch::Alarm");
    const [topicId, topic] = resources("AWS::SNS::Topic")[0]!;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const [, topicPolicy] = resources("AWS::SNS::TopicPolicy").find(([, p]) => JSON.stringify(p.Properties.Topics).includes(topicId))!;
    expect(topicPolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    for (const decl of wired.queues) {
      const [dlqId] = queueNamed(`${decl.name}-dlq`);
      const alarm = alarms.find(([, a]) => a.Properties.Dimensions?.[0]?.Value?.["Fn::GetAtt"]?.[0] === dlqId);
      expect(alarm, `alarm for ${decl.name}-dlq`).toBeDefined();
      expect(alarm![1].Properties).toMatchObject({
        MetricName: "ApproximateNumberOfMessagesVisible",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [{ Ref: topicId }],
      });
    }
  });

  it("sends every alarm of the stack to the one alerts topic, with a description for the operator", () => {
    const topics = resources("AWS::SNS::Topic");
    const alarms = resources("AWS::CloudWatch::Alarm");

    expect(topics).toHaveLength(1);
    expect(alarms.length).toBeGreaterThan(wired.queues.length);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topics[0]![0] }]);
      expect(String(alarm.Properties.AlarmDescription ?? "").length, `${id} description`).toBeGreaterThan(40);
    }
  });
});
