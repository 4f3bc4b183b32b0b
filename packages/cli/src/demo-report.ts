/**
 * The demo's real-time report: one sample customer whose data arrives through all four kinds of source — the
 * backend's SQL Server (customer and order, via CDC), GA (a visit from a newsletter before logging in, then a
 * login), the streams API (a kit activation) and a partner lab file (the kit's result) — linked into one entity
 * and read back from `GET /v1/reports/customers/{id}`, the way a customer portal would. Every send is counted
 * on its flow, so the sample customer is reconciled with the rest of the run.
 */
import { gzipSync } from "node:zlib";
import type { TributaryConfig } from "@tributary/core/config";
import type { LocalPlatform } from "@tributary/core/local";
import type { CdcDriver } from "./demo-cdc";
import type { DemoSender } from "./demo-send";
import { landingPrefix, type DemoTally } from "./demo-tally";

const WAIT_MS = 60_000;

interface Report {
  entity_id: string;
  as_of: string | null;
  freshness_seconds: number | null;
  orders: { count: number; spend: string };
  kits: { kit_barcode: string; status: string }[];
  lab_results: { ready: number };
  web: { sessions: number; visitors: number; last_seen: string | null; first_visit: { at: string; utm_source: string | null } | null };
  links: { keys: Record<string, number>; merged_entities: number };
}

export interface ReportContext {
  platform: LocalPlatform;
  config: TributaryConfig;
  run: string;
  sender: DemoSender;
  tally: DemoTally;
  cdc: CdcDriver[];
}

/** Whether the config has the example domain's shape this part drives (the shipped config does). */
function exampleDomain(config: TributaryConfig): boolean {
  const backend = config.sources.find((s) => s.tables.some((t) => t.name === "customers") && s.tables.some((t) => t.name === "orders"));
  return Boolean(backend && config.realtime.orders && config.realtime.labResults && config.ga && config.feeds.some((f) => f.name === "lab_results") && config.streams.some((s) => s.name === "user_events"));
}

/** Returns the sample customer's entity id (for the gold part), or undefined when skipped. */
export async function demoReport(ctx: ReportContext): Promise<string | undefined> {
  const { platform, config, run, sender } = ctx;
  const backend = ctx.cdc.find((c) => c.source.tables.some((t) => t.name === "customers") && c.source.tables.some((t) => t.name === "orders"));
  if (!exampleDomain(config) || !backend) {
    console.log("\n▶ real-time report: skipped (needs the example config's customers/orders on the embedded stand-in, GA, user_events and the lab_results feed)");
    return undefined;
  }
  const customerId = String(900_000_000 + (Date.now() % 100_000_000));
  const kit = `KIT-${run.toUpperCase()}-R`;
  const client = `${run}.7007`;
  console.log(`\n▶ real-time report: customer ${customerId} across four sources`);

  await sender.ga4({ client_id: client, events: [{ name: "page_view", params: { session_id: "1", page_location: "https://shop.example.com/kits?utm_source=partner_newsletter" } }] });
  console.log(`  GA         an anonymous visit from a newsletter link (client ${client})`);

  const customers = backend.source.tables.find((t) => t.name === "customers")!.table;
  const orders = backend.source.tables.find((t) => t.name === "orders")!.table;
  await backend.execute("insert", `INSERT INTO ${customers} (customer_id, email, full_name, date_of_birth, country, created_at) VALUES (${customerId}, 'sample.${run}@example.com', 'Sam Sample', '1984-05-06', 'NL', now())`);
  await backend.execute("insert", `INSERT INTO ${orders} (order_id, customer_id, kit_barcode, product_code, amount, status, ordered_at, updated_at) VALUES (${customerId}, ${customerId}, '${kit}', 'P-001', 79.00, 'paid', now(), now())`);
  await backend.poll();
  console.log(`  SQL Server customer ${customerId} and order ${customerId} for kit ${kit} (captured by cdc-poll)`);

  await sender.ga4({ client_id: client, user_id: customerId, events: [{ name: "login", params: { session_id: "2", page_location: "https://shop.example.com/account" } }] });
  console.log(`  GA         the visitor logs in: user_id ${customerId} links the earlier visit`);

  await sender.records("user_events", { request_id: `${run}-sample-activation`, request_timestamp: new Date().toISOString(), cookie_id: client, topic: "kit_activated", user_account_id: customerId, location: "https://shop.example.com/activate" });
  console.log(`  stream     the app reports the kit's activation (user_events, same cookie)`);

  const csv = `kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id\r\n${kit},VITD,48.1,normal,2026-11-01T08:00:00Z,2026-11-03T16:30:00Z,lab-7\r\n`;
  await platform.ports.lake.put(`${landingPrefix("lab_results", run)}report.csv.gz`, gzipSync(Buffer.from(csv)));
  ctx.tally.sent("lab_results", 1);
  console.log(`  partner    lab result for ${kit} dropped in landing/lab_results/`);

  const url = `${platform.url}/v1/reports/customers/${customerId}`;
  const deadline = Date.now() + WAIT_MS;
  let report: Report | undefined;
  while (Date.now() < deadline) {
    const res = await fetch(url, { headers: { "x-api-key": platform.credentials.apiKey } });
    if (res.status === 200) {
      report = (await res.json()) as Report;
      if (report.orders.count >= 1 && report.lab_results.ready >= 1 && report.web.sessions >= 2) break;
    } else await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!report || report.orders.count < 1 || report.lab_results.ready < 1 || report.web.sessions < 2) {
    throw new Error(`demo: the report of customer ${customerId} did not fill within ${WAIT_MS / 1000}s: ${JSON.stringify(report)}`);
  }
  console.log(`  GET ${url.replace(platform.url, "")}  (x-api-key)`);
  console.log(`    entity ${report.entity_id}, linked keys ${JSON.stringify(report.links.keys)}, ${report.links.merged_entities} entities merged`);
  console.log(`    orders ${report.orders.count}, spend ${report.orders.spend}; kits ${report.kits.map((k) => `${k.kit_barcode} ${k.status}`).join(", ")}; lab results ready ${report.lab_results.ready}`);
  console.log(`    web sessions ${report.web.sessions} of ${report.web.visitors} visitor(s), last seen ${report.web.last_seen}, first visit from ${report.web.first_visit?.utm_source ?? "(direct)"}`);
  console.log(`    as_of ${report.as_of} (freshness ${report.freshness_seconds} s)`);
  return report.entity_id;
}
