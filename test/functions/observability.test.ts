/**
 * Every handler of the wiring is observed (Powertools logger, metrics, tracer through `observed`), and a request's
 * correlation id can be followed from the API's log line to the bronze file its record landed in. Runs the real
 * handlers in the local platform with INFO logs and metrics on, as Lambda starts them (on demand), reading the
 * JSON log lines and EMF metric lines they write to stdout and stderr.
 */
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { homePaths, invokeLocally, loadHandler, REPO_ROOT } from "@tributary/core/local";
import type { FunctionDecl } from "@tributary/core/wiring";
import { emittedMetrics } from "../support/emf";
import { startPlatformWithGoogle, type PlatformWithGoogle } from "../support/platform-with-google";
import type { TestPlatform } from "../support/platform";

type LogLine = Record<string, any>;

const written: string[] = [];
const logLines = (): LogLine[] =>
  written
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.startsWith("{") && !line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as LogLine);

async function waitForLine(match: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = logLines().find(match);
    if (found || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The medallion Lambdas share one handler, logging and measuring as service "medallion"; the others as their own name. */
const serviceOf = (fn: FunctionDecl) => (fn.handler.endsWith("/medallion.handler") ? "medallion" : fn.name);

/** Powertools reports a cold start only when Lambda says the environment started on demand (not provisioned). */
const ENV = { POWERTOOLS_LOG_LEVEL: "INFO", POWERTOOLS_METRICS_DISABLED: "false", AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" } as const;

describe("observed handlers", () => {
  let env: PlatformWithGoogle;
  let platform: TestPlatform;
  const previousEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    // Handlers read these when they load (logger) or first run (metrics): set before the platform starts.
    for (const [name, value] of Object.entries(ENV)) {
      previousEnv[name] = process.env[name];
      process.env[name] = value;
    }
    // Powertools writes INFO and DEBUG lines (and EMF) to stdout, WARN and ERROR lines to stderr; Lambda sends both to CloudWatch.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, "write").mockImplementation((chunk: unknown) => {
        written.push(String(chunk));
        return true;
      });
    }
    env = await startPlatformWithGoogle();
    platform = env.platform;
  });
  afterAll(async () => {
    await env?.dispose();
    vi.restoreAllMocks();
    for (const [name, value] of Object.entries(previousEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("wraps every handler of the wiring: JSON log lines of its service with the Lambda context, and a ColdStart metric", async () => {
    // Prepare: one function per handler module (the medallion Lambdas share theirs).
    const functions = platform.wiring.functions.filter((fn, i, all) => all.findIndex((f) => f.handler === fn.handler) === i);

    // Act: an event no handler accepts, so each fails, and says so in its own structured line.
    const outcomes = [];
    for (const fn of functions) outcomes.push(await invokeLocally(fn, await loadHandler(fn.handler), {}).then(() => "returned", () => "failed"));

    // Assess
    expect(functions.length).toBeGreaterThanOrEqual(9);
    expect(outcomes.every((o) => o === "failed")).toBe(true);
    const lines = logLines();
    const coldStarts = emittedMetrics(written).filter((m) => m.MetricName === "ColdStart");
    for (const fn of functions) {
      const failure = lines.find((l) => l.message === "invocation failed" && l.function_name === fn.name);
      expect(failure, fn.name).toMatchObject({ level: "ERROR", service: serviceOf(fn), cold_start: expect.any(Boolean), function_request_id: expect.any(String) });
      expect(failure!.error, fn.name).toMatchObject({ name: expect.any(String), message: expect.any(String) });
      expect(coldStarts.filter((m) => m.Dimensions.some((d) => d.Name === "service" && d.Value === serviceOf(fn))), fn.name).toHaveLength(1);
    }
  });

  it("follows x-correlation-id from the events-api answer and log line to the stream-bronze line naming the record's bronze file", async () => {
    // Prepare
    const record = { request_id: "corr-1", request_timestamp: "2026-11-20T10:15:00Z", cookie_id: "c.1", topic: "page_view", user_account_id: "42" };

    // Act
    const res = await fetch(`${platform.url}/v1/streams/user_events/records`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": platform.credentials.apiKey, "x-correlation-id": "test-corr-123" },
      body: JSON.stringify(record),
    });
    const answer = (await res.json()) as { eventId: string };
    await platform.waitForCount("SELECT count(*) FROM bronze.user_events WHERE request_id = 'corr-1'", 1);
    const bronzeLine = await waitForLine((l) => l.service === "stream-bronze" && JSON.stringify(l.messages ?? []).includes("test-corr-123"));

    // Assess: the answer and the API's line carry the id, with the event id the answer gave.
    expect(res.status).toBe(202);
    expect(res.headers.get("x-correlation-id")).toBe("test-corr-123");
    const apiLine = logLines().find((l) => l.service === "events-api" && l.correlation_id === "test-corr-123");
    expect(apiLine).toMatchObject({ message: "records request answered", stream: "user_events", status: 202, eventIds: [answer.eventId], cold_start: expect.any(Boolean) });
    // Assess: the bronze line names the message with that id and event id, and the file holding the record.
    expect(bronzeLine?.messages).toContainEqual({ messageId: expect.any(String), correlationId: "test-corr-123", eventIds: [answer.eventId] });
    const files: string[] = bronzeLine!.datasets.find((d: { dataset: string }) => d.dataset === "user_events").files;
    const holding = [];
    for (const key of files) {
      const [row] = await platform.query(`SELECT count(*) AS n FROM read_parquet('${join(homePaths(platform.home).lake, key)}') WHERE request_id = 'corr-1'`);
      if (Number(row!.n) === 1) holding.push(key);
    }
    expect(holding).toHaveLength(1);
    expect(holding[0]).toMatch(/^bronze\/streams\/user_events\/dt=2026-11-20\/hour=10\/.+\.parquet$/);
  });

  it("uses API Gateway's request id when the client sends no correlation id, or one it must not use", async () => {
    // Act
    const post = (headers: Record<string, string>, id: string) =>
      fetch(`${platform.url}/v1/streams/user_events/records`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": platform.credentials.apiKey, ...headers },
        body: JSON.stringify({ request_id: id, request_timestamp: "2026-11-20T10:15:00Z", topic: "page_view", user_account_id: "42" }),
      });
    const [unsafeId, longId] = ['a"b {evil}', "x".repeat(129)];
    const none = await post({}, "corr-2");
    const unsafe = await post({ "x-correlation-id": unsafeId }, "corr-3");
    const tooLong = await post({ "x-correlation-id": longId }, "corr-4");

    // Assess: each answer names a generated id (the local API's request ids are UUIDs), logged as that request's.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const ids = [none, unsafe, tooLong].map((r) => r.headers.get("x-correlation-id") ?? "");
    expect([none.status, unsafe.status, tooLong.status]).toEqual([202, 202, 202]);
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(logLines().filter((l) => l.service === "events-api" && l.correlation_id === id && l.message === "records request answered")).toHaveLength(1);
    const warnings = logLines().filter((l) => l.service === "events-api" && l.level === "WARN" && ids.slice(1).includes(l.correlation_id));
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining(`x-correlation-id of ${unsafeId.length} characters`), expect.stringContaining("x-correlation-id of 129 characters")]);
    expect(written.join("")).not.toContain("{evil}");
  });

  it("follows x-correlation-id from the ga-proxy answer to the ga-bronze line naming each event's bronze file", async () => {
    // Prepare
    const { gaMeasurementId, gaApiSecret } = platform.credentials;
    const hit = { client_id: "555.1", events: [{ name: "page_view", params: { test_tag: "corr-ga" } }, { name: "scroll", params: { test_tag: "corr-ga" } }] };

    // Act
    const res = await fetch(`${platform.url}/mp/collect?measurement_id=${gaMeasurementId}&api_secret=${gaApiSecret}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-correlation-id": "ga-corr-7" },
      body: JSON.stringify(hit),
    });
    const bronzeLine = await waitForLine((l) => l.service === "ga-bronze" && JSON.stringify(l.messages ?? []).includes("ga-corr-7"));

    // Assess
    expect(res.status).toBe(204);
    expect(res.headers.get("x-correlation-id")).toBe("ga-corr-7");
    expect(logLines().find((l) => l.service === "ga-proxy" && l.correlation_id === "ga-corr-7")).toMatchObject({ message: "ga hit answered", status: 204 });
    const message = bronzeLine!.messages.find((m: { correlationId: string }) => m.correlationId === "ga-corr-7");
    expect(message.eventIds).toHaveLength(2);
    const files: string[] = bronzeLine!.datasets.find((d: { dataset: string }) => d.dataset === "ga_events").files;
    const lake = homePaths(platform.home).lake;
    const rows = await platform.query(
      `SELECT _record_id FROM read_parquet([${files.map((key) => `'${join(lake, key)}'`).join(", ")}]) WHERE event_params LIKE '%corr-ga%' ORDER BY _record_id`,
    );
    expect(rows.map((r) => r._record_id)).toEqual([...message.eventIds].sort());
  });
});

/**
 * Runs test/functions/traced-request.ts in a child process that the X-Ray SDK takes for a Lambda invocation
 * (trace header, execution environment), its daemon address pointing at a UDP socket here: returns what the
 * child printed and the trace documents it sent.
 */
async function tracedRequest(env: Record<string, string | undefined>): Promise<{ answer: { status: number; correlationId: string }; documents: LogLine[]; stderr: string }> {
  const socket = createSocket("udp4");
  const documents: LogLine[] = [];
  // Each datagram is a header line, then one segment document.
  socket.on("message", (datagram) => documents.push(JSON.parse(datagram.toString("utf8").split("\n")[1]!) as LogLine));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  try {
    const child = spawn(join(REPO_ROOT, "node_modules/.bin/tsx"), [join(REPO_ROOT, "test/functions/traced-request.ts"), "trace-corr-9"], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
        LAMBDA_TASK_ROOT: REPO_ROOT,
        _X_AMZN_TRACE_ID: "Root=1-6740a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1",
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${socket.address().port}`,
        POWERTOOLS_METRICS_DISABLED: "true",
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    if (code !== 0) throw new Error(`traced-request exited with ${code}: ${stderr}`);
    // Datagrams sent just before the child exited may still be on their way through loopback.
    await new Promise((r) => setTimeout(r, 200));
    const answer = JSON.parse(stdout.trim().split("\n").pop()!) as { status: number; correlationId: string };
    return { answer, documents, stderr };
  } finally {
    socket.close();
  }
}

describe("tracing", () => {
  it("traces each invocation as a subsegment annotated with the service and the request's correlation id", async () => {
    // Act
    const { answer, documents } = await tracedRequest({ POWERTOOLS_TRACE_ENABLED: "true" });

    // Assess
    expect(answer).toEqual({ status: 202, correlationId: "trace-corr-9" });
    const handlerSegment = documents.find((d) => d.annotations?.Service === "events-api");
    expect(handlerSegment).toMatchObject({ trace_id: "1-6740a1b2-0123456789abcdef01234567", annotations: { correlation_id: "trace-corr-9", ColdStart: expect.any(Boolean) } });
    // Responses (records, reports) are never copied into traces.
    expect(JSON.stringify(handlerSegment)).not.toContain("eventId");
  });

  it("stays off, quietly, in the local platform even where the X-Ray SDK would think it is in Lambda", async () => {
    // Act
    const { answer, documents, stderr } = await tracedRequest({ POWERTOOLS_TRACE_ENABLED: undefined });

    // Assess
    expect(answer).toEqual({ status: 202, correlationId: "trace-corr-9" });
    expect(documents).toEqual([]);
    expect(stderr).not.toMatch(/segment|x-ray|xray/i);
  });
});
