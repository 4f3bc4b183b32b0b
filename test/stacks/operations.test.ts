/**
 * The Operations stack against what Ingest built: every expectation is derived from the wiring and the config,
 * and every cross-stack reference (an import of an Ingest export) is followed back to the Ingest resource it
 * names, so an alarm or chart on the wrong function, queue, API or topic fails here.
 */
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasets, DEFAULT_BUDGET_MONTHLY_USD, parseConfig, type TributaryConfig } from "@tributary/core/config";
import { wiring, type Wiring } from "@tributary/core/wiring";
import { CDC_LAG_THRESHOLD_SECONDS, CDC_POLL_FUNCTION } from "../../stacks/ingest/cdc-alarms";
import { API_ALARM_PERIOD } from "../../stacks/operations/api-alarms";
import { FUNCTION_ALARM_PERIOD } from "../../stacks/operations/function-alarms";
import shippedConfig from "../../tributary.config";
import { removeSynthOutput, synthesize, type Synthesized } from "./synth";

type Resource = { Type: string; Properties: Record<string, any> };
/** A metric of a dashboard widget, its dimensions and options taken apart. */
interface ChartedMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, unknown>;
  options: Record<string, any>;
}
interface ChartedWidget {
  title?: string;
  metrics: ChartedMetric[];
  /** Horizontal annotations (threshold lines). */
  annotations: { value: number; label?: string }[];
}

const ALERT_EMAILS = ["ops@example.com", "On-Call@example.org"];
const BUDGET_USD = 250;

let synthesized: Synthesized;
let operations: Template;
let ingest: Template;
let config: TributaryConfig;
let wired: Wiring;
/** The Operations stack for a config that lists alert addresses and its own budget. */
let withAlerts: Template;

beforeAll(async () => {
  // Without bundling: these tests read resources and references, not function code.
  synthesized = await synthesize(undefined, { bundle: false });
  ({ Operations: operations, Ingest: ingest } = synthesized.templates);
  config = parseConfig(shippedConfig);
  wired = wiring(config, { lakeBucket: "unused-by-these-tests" });
  const alerts = { emails: ALERT_EMAILS, budgetMonthlyUsd: BUDGET_USD };
  withAlerts = (await synthesize({ ...shippedConfig, alerts }, { bundle: false })).templates.Operations;
});
afterAll(removeSynthOutput);

const resourcesOf = (template: Template, type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];

/** What an `Fn::ImportValue` of an Ingest export refers to in Ingest's template (`{ Ref }` or `{ Fn::GetAtt }`); other values as they are. */
const followImport = (value: unknown): unknown => {
  const name = (value as { "Fn::ImportValue"?: string } | undefined)?.["Fn::ImportValue"];
  if (name === undefined) return value;
  const output = Object.values(ingest.findOutputs("*")).find((o: any) => o.Export?.Name === name) as any;
  expect(output, `Ingest export ${name}`).toBeDefined();
  return output.Value;
};
const ingestFunction = (name: string) => {
  const found = resourcesOf(ingest, "AWS::Lambda::Function").find(([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === name);
  expect(found, `Ingest function ${name}`).toBeDefined();
  return found![0];
};
const ingestQueue = (name: string) => {
  const found = resourcesOf(ingest, "AWS::SQS::Queue").find(([, q]) => q.Properties.QueueName === `test-tributary-${name}`);
  expect(found, `Ingest queue ${name}`).toBeDefined();
  return found![0];
};
const alertsTopic = () => resourcesOf(ingest, "AWS::SNS::Topic").find(([, t]) => t.Properties.DisplayName === "Tributary alerts")!;
const httpApiId = () => {
  const apis = resourcesOf(ingest, "AWS::ApiGatewayV2::Api");
  expect(apis).toHaveLength(1);
  return apis[0]![0];
};

/** The alarm of `template` on `metricName` whose one dimension names the Ingest resource `ref` points to. */
const alarmOn = (template: Template, metricName: string, ref: unknown) =>
  resourcesOf(template, "AWS::CloudWatch::Alarm").filter(
    ([, a]) => a.Properties.MetricName === metricName && JSON.stringify(followImport(a.Properties.Dimensions?.[0]?.Value)) === JSON.stringify(ref),
  );

/** The dashboard's widgets, every metric taken apart and every import in its dimensions followed back to Ingest. */
const dashboardOf = (template: Template): ChartedWidget[] => {
  const [[, dashboard]] = resourcesOf(template, "AWS::CloudWatch::Dashboard") as [[string, Resource]];
  const parts: unknown[] = dashboard.Properties.DashboardBody["Fn::Join"][1];
  const tokens: unknown[] = [];
  // Every token sits inside a JSON string, so a placeholder string keeps the body parseable.
  const body = JSON.parse(parts.map((p) => (typeof p === "string" ? p : `@@${String(tokens.push(p) - 1)}@@`)).join(""));
  const valueOf = (text: string): unknown => {
    const token = /^@@(\d+)@@$/.exec(text);
    return token ? followImport(tokens[Number(token[1])]) : text;
  };
  const metricOf = (entry: unknown[]): ChartedMetric => {
    const last = entry[entry.length - 1];
    const options = typeof last === "object" ? (last as Record<string, any>) : {};
    const [namespace, metricName, ...pairs] = (typeof last === "object" ? entry.slice(0, -1) : entry) as string[];
    const dimensions: Record<string, unknown> = {};
    for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]!] = valueOf(pairs[i + 1]!);
    return { namespace: namespace!, metricName: metricName!, dimensions, options };
  };
  return body.widgets.map((w: any) => ({
    title: w.properties.title,
    metrics: (w.properties.metrics ?? []).map(metricOf),
    annotations: w.properties.annotations?.horizontal ?? [],
  }));
};
const widgetTitled = (template: Template, title: string): ChartedWidget => {
  const widget = dashboardOf(template).find((w) => w.title === title);
  expect(widget, `dashboard widget "${title}"`).toBeDefined();
  return widget!;
};

describe("Operations stack: alarms", () => {
  it("alarms on every function's errors and throttles above zero per 5 minutes, leaving cdc-poll's errors to Ingest's alarm", () => {
    for (const decl of wired.functions) {
      const fn = { Ref: ingestFunction(decl.name) };
      const errors = alarmOn(operations, "Errors", fn);
      const throttles = alarmOn(operations, "Throttles", fn);

      expect(throttles, `${decl.name} throttles alarms`).toHaveLength(1);
      if (decl.name === CDC_POLL_FUNCTION) {
        expect(errors, "no second alarm on cdc-poll's errors").toHaveLength(0);
        expect(alarmOn(ingest, "Errors", fn), "Ingest's cdc-poll errors alarm").toHaveLength(1);
      } else {
        expect(errors, `${decl.name} errors alarms`).toHaveLength(1);
      }
      for (const [, alarm] of [...errors, ...throttles]) {
        expect(alarm.Properties).toMatchObject({
          Namespace: "AWS/Lambda",
          Statistic: "Sum",
          Period: FUNCTION_ALARM_PERIOD.toSeconds(),
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: "GreaterThanThreshold",
          TreatMissingData: "notBreaching",
        });
      }
    }
  });

  it("alarms on any 5xx answer of the HTTP API per 5 minutes", () => {
    // Act
    const alarms = alarmOn(operations, "5xx", { Ref: httpApiId() });

    // Assess
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({
      Namespace: "AWS/ApiGateway",
      Dimensions: [{ Name: "ApiId", Value: expect.anything() }],
      Statistic: "Sum",
      Period: API_ALARM_PERIOD.toSeconds(),
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  it("builds nothing but those alarms, each notifying only Ingest's alerts topic, with a description for the operator", () => {
    // Prepare
    const [topicId] = alertsTopic();
    const alarms = resourcesOf(operations, "AWS::CloudWatch::Alarm");

    // Assess
    const erroringFunctions = wired.functions.filter((f) => f.name !== CDC_POLL_FUNCTION).length;
    expect(alarms).toHaveLength(erroringFunctions + wired.functions.length + 1);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions.map(followImport), id).toEqual([{ Ref: topicId }]);
      expect(String(alarm.Properties.AlarmDescription).length, `${id} description`).toBeGreaterThan(40);
    }
  });
});

describe("Operations stack: alert subscriptions", () => {
  it("subscribes nobody for the shipped config, which lists no address", () => {
    expect(config.alerts.emails).toEqual([]);
    expect(resourcesOf(operations, "AWS::SNS::Subscription")).toHaveLength(0);
  });

  it("subscribes every configured address to the alerts topic by email", () => {
    // Prepare
    const [topicId] = alertsTopic();

    // Act
    const subscriptions = resourcesOf(withAlerts, "AWS::SNS::Subscription").map(([, s]) => s.Properties);

    // Assess
    expect(subscriptions.map((s) => s.Endpoint).sort()).toEqual([...ALERT_EMAILS].sort());
    for (const subscription of subscriptions) {
      expect(subscription.Protocol).toBe("email");
      expect(followImport(subscription.TopicArn)).toEqual({ Ref: topicId });
    }
  });
});

describe("Operations stack: cost budget", () => {
  const budgetOf = (template: Template) => {
    const budgets = resourcesOf(template, "AWS::Budgets::Budget");
    expect(budgets).toHaveLength(1);
    return budgets[0]![1].Properties;
  };

  it("budgets the default monthly amount in USD, notifying the alerts topic at 80% and 100% actual and 100% forecast", () => {
    // Prepare
    const [topicId] = alertsTopic();

    // Act
    const budget = budgetOf(operations);

    // Assess
    expect(budget.Budget).toEqual({
      BudgetName: "test-tributary-monthly-cost",
      BudgetType: "COST",
      TimeUnit: "MONTHLY",
      BudgetLimit: { Amount: DEFAULT_BUDGET_MONTHLY_USD, Unit: "USD" },
    });
    expect(budget.NotificationsWithSubscribers.map((n: any) => [n.Notification.NotificationType, n.Notification.Threshold])).toEqual([
      ["ACTUAL", 80],
      ["ACTUAL", 100],
      ["FORECASTED", 100],
    ]);
    for (const { Notification, Subscribers } of budget.NotificationsWithSubscribers) {
      expect(Notification).toMatchObject({ ThresholdType: "PERCENTAGE", ComparisonOperator: "GREATER_THAN" });
      expect(Subscribers.map((s: any) => [s.SubscriptionType, followImport(s.Address)])).toEqual([["SNS", { Ref: topicId }]]);
    }
  });

  it("takes the amount from the config", () => {
    expect(budgetOf(withAlerts).Budget.BudgetLimit).toEqual({ Amount: BUDGET_USD, Unit: "USD" });
  });

  it("lets AWS Budgets of this account, and CloudWatch, publish to the KMS-encrypted, TLS-only alerts topic", () => {
    // Prepare
    const [topicId, topic] = alertsTopic();
    const keyId = topic.Properties.KmsMasterKeyId["Fn::GetAtt"][0];
    const [, topicPolicy] = resourcesOf(ingest, "AWS::SNS::TopicPolicy").find(([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topicId }]))!;
    const keyStatements: any[] = ingest.findResources("AWS::KMS::Key")[keyId]!.Properties.KeyPolicy.Statement;

    // Assess
    expect(topic.Properties.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [keyId, "Arn"] });
    expect(topicPolicy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: "Deny", Action: "sns:Publish", Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        {
          Sid: "AllowBudgetsOfThisAccount",
          Effect: "Allow",
          Principal: { Service: "budgets.amazonaws.com" },
          Action: "sns:Publish",
          Resource: { Ref: topicId },
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":budgets::123456789012:*"]] } },
          },
        },
      ]),
    );
    for (const service of ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]) {
      expect(keyStatements, service).toContainEqual(
        expect.objectContaining({ Effect: "Allow", Principal: { Service: service }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }),
      );
    }
  });
});

describe("Operations stack: dashboard", () => {
  it("charts every function's invocations, errors, throttles and duration", () => {
    for (const decl of wired.functions) {
      const fn = { Ref: ingestFunction(decl.name) };

      const { metrics } = widgetTitled(operations, decl.name);

      expect(metrics.map((m) => [m.namespace, m.metricName, m.dimensions])).toEqual(
        ["Invocations", "Errors", "Throttles", "Duration", "Duration"].map((name) => ["AWS/Lambda", name, { FunctionName: fn }]),
      );
      expect(metrics.filter((m) => m.metricName === "Duration").map((m) => m.options.yAxis)).toEqual(["right", "right"]);
    }
  });

  it("charts every queue's depth beside its dead-letter queue's", () => {
    for (const decl of wired.queues) {
      const queue = { "Fn::GetAtt": [ingestQueue(decl.name), "QueueName"] };
      const dlq = { "Fn::GetAtt": [ingestQueue(`${decl.name}-dlq`), "QueueName"] };

      const { metrics } = widgetTitled(operations, `${decl.name} queue`);

      expect(metrics.map((m) => [m.namespace, m.metricName, m.dimensions])).toEqual([
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queue }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: dlq }],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: queue }],
      ]);
    }
  });

  it("charts the HTTP API's requests, 4xx, 5xx and latency", () => {
    // Prepare
    const api = { ApiId: { Ref: httpApiId() } };

    // Act
    const requests = widgetTitled(operations, "API requests and errors").metrics;
    const latency = widgetTitled(operations, "API latency (ms)").metrics;

    // Assess
    expect(requests.map((m) => [m.namespace, m.metricName, m.dimensions, m.options.stat])).toEqual([
      ["AWS/ApiGateway", "Count", api, "Sum"],
      ["AWS/ApiGateway", "4xx", api, "Sum"],
      ["AWS/ApiGateway", "5xx", api, "Sum"],
    ]);
    expect(latency.map((m) => [m.metricName, m.dimensions, m.options.stat])).toEqual([
      ["Latency", api, "p50"],
      ["Latency", api, "p99"],
      ["IntegrationLatency", api, "p99"],
    ]);
  });

  it("charts each CDC table's lag with the metric its alarm pages on, and the alarm threshold", () => {
    for (const source of config.sources) {
      const { metrics, annotations } = widgetTitled(operations, `CDC lag: ${source.name}`);

      expect(metrics.map((m) => [m.namespace, m.metricName, m.dimensions, m.options.label])).toEqual(
        source.tables.map((t) => [config.project, "CdcLagSeconds", { service: CDC_POLL_FUNCTION, Source: source.name, Table: t.name }, t.name]),
      );
      expect(annotations).toEqual([expect.objectContaining({ value: CDC_LAG_THRESHOLD_SECONDS })]);
      for (const table of source.tables) {
        const [[, alarm]] = resourcesOf(ingest, "AWS::CloudWatch::Alarm").filter(
          ([, a]) =>
            a.Properties.MetricName === "CdcLagSeconds" &&
            [{ Name: "Source", Value: source.name }, { Name: "Table", Value: table.name }].every((d) => JSON.stringify(a.Properties.Dimensions).includes(JSON.stringify(d))),
        ) as [[string, Resource]];
        expect(alarm.Properties).toMatchObject({ Namespace: config.project, Threshold: CDC_LAG_THRESHOLD_SECONDS, Statistic: "Maximum" });
      }
    }
    expect(config.sources.length).toBeGreaterThan(0);
  });

  it("charts every dataset's freshness, in the project namespace the medallion publishes to, against its SLO", () => {
    for (const dataset of datasets(config)) {
      const { metrics, annotations } = widgetTitled(operations, `${dataset.name} freshness`);

      expect(metrics.map((m) => [m.namespace, m.metricName, m.dimensions, m.options.stat])).toEqual([
        [config.project, "DatasetFreshnessSeconds", { service: "medallion", dataset: dataset.name }, "Maximum"],
      ]);
      expect(annotations).toEqual([expect.objectContaining({ value: dataset.freshnessSloMinutes * 60 })]);
    }
  });
});

describe("Operations stack: cdk-nag", () => {
  it("has no unsuppressed AwsSolutions finding, nor does Ingest with the grants this stack adds to its topic", () => {
    expect(synthesized.nagFindings.Operations).toEqual([]);
    expect(synthesized.nagFindings.Ingest).toEqual([]);
  });
});
