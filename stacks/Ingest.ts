/**
 * Ingestion, built from the wiring (`@tributary/core/wiring`), never hand-listed: its queues (with DLQs), its
 * tables, the `tributary` bus, every function with its triggers and least-privilege permissions, the HTTP API
 * from the http triggers (with the JWT authorizer `realtime.jwt` asks for), and the bus rules that route
 * events into queues (S3's on the default bus, our own on the `tributary` bus). Adding a function, route,
 * queue or rule to the wiring adds it here.
 */
import { Config, EventBus, type Function, type StackContext, use } from "sst/constructs";
import { BUS_NAME, wiring } from "@tributary/core/wiring";
import { Lake } from "./Lake";
import { buildAlertsTopic, buildDeadLetterAlarms } from "./ingest/alarms";
import { buildApi, jwtAuthorizerFor } from "./ingest/api";
import { buildCdcAlarms } from "./ingest/cdc-alarms";
import { buildFunction } from "./ingest/functions";
import { type BuiltFunction, suppressIngestFindings } from "./ingest/nag";
import { buildQueues } from "./ingest/queues";
import type { WiredResources } from "./ingest/resources";
import { buildRules } from "./ingest/rules";
import { buildTables } from "./ingest/tables";
import { connectTriggers } from "./ingest/triggers";
import { tributaryConfig } from "./shared/config";
import { logsKey, rotatingKey } from "./shared/keys";
import { suppressSstFrameworkFindings } from "./shared/nag";

export function Ingest({ stack, app }: StackContext) {
  const config = tributaryConfig(app);
  const { lakeBucket, lakeKey, restrictedKey } = use(Lake);
  // The S3 notification rule must match the real lake bucket, so the wiring gets its (deploy-time) name.
  const wired = wiring(config, { lakeBucket: lakeBucket.bucketName });

  const queueKey = rotatingKey(stack, "QueueKey", "queues", "Encrypts Tributary's SQS queues and their dead-letter queues");
  const tableKey = rotatingKey(stack, "TableKey", "tables", "Encrypts Tributary's DynamoDB tables");
  const functionLogsKey = logsKey(stack, "LogsKey");

  const { queues, deadLetterQueues } = buildQueues(stack, wired.queues, queueKey);
  const tables = buildTables(stack, wired.tables, tableKey);
  const bus = new EventBus(stack, BUS_NAME);
  const secretNames = [...new Set(wired.functions.flatMap((f) => f.secrets))];
  const secrets = new Map(secretNames.map((name) => [name, new Config.Secret(stack, name)] as const));
  const resources: WiredResources = { stage: app.stage, lakeBucket, lakeKey, restrictedKey, queues, deadLetterQueues, queueKey, bus, tables, tableKey, secrets };

  const built: BuiltFunction[] = [];
  const routes = new Map<string, Function>();
  for (const decl of wired.functions) {
    const fn = buildFunction(stack, decl, { resources, logsKey: functionLogsKey, metricsNamespace: config.project });
    connectTriggers(stack, fn, decl, { resources, queueDecls: wired.queues, routes });
    built.push({ decl, fn });
  }
  const functions = new Map(built.map(({ decl, fn }) => [decl.name, fn]));
  const api = buildApi(stack, routes, functionLogsKey, jwtAuthorizerFor(config, wired.functions));
  const rules = buildRules(stack, wired.rules, resources);
  const alerts = buildAlertsTopic(stack);
  const deadLetterAlarms = buildDeadLetterAlarms(stack, deadLetterQueues, alerts);
  const cdcAlarms = buildCdcAlarms(stack, config.sources, built, alerts, config.project);

  if (api) stack.addOutputs({ ApiEndpoint: api.url });
  suppressIngestFindings(built, api);
  suppressSstFrameworkFindings(stack);
  return { api, bus, queues, deadLetterQueues, tables, functions, rules, alerts, deadLetterAlarms, cdcAlarms, queueKey, tableKey, logsKey: functionLogsKey };
}
