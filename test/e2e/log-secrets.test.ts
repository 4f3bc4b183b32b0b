/**
 * Secrets never reach logs or the lake. The local platform runs a demo-like slice end to end — stream records,
 * GA hits forwarded to a fake Google, SQL Server changes captured from the embedded stand-in, a partner file,
 * the real-time report, the medallion workflow — with a distinctive value for every secret it reads (the API
 * key, the GA api secret, LINK_HASH_KEY, TOKENISE_KEY), at log level DEBUG, on its error paths too (a wrong key,
 * a malformed body sent with the right secret). Then everything written to stdout/stderr, every log file under
 * TRIBUTARY_HOME, the queue journals and bus archive, and every lake object outside `restricted/` (Parquet
 * decoded, gzip unpacked) are searched for each value and its obvious encodings.
 *
 * Output is captured in process (console and process.stdout/stderr writes), where the CLI's `demo` and `dev`
 * run the platform too; native code writing straight to file descriptors 1 and 2 is not seen.
 */
import { createHmac } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { formatWithOptions } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openLakeQuery } from "@tributary/core/catalog";
import { parseConfig } from "@tributary/core/config";
import { FileSystemLakeStore } from "@tributary/core/lake";
import { homePaths, parseLocalSettings, runMedallionLocally, startLocalPlatform, type LocalPlatform } from "@tributary/core/local";
import { tokenSql } from "@tributary/core/medallion";
import shipped from "../../tributary.config";
import { startFakeGoogle, type FakeGoogle } from "../support/fake-google";
import { makeHome } from "../support/platform";

/** One value per secret the local platform reads; `+` and `/` make the URL, JSON and base64 spellings differ. */
const SECRETS = {
  TRIBUTARY_API_KEY: "tsk+Qx7/apikey-4c1e9b2d",
  TRIBUTARY_GA_API_SECRET: "gaS3cr+t/9fK2mZ1",
  TRIBUTARY_LINK_HASH_KEY: "lhk+Vb3/linkhash-8e5a0d7f",
  TRIBUTARY_TOKENISE_KEY: "tok+Jr6/tokenise-1f9c4b2e",
} as const;
type SecretName = keyof typeof SECRETS;

const CUSTOMER = "77001";
const EMAIL = "Sam.Secret@example.com";
const KIT = "KIT-SECRETS-0001";
const CLIENT = "777.1001";
const WAIT_MS = 45_000;

describe("secrets in logs and the lake", () => {
  const config = parseConfig(shipped);
  let home: string;
  let google: FakeGoogle;
  let slice: SliceOutcome;
  let output: { stdout: string; stderr: string };

  beforeAll(async () => {
    home = await makeHome();
    google = await startFakeGoogle();
    const capture = captureOutput();
    const previousLogLevel = process.env.POWERTOOLS_LOG_LEVEL;
    // test/setup.ts quiets Powertools to CRITICAL; the handlers' loggers read this when they load, at start.
    process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
    try {
      slice = await runSlice(home, google, config);
    } finally {
      capture.restore();
      if (previousLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
      else process.env.POWERTOOLS_LOG_LEVEL = previousLogLevel;
    }
    output = { stdout: capture.stdout.join(""), stderr: capture.stderr.join("") };
  });
  afterAll(async () => {
    await google?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("used every secret on the way, so the search below means something", () => {
    // Assess: the API key let records in and the report out; the GA secret reached Google with the hit; the link
    // hash key linked the email; the tokenise key tokenised silver's email.
    expect(slice.streamStatus).toBe(200);
    expect(slice.report.status).toBe(200);
    expect(slice.report.body?.links?.keys?.email_hash).toBe(1);
    expect(slice.report.body?.lab_results?.ready).toBe(1);
    expect(google.requests.some((r) => r.query.api_secret === SECRETS.TRIBUTARY_GA_API_SECRET)).toBe(true);
    expect(slice.medallion).toEqual({ status: "SUCCEEDED" });
    expect(slice.silverEmail).toBe(createHmac("sha256", SECRETS.TRIBUTARY_TOKENISE_KEY).update(EMAIL).digest("hex"));
    // The error paths ran too: a wrong key, and malformed bodies sent with the right credentials.
    expect(slice.rejected).toEqual({ wrongApiKey: 401, malformedRecord: 400, malformedGaHit: 400, wrongKeyReport: 401 });
  });

  it("writes no secret, nor an obvious encoding of one, to stdout or stderr", () => {
    // Assess
    expect(output.stdout.length).toBeGreaterThan(0);
    expect([...findSecrets("stdout", output.stdout), ...findSecrets("stderr", output.stderr)]).toEqual([]);
  });

  it("writes no secret to log files, queue journals or the bus archive under TRIBUTARY_HOME", async () => {
    // Prepare
    const paths = homePaths(home);
    const files = [...(await filesUnder(home)).filter((f) => LOG_FILE.test(f.split(sep).pop()!)), ...(await filesUnder(paths.queues)), ...(await filesUnder(paths.bus))];

    // Act
    const findings = [];
    for (const file of files) findings.push(...findSecrets(relative(home, file), await readFile(file, "latin1")));

    // Assess
    expect(files.some((f) => f.startsWith(paths.queues))).toBe(true);
    expect(findings).toEqual([]);
  });

  it("keeps every secret out of the lake outside restricted/, Parquet decoded", async () => {
    // Prepare
    const lakeDir = homePaths(home).lake;
    const keys = (await filesUnder(lakeDir)).map((f) => relative(lakeDir, f).split(sep).join("/")).filter((k) => !k.startsWith("restricted/"));
    const lake = await openLakeQuery(new FileSystemLakeStore(lakeDir), config);

    // Act
    const findings = [];
    try {
      for (const key of keys) findings.push(...findSecrets(`lake ${key}`, await lakeObjectText(lake, join(lakeDir, key))));
    } finally {
      await lake.close();
    }

    // Assess
    expect(keys.filter((k) => k.endsWith(".parquet")).map((k) => k.split("/")[0])).toEqual(expect.arrayContaining(["bronze", "silver", "gold"]));
    expect(findings).toEqual([]);
  });

  it("recognises a secret raw and in the encodings it searches for, and nothing else", () => {
    // Prepare
    const key = SECRETS.TRIBUTARY_TOKENISE_KEY;
    const leaks = {
      raw: `token=${key};`,
      "base64 (in a longer value)": `Authorization: Basic ${Buffer.from(`svc:${key}`).toString("base64")}`,
      "base64url (shifted)": `x${Buffer.from(`ab${key}cd`).toString("base64url")}`,
      hex: `key=${Buffer.from(key).toString("hex").toUpperCase()}`,
      "url-encoded": `?api_secret=${encodeURIComponent(key).replace(/%2F/g, "%2f")}`,
      "HMAC pads in SQL": tokenSql("email", key),
    };
    const harmless = [`sha256 ${createHmac("sha256", key).update(EMAIL).digest("hex")}`, "tok+Jr6/tokenise", Buffer.from(key.slice(0, 8)).toString("base64")];

    // Act
    const found = Object.fromEntries(Object.entries(leaks).map(([name, text]) => [name, findSecrets(name, text).map((f) => f.secret)]));
    const falseAlarms = harmless.flatMap((text) => findSecrets("harmless", text));

    // Assess
    for (const name of Object.keys(leaks)) expect(found[name], name).toContain("TRIBUTARY_TOKENISE_KEY");
    expect(falseAlarms).toEqual([]);
  });
});

interface SliceOutcome {
  streamStatus: number;
  report: { status: number; body: ReportBody | undefined };
  rejected: { wrongApiKey: number; malformedRecord: number; malformedGaHit: number; wrongKeyReport: number };
  medallion: { status: string; error?: string };
  silverEmail: unknown;
}

interface ReportBody {
  orders?: { count: number };
  lab_results?: { ready: number };
  links?: { keys: Record<string, number> };
}

/**
 * The demo's paths with this test's secrets, the way `tributary demo` starts the platform (settings parsed from
 * the environment, its log lines on stdout). Waits give up quietly: the first test says what did not happen.
 */
async function runSlice(home: string, google: FakeGoogle, config: ReturnType<typeof parseConfig>): Promise<SliceOutcome> {
  const settings = parseLocalSettings({ ...SECRETS, TRIBUTARY_HOME: home, TRIBUTARY_PORT: "0", TRIBUTARY_LOG_LEVEL: "DEBUG", TRIBUTARY_GA_ENDPOINT: google.endpoint });
  const platform = await startLocalPlatform({ settings, config, landingScanMs: 100, log: (line) => console.log(line) });
  try {
    const apiKey = SECRETS.TRIBUTARY_API_KEY;
    const collect = `${platform.url}/mp/collect?measurement_id=${platform.credentials.gaMeasurementId}&api_secret=${encodeURIComponent(SECRETS.TRIBUTARY_GA_API_SECRET)}`;
    const post = (url: string, body: string, key: string = apiKey) => fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-api-key": key }, body }).then(statusOf);
    const visit = (userId?: string) => JSON.stringify({ client_id: CLIENT, ...(userId ? { user_id: userId } : {}), events: [{ name: "page_view", params: { session_id: "s1", page_location: "https://shop.example.com/kits?utm_source=newsletter" } }] });

    const streams = `${platform.url}/v1/streams/user_events/records`;
    const record = { request_id: "secrets-1", request_timestamp: new Date().toISOString(), cookie_id: "cookie-secrets", topic: "kit_activated", user_account_id: CUSTOMER };
    const streamStatus = await post(streams, JSON.stringify({ records: [record] }));
    const wrongApiKey = await post(streams, JSON.stringify(record), "not-the-api-key-0000");
    const malformedRecord = await post(streams, "{not json");
    await post(collect, visit());
    const malformedGaHit = await post(collect, "{not json");
    await fetch(`${platform.url}/collect?v=1&tid=UA-123456-1&cid=${CLIENT}&t=pageview&dl=${encodeURIComponent("https://shop.example.com/legacy")}`).then(statusOf);

    const source = (await platform.changeSources.embedded("backend"))!;
    await source.db.query(`INSERT INTO "dbo"."customers" (customer_id, email, full_name, date_of_birth, country, created_at) VALUES (${CUSTOMER}, '${EMAIL}', 'Sam Secret', '1981-04-05', 'NL', now())`);
    await source.db.query(`INSERT INTO "dbo"."orders" (order_id, customer_id, kit_barcode, product_code, amount, status, ordered_at, updated_at) VALUES (${CUSTOMER}, ${CUSTOMER}, '${KIT}', 'P-001', 49.90, 'paid', now(), now())`);
    await platform.runSchedule("cdc-poll-backend");
    await post(collect, visit(CUSTOMER));
    const csv = `kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id\r\n${KIT},VITD,42.5,normal,2026-11-01T08:00:00Z,2026-11-02T16:30:00Z,lab-7\r\n${KIT},VITD,1,normal,not-a-time,2026-11-02T16:30:00Z,lab-7\r\n`;
    await platform.ports.lake.put("landing/lab_results/secrets-scan.csv.gz", gzipSync(Buffer.from(csv)));

    const reportUrl = `${platform.url}/v1/reports/customers/${CUSTOMER}`;
    const report = await waitFor(
      () => fetch(reportUrl, { headers: { "x-api-key": apiKey } }).then(async (res) => ({ status: res.status, body: res.status === 200 ? ((await res.json()) as ReportBody) : (await res.arrayBuffer(), undefined) })),
      (r) => r.status === 200 && r.body?.orders?.count === 1 && r.body.lab_results?.ready === 1 && r.body.links?.keys.email_hash === 1,
    );
    const wrongKeyReport = await fetch(reportUrl, { headers: { "x-api-key": "not-the-api-key-0000" } }).then(statusOf);
    await waitFor(async () => google.requests.filter((r) => JSON.stringify(r.body).includes(CLIENT)).length, (n) => n >= 2);

    const run = await runMedallionLocally(platform.ports);
    const medallion = run.status === "SUCCEEDED" ? { status: run.status } : { status: run.status, error: `${run.error?.error}: ${run.error?.cause}` };
    const silverEmail = await silverEmailOf(platform, config);
    return { streamStatus, report, rejected: { wrongApiKey, malformedRecord, malformedGaHit, wrongKeyReport }, medallion, silverEmail };
  } finally {
    await platform.stop();
  }
}

async function statusOf(res: Response): Promise<number> {
  await res.arrayBuffer();
  return res.status;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 150));
    value = await read();
  }
  return value;
}

async function silverEmailOf(platform: LocalPlatform, config: ReturnType<typeof parseConfig>): Promise<unknown> {
  const lake = await openLakeQuery(platform.ports.lake, config);
  try {
    const [row] = await lake.query(`SELECT email FROM silver.customers WHERE customer_id = ${CUSTOMER}`);
    return row?.email;
  } finally {
    await lake.close();
  }
}

/** What a person reading the object would see: Parquet rows as JSON (plus the file's own bytes), gzip unpacked. */
async function lakeObjectText(lake: Awaited<ReturnType<typeof openLakeQuery>>, path: string): Promise<string> {
  const bytes = await readFile(path);
  if (path.endsWith(".parquet")) {
    const rows = await lake.query(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`);
    return `${JSON.stringify(rows)}\n${bytes.toString("latin1")}`;
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes).toString("utf8");
  return bytes.toString("utf8");
}

/** Log files by name: `*.log`, and LevelDB's `LOG` / `LOG.old` (DynamoDB's store). */
const LOG_FILE = /(\.log|^LOG(\.old)?)$/;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Everything written through console or process.stdout/stderr while the slice ran, kept from the terminal. */
function captureOutput(): { stdout: string[]; stderr: string[]; restore(): void } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const format = (args: unknown[]) => `${formatWithOptions({ depth: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity }, ...args)}\n`;
  const writer = (into: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      if (callback) queueMicrotask(callback);
      return true;
    }) as typeof process.stdout.write;
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(writer(stdout)),
    vi.spyOn(process.stderr, "write").mockImplementation(writer(stderr)),
    ...(["log", "info", "debug"] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void stdout.push(format(args)))),
    ...(["warn", "error", "trace"] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void stderr.push(format(args)))),
  ];
  return { stdout, stderr, restore: () => spies.forEach((s) => s.mockRestore()) };
}

interface Finding {
  where: string;
  secret: SecretName;
  encoding: string;
  excerpt: string;
}

/**
 * Spellings of a secret a reader could turn back into it: raw, JSON-escaped, URL-encoded and hex (either case),
 * base64 and base64url at each of the three byte alignments it can have inside a longer encoded value (only the
 * characters that depend on the secret alone), and the HMAC inner/outer pads that `tokenSql` writes into SQL
 * (the key XOR 0x36 / 0x5c, in hex).
 */
function spellingsOf(secret: string): { encoding: string; pattern: RegExp }[] {
  const bytes = Buffer.from(secret, "utf8");
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pad = (xor: number) => Buffer.from(bytes.map((b) => b ^ xor)).toString("hex");
  const spellings = [
    { encoding: "raw", pattern: new RegExp(literal(secret)) },
    { encoding: "json", pattern: new RegExp(literal(JSON.stringify(secret).slice(1, -1))) },
    // Percent escapes may be written in either case (`%2F`, `%2f`); the rest of the value keeps its case.
    { encoding: "url", pattern: new RegExp(literal(encodeURIComponent(secret)).replace(/%([0-9A-F]{2})/g, (_, hex: string) => `%(?:${hex}|${hex.toLowerCase()})`)) },
    { encoding: "hex", pattern: new RegExp(bytes.toString("hex"), "i") },
    { encoding: "hmac ipad", pattern: new RegExp(pad(0x36), "i") },
    { encoding: "hmac opad", pattern: new RegExp(pad(0x5c), "i") },
  ];
  for (const shift of [0, 1, 2]) {
    for (const alphabet of ["base64", "base64url"] as const) {
      const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString(alphabet);
      // A 4-character group that holds a neighbour's byte depends on that neighbour: only whole groups of the secret.
      const whole = Math.floor((shift + bytes.length) / 3) * 4;
      spellings.push({ encoding: alphabet, pattern: new RegExp(literal(encoded.slice(shift === 0 ? 0 : 4, whole))) });
    }
  }
  return spellings.filter((s, i) => spellings.findIndex((t) => t.pattern.source === s.pattern.source) === i);
}

const SPELLINGS = Object.entries(SECRETS).flatMap(([secret, value]) => spellingsOf(value).map((s) => ({ ...s, secret: secret as SecretName })));

function findSecrets(where: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const { secret, encoding, pattern } of SPELLINGS) {
    const match = pattern.exec(text);
    if (match) findings.push({ where, secret, encoding, excerpt: text.slice(Math.max(0, match.index - 60), match.index + match[0].length + 60) });
  }
  return findings;
}
