/**
 * CDC on AWS, as the Ingest stack builds it for the shipped config (one SQL Server source, `backend`): the
 * `cdc_offsets` table, the cdc-poll function with exactly the access it needs, its schedule, and the alarms —
 * which must name exactly the metrics the handler really emits, so one test runs the handler and compares.
 * Expected values are written out here, not derived from the wiring, so a wiring change that widens access fails.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byName, captureMetricOutput, emittedMetrics } from "../support/emf";
import { startTestPlatform } from "../support/platform";
import { importOf, lakeExports, removeSynthOutput, synthesize, TEST_ACCOUNT, TEST_REGION, type Synthesized } from "./synth";

type Resource = { Type: string; Properties: Record<string, any> };

const SOURCE = "backend";
const TABLES = ["customers", "orders"];
const SECRET = "BACKEND_SQLSERVER_URL";
const WRITE_PREFIXES = ["bronze/backend/", "quarantine/backend/", "restricted/bronze/backend/", "restricted/quarantine/backend/"];

let synthesized: Synthesized;
let ingest: Template;
/** How Ingest refers to the Lake stack's bucket ARN and key ARN: imports of its exports. */
let lakeBucketArn: unknown;
let lakeKeyArn: unknown;

beforeAll(async () => {
  synthesized = await synthesize();
  ingest = synthesized.templates.Ingest;
  const lake = lakeExports(synthesized.templates.Lake);
  lakeBucketArn = importOf(lake.bucketArn);
  lakeKeyArn = importOf(lake.keyArn);
});
afterAll(removeSynthOutput);

const resources = (type: string): [string, Resource][] => Object.entries(ingest.findResources(type)) as [string, Resource][];
const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const tableNamed = (name: string) => resources("AWS::DynamoDB::Table").find(([, t]) => t.Properties.TableName === `test-tributary-${name}`)!;
const poller = () => resources("AWS::Lambda::Function").find(([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === "cdc-poll")!;
/** Every statement of every policy on the poller's role (and the role's own settings). */
const pollerAccess = () => {
  const roleId = poller()[1].Properties.Role["Fn::GetAtt"][0];
  const statements = resources("AWS::IAM::Policy")
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
  return { role: ingest.findResources("AWS::IAM::Role")[roleId]!, statements };
};
const resourcesAllowed = (statements: any[], actionPrefix: string) =>
  statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith(actionPrefix))).flatMap((s) => asList(s.Resource));
const alarmsOn = (metricName: string) => resources("AWS::CloudWatch::Alarm").filter(([, a]) => a.Properties.MetricName === metricName);
/** Dimensions in code-point order of their names, as CDK renders them ("Source" < "Table" < "service"). */
const alertsTopic = () => resources("AWS::SNS::Topic").find(([, t]) => t.Properties.DisplayName === "Tributary alerts")!;

describe("CDC stack: the cdc_offsets table", () => {
  it("is on demand, encrypted with the stack's rotating table key, with point-in-time recovery, like the other tables", () => {
    // Prepare
    const [, offsets] = tableNamed("cdc_offsets");
    const [, ledger] = tableNamed("ingest_ledger");

    // Act
    const keyId = offsets.Properties.SSESpecification.KMSMasterKeyId["Fn::GetAtt"][0];
    const [, alias] = resources("AWS::KMS::Alias").find(([, a]) => a.Properties.TargetKeyId?.["Fn::GetAtt"]?.[0] === keyId)!;

    // Assess
    expect(offsets.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: arnOf(keyId) },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(ledger.Properties.SSESpecification.KMSMasterKeyId).toEqual(arnOf(keyId));
    expect(alias.Properties.AliasName).toBe("alias/tributary/test/tables");
    expect(ingest.findResources("AWS::KMS::Key")[keyId]!.Properties.EnableKeyRotation).toBe(true);
  });
});

describe("CDC stack: the cdc-poll function", () => {
  it("runs on nodejs22.x for up to 300 s with active tracing", () => {
    expect(poller()[1].Properties).toMatchObject({ Handler: "packages/functions/src/cdc-poll.handler", Runtime: "nodejs22.x", Timeout: 300, TracingConfig: { Mode: "Active" } });
  });

  it("may read and write the cdc_offsets table and no other, through the table key only via DynamoDB", () => {
    const { statements } = pollerAccess();
    const [offsetsId] = tableNamed("cdc_offsets");
    const tableKeyId = tableNamed("cdc_offsets")[1].Properties.SSESpecification.KMSMasterKeyId["Fn::GetAtt"][0];

    expect(resourcesAllowed(statements, "dynamodb:")).toEqual([arnOf(offsetsId)]);
    expect(statements.find((s) => asList(s.Action).includes("dynamodb:PutItem")).Action).toEqual(
      expect.arrayContaining(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
    );
    expect(statements.find((s) => s.Sid === "TableKeyViaDynamoDb")).toMatchObject({
      Resource: arnOf(tableKeyId),
      Condition: { StringEquals: { "kms:ViaService": `dynamodb.${TEST_REGION}.amazonaws.com` } },
    });
  });

  it("may write only its source's bronze and quarantine prefixes (plain and restricted), and read nothing else in the lake", () => {
    const { statements } = pollerAccess();
    const objects = WRITE_PREFIXES.map((p) => ({ "Fn::Join": ["", [lakeBucketArn, `/${p}*`]] }));

    expect(statements.find((s) => s.Sid === "LakeWrite")).toMatchObject({
      Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", "s3:GetObjectVersion"],
      Resource: objects,
    });
    expect(statements.find((s) => s.Sid === "LakeRead")).toBeUndefined();
    expect(statements.find((s) => s.Sid === "LakeListDeclaredPrefixes")).toMatchObject({
      Action: "s3:ListBucket",
      Resource: lakeBucketArn,
      Condition: { StringLike: { "s3:prefix": WRITE_PREFIXES.map((p) => `${p}*`) } },
    });
    expect(resourcesAllowed(statements, "s3:")).toEqual([...objects, lakeBucketArn]);
    expect(statements.find((s) => s.Sid === "LakeKeyViaS3")).toMatchObject({
      Resource: lakeKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${TEST_REGION}.amazonaws.com` } },
    });
  });

  it("may put events on the tributary bus and send to no queue", () => {
    const { statements } = pollerAccess();
    const [busId] = resources("AWS::Events::EventBus").find(([, b]) => b.Properties.Name === "test-tributary-tributary")!;

    expect(resourcesAllowed(statements, "events:")).toEqual([arnOf(busId)]);
    expect(resourcesAllowed(statements, "sqs:")).toEqual([]);
  });

  it(`is bound to the ${SECRET} SST secret and no other`, () => {
    const { statements } = pollerAccess();
    const env = poller()[1].Properties.Environment.Variables as Record<string, unknown>;
    const ssm = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith("ssm:")));
    const parameters = ssm.flatMap((s) => asList(s.Resource)).map((r) => JSON.stringify(r));

    expect(Object.keys(env).filter((k) => k.startsWith("SST_Secret_"))).toEqual([`SST_Secret_value_${SECRET}`]);
    expect(ssm.map((s) => s.Action)).toEqual(["ssm:GetParameters"]);
    expect(parameters).toEqual([
      expect.stringContaining(`:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/sst/tributary/test/Secret/${SECRET}/value`),
      expect.stringContaining(`:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/sst/tributary/.fallback/Secret/${SECRET}/value`),
    ]);
  });

  it("has no permission beyond its logs, X-Ray, the lake prefixes, the bus, its table and its secret", () => {
    const { role, statements } = pollerAccess();

    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(new Set(statements.flatMap((s) => asList(s.Action)))).toEqual(
      new Set([
        "logs:CreateLogStream", "logs:PutLogEvents",
        "xray:PutTraceSegments", "xray:PutTelemetryRecords",
        "s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket",
        "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:Encrypt",
        "events:PutEvents",
        "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
        "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
        "ssm:GetParameters",
      ]),
    );
    expect(statements.filter((s) => s.Effect !== "Allow")).toEqual([]);
  });
});

describe("CDC stack: the schedule", () => {
  it(`invokes cdc-poll every minute with exactly {"source":"${SOURCE}"}, and only that rule may invoke it`, () => {
    const [fnId] = poller();
    const rules = resources("AWS::Events::Rule").filter(([, r]) => r.Properties.Targets.some((t: any) => t.Arn["Fn::GetAtt"]?.[0] === fnId));
    const permissions = resources("AWS::Lambda::Permission").filter(([, p]) => p.Properties.FunctionName["Fn::GetAtt"]?.[0] === fnId);

    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0]!;
    expect(rule.Properties).toMatchObject({ ScheduleExpression: "rate(1 minute)", State: "ENABLED", Description: `Wiring: cdc-poll <- schedule cdc-poll-${SOURCE}` });
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.Targets).toEqual([{ Arn: arnOf(fnId), Id: expect.any(String), Input: `{"source":"${SOURCE}"}` }]);
    expect(permissions.map(([, p]) => p.Properties)).toEqual([
      { Action: "lambda:InvokeFunction", FunctionName: arnOf(fnId), Principal: "events.amazonaws.com", SourceArn: arnOf(ruleId) },
    ]);
  });
});

describe("CDC stack: alarms", () => {
  const cdcDimensions = (table: string) => [
    { Name: "Source", Value: SOURCE },
    { Name: "Table", Value: table },
    { Name: "service", Value: "cdc-poll" },
  ];
  const dimensionsOf = (alarm: Resource) => [...alarm.Properties.Dimensions].sort(byName);

  it("alarms when a table's lag stays above 15 minutes for 15 minutes, or is not reported, into the alerts topic", () => {
    const [topicId] = alertsTopic();
    const alarms = alarmsOn("CdcLagSeconds");

    expect(alarms).toHaveLength(TABLES.length);
    for (const table of TABLES) {
      const [, alarm] = alarms.find(([, a]) => a.Properties.Dimensions.some((d: any) => d.Name === "Table" && d.Value === table))!;
      expect(dimensionsOf(alarm)).toEqual(cdcDimensions(table));
      expect(alarm.Properties).toMatchObject({
        Namespace: "tributary",
        Statistic: "Maximum",
        Period: 300,
        Threshold: 900,
        ComparisonOperator: "GreaterThanThreshold",
        EvaluationPeriods: 3,
        TreatMissingData: "breaching",
        AlarmActions: [{ Ref: topicId }],
      });
      expect(alarm.Properties.AlarmDescription).toContain(`${SOURCE}.${table}`);
      expect(alarm.Properties.AlarmDescription).toContain("`tributary cdc status`");
    }
  });

  it("alarms on any retention gap of a table, telling the operator which snapshot to take", () => {
    const [topicId] = alertsTopic();
    const alarms = alarmsOn("CdcRetentionGap");

    expect(alarms).toHaveLength(TABLES.length);
    for (const table of TABLES) {
      const [, alarm] = alarms.find(([, a]) => a.Properties.Dimensions.some((d: any) => d.Name === "Table" && d.Value === table))!;
      expect(dimensionsOf(alarm)).toEqual(cdcDimensions(table));
      expect(alarm.Properties).toMatchObject({
        Namespace: "tributary",
        Statistic: "Sum",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        EvaluationPeriods: 1,
        TreatMissingData: "notBreaching",
        AlarmActions: [{ Ref: topicId }],
      });
      // The shipped source fails on a gap (onRetentionGap defaults to "fail"), so the fix is a snapshot.
      expect(alarm.Properties.AlarmDescription).toContain(`\`tributary snapshot ${SOURCE} --tables ${table}\``);
    }
  });

  it("alarms on any cdc-poll error, pointing at the connection secret", () => {
    const [fnId] = poller();
    const [topicId] = alertsTopic();
    const alarms = alarmsOn("Errors").filter(([, a]) => a.Properties.Dimensions[0].Value.Ref === fnId);

    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({
      Namespace: "AWS/Lambda",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: fnId } }],
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      EvaluationPeriods: 1,
      TreatMissingData: "notBreaching",
      AlarmActions: [{ Ref: topicId }],
    });
    expect(alarms[0]![1].Properties.AlarmDescription).toContain(SECRET);
  });

  it("names exactly the namespace, metric and dimensions the cdc-poll handler emits", async () => {
    // Prepare, Act: the local platform runs the real handler; its EMF lines are what CloudWatch would ingest.
    const written = await captureMetricOutput(async () => {
      const platform = await startTestPlatform();
      try {
        await platform.runSchedule(`cdc-poll-${SOURCE}`);
      } finally {
        await platform.dispose();
      }
    });

    // Assess: every alarm on a Tributary metric matches one metric the handler emitted, dimension for dimension.
    const emitted = emittedMetrics(written);
    const alarmed = resources("AWS::CloudWatch::Alarm")
      .filter(([, a]) => a.Properties.Namespace === "tributary" && /^Cdc/.test(a.Properties.MetricName))
      .map(([, a]) => ({ Namespace: a.Properties.Namespace, MetricName: a.Properties.MetricName, Dimensions: dimensionsOf(a) }));
    expect(alarmed).toHaveLength(TABLES.length * 2);
    for (const alarm of alarmed) expect(emitted).toContainEqual(alarm);
  });

  it("leaves cdk-nag's AwsSolutions checks with no unsuppressed finding", () => {
    expect(synthesized.nagFindings.Ingest).toEqual([]);
  });
});
