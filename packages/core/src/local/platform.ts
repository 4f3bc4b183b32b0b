/**
 * The embedded local platform: every function of the wiring running in this process, wired exactly as the
 * stacks wire them on AWS — HTTP routes, durable queues with SQS semantics, an EventBridge-like bus, schedules,
 * DynamoDB (dynalite) and a filesystem lake with the bucket's keys. State lives under TRIBUTARY_HOME and
 * survives restarts.
 */
import { mkdir } from "node:fs/promises";
import type { APIGatewayProxyEventV2, SQSEvent } from "aws-lambda";
import type { TributaryConfig } from "../config";
import { FileSystemLakeStore } from "../lake";
import { localQueueDepths, platformStatus, statusRoutes } from "../ops";
import { provide, type Ports } from "../platform";
import { BUS_NAME, describeTrigger, wiring, type FunctionDecl, type QueueName, type QueueRef, type Trigger, type Wiring } from "../wiring";
import { LocalBus } from "./bus";
import { cdcAdminRoutes } from "./cdc-admin-routes";
import { LocalChangeSources } from "./change-sources";
import { startLocalDynamo } from "./dynamo";
import { loadHandler } from "./handlers";
import { startHttpServer, type LocalRoute } from "./http-server";
import { invokeLocally, type Handler } from "./lambda-context";
import { startLandingScanner } from "./landing-scanner";
import { startLocalMachines } from "./machines";
import { localQueueArn, openDeclaredQueue, startQueueConsumer, type LocalQueue } from "./queue";
import { startSchedule, type RunningSchedule } from "./schedule";
import { localCredentials, localSecrets, type LocalCredentials } from "./secrets";
import { homePaths, type LocalSettings } from "./settings";
import type { StateMachineRunResult } from "./stepfunctions";

export interface FileProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
}

/** The local lake's bucket name, as it appears in S3-shaped events. */
export const LOCAL_BUCKET = "tributary-local-lake";
const REGION = "local";

export interface LocalPlatform {
  url: string;
  home: string;
  ports: Ports;
  wiring: Wiring;
  queues: Map<string, LocalQueue>;
  bus: LocalBus;
  /** Every trigger the local runtime registered, as `describeTrigger` lines (compared with the stacks in tests). */
  triggers: string[];
  /** Progress of the file being ingested now (file-ingest runs one file at a time locally). */
  fileProgress(): FileProgress | undefined;
  /** The API key and GA credentials this platform accepts. */
  credentials: LocalCredentials;
  /** Change sources of the SQL Server sources (embedded stand-ins unless a connection secret is set). */
  changeSources: LocalChangeSources;
  /** Runs a state machine of the wiring (e.g. `medallion`) now, its Tasks answered by the wired functions. */
  runMachine(name: string, options?: { signal?: AbortSignal }): Promise<StateMachineRunResult>;
  /** Runs a schedule of the wiring now (e.g. `cdc-poll-backend`), as if it had fired; runs never overlap. */
  runSchedule(name: string): Promise<void>;
  /** Scans landing/ now instead of waiting for the next tick. */
  scanLanding(): Promise<number>;
  stop(): Promise<void>;
}

export interface StartOptions {
  settings: LocalSettings;
  config: TributaryConfig;
  log?: (line: string) => void;
  /** Landing scan interval; default 500 ms. */
  landingScanMs?: number;
  /**
   * Start state machines on their schedules and bus rules, as on AWS (`tributary dev`). Default false: tests and
   * the demo run them with `runMachine`, so no run they did not ask for holds the workflow's lease.
   */
  startMachines?: boolean;
}

/**
 * @example
 * const platform = await startLocalPlatform({ settings: parseLocalSettings(process.env), config });
 * await fetch(`${platform.url}/v1/streams/user_events/records`, { method: "POST", body });
 * await platform.stop();
 */
export async function startLocalPlatform(options: StartOptions): Promise<LocalPlatform> {
  const log = options.log ?? (() => undefined);
  const paths = homePaths(options.settings.home);
  for (const dir of Object.values(paths)) await mkdir(dir, { recursive: true });
  process.env.POWERTOOLS_LOG_LEVEL ??= options.settings.logLevel === "SILENT" ? "CRITICAL" : options.settings.logLevel;
  // EMF metric lines are for CloudWatch; locally `tributary cdc status` shows what they would.
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  process.env.POWERTOOLS_TRACE_ENABLED ??= "false"; // no X-Ray daemon locally: the tracer stays off, quietly

  const wired = wiring(options.config, { lakeBucket: LOCAL_BUCKET });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => log(`local: error while stopping: ${String(error)}`));
  };
  try {
    const dynamo = await startLocalDynamo({ path: paths.dynamodb, tables: wired.tables });
    stops.push(dynamo.stop);

    const queues = new Map<string, LocalQueue>();
    for (const decl of wired.queues) {
      const { queue, deadLetterQueue } = await openDeclaredQueue(paths.queues, decl);
      queues.set(decl.name, queue);
      queues.set(deadLetterQueue.name, deadLetterQueue);
      stops.push(async () => {
        await queue.close();
        await deadLetterQueue.close();
      });
    }
    const queueOf = (name: QueueRef) => queues.get(name)!;

    const bus = new LocalBus({ archiveDir: paths.bus, region: REGION });
    stops.push(() => bus.close());
    const lake = new FileSystemLakeStore(paths.lake);
    const credentials = localCredentials(options.settings, options.config);
    let latestFileProgress: FileProgress | undefined;
    const secrets = localSecrets(credentials, options.settings.secretValues);
    const changeSources = new LocalChangeSources(options.config, secrets, paths.sources);
    stops.push(() => changeSources.close());
    const ports: Ports = {
      config: options.config,
      lake,
      queues: { send: async (queue, messages) => void (await queueOf(queue).send(messages)) },
      bus: { put: (events) => bus.put(events.map((e) => ({ ...e, bus: BUS_NAME }))) },
      dynamo: dynamo.doc,
      secrets,
      changeSources,
      observer: { fileProgress: (progress) => void (latestFileProgress = progress) },
      settings: { gaEndpoint: options.settings.gaEndpoint ?? "https://www.google-analytics.com" },
      tableName: (table) => table,
    };
    provide(ports);
    stops.push(async () => provide(undefined));

    for (const rule of wired.rules) {
      bus.addRule({
        name: rule.name,
        bus: rule.bus,
        pattern: rule.pattern,
        target: async (event) => void (await queueOf(rule.targetQueue).send([{ id: String(event.id), body: JSON.stringify(event) }])),
      });
    }

    const triggers: string[] = [];
    const routes: LocalRoute[] = [];
    const schedules = new Map<string, RunningSchedule>();
    const onError = (fn: string) => (error: unknown) => log(`local: ${fn} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    const loaded: { decl: FunctionDecl; handler: Handler }[] = [];
    for (const fn of wired.functions) {
      const handler = await loadHandler(fn.handler);
      loaded.push({ decl: fn, handler });
      for (const trigger of fn.triggers) {
        const stop = registerTrigger(fn, trigger, handler, { queueOf, bus, routes, schedules, onError: onError(fn.name) });
        if (stop) stops.push(stop);
        triggers.push(describeTrigger(fn.name, trigger));
      }
    }

    const machines = startLocalMachines({
      machines: wired.machines,
      functions: loaded,
      ports,
      bus,
      autoStart: options.startMachines ?? false,
      schedules,
      onError: onError("state machine"),
    });
    stops.push(machines.stop);
    triggers.push(...machines.triggers);

    const runSchedule = async (name: string) => {
      const schedule = schedules.get(name);
      if (!schedule) throw new Error(`local: no schedule named ${name} (declared: ${[...schedules.keys()].join(", ") || "none"})`);
      await schedule.runNow();
    };
    if (options.config.sources.length > 0) routes.push(...cdcAdminRoutes(ports, runSchedule, onError("cdc-admin")));
    routes.push(...statusRoutes(() => platformStatus(ports, { queueDepths: localQueueDepths(queues.values()) })));
    const http = await startHttpServer(routes, options.settings.port, onError("http"));
    stops.push(http.close);

    const scanner = startLandingScanner({
      store: lake,
      bucket: LOCAL_BUCKET,
      statePath: `${paths.state}/landing-announced.json`,
      intervalMs: options.landingScanMs ?? 500,
      announce: (event) => bus.putEnvelope(event, "default"),
      onError: onError("landing-scanner"),
    });
    stops.push(scanner.stop);

    log(`Tributary local platform — state in ${options.settings.home}`);
    log(`  HTTP      ${http.url}`);
    log(`  lake      ${paths.lake}  (bucket keys: landing/, bronze/, quarantine/, restricted/, manifests/)`);
    log(`  dynamodb  ${dynamo.endpoint}  (dynalite; tables: ${wired.tables.map((t) => t.name).join(", ")})`);
    log(`  queues    ${wired.queues.map((q) => `${q.name} (+dlq, maxReceive ${q.maxReceiveCount})`).join(", ")}`);
    log(`  rules     ${wired.rules.map((r) => `${r.name} → ${r.targetQueue}`).join(", ")}`);
    for (const line of triggers) log(`  ${line.startsWith("machine ") ? "sfn " : "fn  "}      ${line}`);
    for (const line of credentials.describe()) log(line);

    return {
      url: http.url,
      home: options.settings.home,
      ports,
      wiring: wired,
      queues,
      bus,
      triggers,
      credentials,
      changeSources,
      runSchedule,
      runMachine: machines.run,
      fileProgress: () => latestFileProgress,
      scanLanding: scanner.scan,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface TriggerContext {
  queueOf(name: QueueName): LocalQueue;
  bus: LocalBus;
  routes: LocalRoute[];
  schedules: Map<string, RunningSchedule>;
  onError(error: unknown): void;
}

/** Connects one trigger of the wiring to its local equivalent; returns how to stop it. */
function registerTrigger(fn: FunctionDecl, trigger: Trigger, handler: Handler, ctx: TriggerContext): (() => Promise<void>) | undefined {
  const invoke = (event: unknown) => invokeLocally(fn, handler, event);
  switch (trigger.kind) {
    case "http":
      ctx.routes.push({ method: trigger.method, path: trigger.path, invoke: (event: APIGatewayProxyEventV2) => invoke(event) });
      return undefined;
    case "queue": {
      const consumer = startQueueConsumer({
        queue: ctx.queueOf(trigger.queue),
        batchSize: trigger.batchSize,
        batchWindowSeconds: trigger.batchWindowSeconds,
        queueArn: localQueueArn(trigger.queue, REGION),
        region: REGION,
        invoke: (event: SQSEvent) => invoke(event),
        onError: ctx.onError,
      });
      return () => consumer.stop();
    }
    case "schedule": {
      const schedule = startSchedule({ expression: trigger.expression, run: () => invoke(trigger.input ?? {}).then(() => undefined), onError: ctx.onError });
      ctx.schedules.set(trigger.name, schedule);
      return async () => schedule.stop();
    }
    case "bus":
      ctx.bus.addRule({ name: trigger.rule, bus: BUS_NAME, pattern: trigger.pattern, target: (event) => invoke(event).then(() => undefined) });
      return undefined;
    case "step":
      // Steps run when their state machine runs (runStateMachine with the wiring's task handlers), not on their own.
      return undefined;
  }
}
