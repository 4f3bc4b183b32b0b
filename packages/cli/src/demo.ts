/**
 * `npm run demo`: starts the local platform, sends sample data through every path that exists (stream
 * records over HTTP, GA hits, a partner file with bad rows dropped in landing/, SQL Server changes captured
 * from the embedded stand-in), waits until it lands, prints what it
 * queried from bronze and quarantine and a sample customer's real-time report linked across three sources, and exits 0. Runs again happily: each run tags its records with a run id.
 */
import { gzipSync } from "node:zlib";
import { openLakeQuery } from "@tributary/core/catalog";
import type { TributaryConfig } from "@tributary/core/config";
import type { LakeStore } from "@tributary/core/lake";
import { startLocalPlatform, type LocalSettings } from "@tributary/core/local";
import { loadConfig } from "./load-config";
import { demoCdc } from "./demo-cdc";
import { demoMedallion } from "./demo-medallion";
import { demoReport } from "./demo-report";
import { formatTable } from "./table";
import { startGoogleStandIn } from "./google-stand-in";
import { sampleGaHits, sampleLabResultsCsv, sampleUserEvents, sampleUtm } from "./samples";

const WAIT_MS = 90_000;

export async function runDemo(settings: LocalSettings, configPath: string): Promise<void> {
  const { config } = await loadConfig(configPath);
  // A busy 8787 (a `tributary dev` already running) must not fail the demo: use any free port unless one is set.
  const port = process.env.TRIBUTARY_PORT ? settings.port : 0;
  // Offline machines cannot reach Google: unless an endpoint is set, forwarding goes to a loopback stand-in.
  const google = process.env.TRIBUTARY_GA_ENDPOINT ? undefined : await startGoogleStandIn();
  const gaEndpoint = google?.endpoint ?? settings.gaEndpoint;
  const platform = await startLocalPlatform({ settings: { ...settings, port, ...(gaEndpoint ? { gaEndpoint } : {}) }, config, log: console.log });
  const run = `demo-${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}`;
  try {
    console.log(`\n▶ run ${run}: sending stream records to ${platform.url}`);
    const events = sampleUserEvents(run, 25);
    const post = (url: string, body: unknown) => postJson(url, body, platform.credentials.apiKey);
    const batch = await post(`${platform.url}/v1/streams/user_events/records`, { records: events.slice(0, 24) });
    const single = await post(`${platform.url}/v1/streams/user_events/records`, events[24]);
    const invalid = await post(`${platform.url}/v1/streams/user_events/records`, { request_id: `${run}-bad`, request_timestamp: "yesterday" });
    const utm = await post(`${platform.url}/v1/streams/user_utm/records`, { records: sampleUtm(run, 10) });
    console.log(`  user_events batch → ${batch.status} ${JSON.stringify({ accepted: batch.body.accepted, rejected: batch.body.rejected })}`);
    console.log(`  user_events single → ${single.status} ${JSON.stringify(single.body)}`);
    console.log(`  user_events invalid → ${invalid.status} ${JSON.stringify(invalid.body.problems)}`);
    console.log(`  user_utm batch → ${utm.status} ${JSON.stringify({ accepted: utm.body.accepted })}`);

    const { gaMeasurementId, gaApiSecret } = platform.credentials;
    const hits = sampleGaHits(run);
    const collect = `${platform.url}/mp/collect?measurement_id=${gaMeasurementId}&api_secret=${gaApiSecret}`;
    // The last hit comes from a crawler: it is tagged is_bot, not dropped.
    const gaAnswers = await Promise.all(
      hits.ga4.map((hit, i) => postJson(collect, hit, platform.credentials.apiKey, i === hits.ga4.length - 1 ? { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)" } : {})),
    );
    const uaAnswer = await fetch(`${platform.url}/collect?${hits.ua}`);
    const gaEvents = hits.ga4.reduce((n, h) => n + h.events.length, 0);
    console.log(`▶ GA: ${hits.ga4.length} GA4 hits (${gaEvents} events) → ${gaAnswers.map((a) => a.status).join(",")}; 1 Universal Analytics pageview → ${uaAnswer.status} ${uaAnswer.headers.get("content-type")}`);

    const fileKey = `landing/lab_results/${run}.csv.gz`;
    const csv = sampleLabResultsCsv(run, 12);
    await platform.ports.lake.put(fileKey, gzipSync(Buffer.from(csv.text)));
    console.log(`▶ dropped partner file ${fileKey} (${csv.good} good rows, ${csv.bad} bad rows, gzip)`);

    console.log("▶ waiting for bronze…");
    const expected = { user_events: 25, user_utm: 10, ga_events: gaEvents + 1, lab_results: csv.good, lab_quarantine: csv.bad };
    const counts = await waitFor(platform.ports.lake, config, run, fileKey, expected);
    console.log(formatTable([{ dataset: "bronze.user_events", landed: counts.user_events, expected: expected.user_events }, { dataset: "bronze.user_utm", landed: counts.user_utm, expected: expected.user_utm }, { dataset: "bronze.ga_events", landed: counts.ga_events, expected: expected.ga_events }, { dataset: "bronze.lab_results", landed: counts.lab_results, expected: expected.lab_results }, { dataset: "quarantine.lab_results", landed: counts.lab_quarantine, expected: expected.lab_quarantine }]));

    const lake = await openLakeQuery(platform.ports.lake, config);
    try {
      const show = async (title: string, sql: string) => {
        console.log(`\n▶ ${title}\n  ${sql}`);
        console.log(formatTable(await lake.query(sql)));
      };
      await show("stream records read back from Parquet", `SELECT request_id, request_timestamp, topic, user_account_id, dt, hour, _source_ip FROM bronze.user_events WHERE request_id LIKE '${run}-%' ORDER BY request_id LIMIT 5`);
      await show("records per partition", `SELECT dt, hour, count(*) AS records FROM bronze.user_events WHERE request_id LIKE '${run}-%' GROUP BY ALL ORDER BY ALL`);
      await show("GA hits read back from bronze (emails stripped, bots tagged)", `SELECT protocol, event_name, client_id, user_id, page_location, is_bot FROM bronze.ga_events WHERE client_id LIKE '${run}%' ORDER BY event_time, event_name`);
      await show("partner file rows landed", `SELECT kit_barcode, test_code, result_flag, reported_at, _row_number FROM bronze.lab_results WHERE _file = '${fileKey}' ORDER BY _row_number LIMIT 5`);
      await show("quarantined rows with their reason", `SELECT _origin, _reason FROM quarantine.lab_results WHERE _origin LIKE '${fileKey}:%' ORDER BY _origin`);
    } finally {
      await lake.close();
    }
    await demoCdc(platform, config, () => openLakeQuery(platform.ports.lake, config));
    if (google) {
      const deadline = Date.now() + 15_000;
      while (google.events(run) < gaEvents + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      console.log(`\n▶ forwarded to the Google stand-in (${google.endpoint}): ${google.events(run)} of ${gaEvents + 1} events of this run (UA mapped to GA4)`);
    }
    const sampleEntity = await demoReport(platform, config, run);
    await demoMedallion(platform, () => openLakeQuery(platform.ports.lake, config), sampleEntity);
    console.log(`\n✔ demo finished. Query more: npx tributary query "SELECT count(*) AS n FROM bronze.user_events"`);
  } finally {
    await platform.stop();
    await google?.stop();
  }
}

async function postJson(url: string, body: unknown, apiKey: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-api-key": apiKey, ...headers }, body: JSON.stringify(body) });
  const text = await res.text(); // 204s have no body
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

type Counts = { user_events: number; user_utm: number; ga_events: number; lab_results: number; lab_quarantine: number };

async function waitFor(store: LakeStore, config: TributaryConfig, run: string, fileKey: string, expected: Counts): Promise<Counts> {
  const deadline = Date.now() + WAIT_MS;
  let counts: Counts = { user_events: 0, user_utm: 0, ga_events: 0, lab_results: 0, lab_quarantine: 0 };
  while (Date.now() < deadline) {
    const lake = await openLakeQuery(store, config);
    try {
      const [row] = await lake.query(`SELECT
        (SELECT count(*) FROM bronze.user_events WHERE request_id LIKE '${run}-%') AS user_events,
        (SELECT count(*) FROM bronze.user_utm WHERE request_id LIKE '${run}-%') AS user_utm,
        (SELECT count(*) FROM bronze.ga_events WHERE client_id LIKE '${run}%') AS ga_events,
        (SELECT count(*) FROM bronze.lab_results WHERE _file = '${fileKey}') AS lab_results,
        (SELECT count(*) FROM quarantine.lab_results WHERE _origin LIKE '${fileKey}:%') AS lab_quarantine`);
      counts = Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)])) as Counts;
    } finally {
      await lake.close();
    }
    if ((Object.keys(expected) as (keyof Counts)[]).every((k) => counts[k] >= expected[k])) return counts;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`demo: records did not land within ${WAIT_MS / 1000}s: got ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}`);
}
