/**
 * The demo's first sends, answer by answer, so a user sees what each ingestion edge says: a stream batch, a
 * single record and an invalid one; GA4 hits (one from a crawler), a Universal Analytics pixel and a hit GA
 * refuses; a partner file with bad rows dropped in landing/. All counted on their flows like the live drive's.
 */
import { gzipSync } from "node:zlib";
import type { LakeStore } from "@tributary/core/lake";
import type { DemoSender } from "./demo-send";
import { landingPrefix, type DemoTally } from "./demo-tally";
import { invalidGaHit, invalidUserEvent, sampleGaHits, sampleLabResultsCsv, sampleUserEvents, sampleUtm } from "./samples";

/** Ids the live drive starts numbering from, so the two never send the same id. */
export const EDGE_IDS = 1_000_000;

export async function demoEdge(run: string, sender: DemoSender, tally: DemoTally, lake: LakeStore): Promise<void> {
  console.log(`\n▶ what each edge answers`);
  const events = sampleUserEvents(run, 25, EDGE_IDS);
  const batch = await sender.records("user_events", events.slice(0, 24));
  const single = await sender.records("user_events", events[24]!);
  const invalid = await sender.records("user_events", invalidUserEvent(run, EDGE_IDS));
  const utm = await sender.records("user_utm", sampleUtm(run, 10, EDGE_IDS));
  console.log(`  user_events batch → ${batch.status} ${JSON.stringify({ accepted: batch.body.accepted, rejected: batch.body.rejected })}`);
  console.log(`  user_events single → ${single.status} ${JSON.stringify(single.body)}`);
  console.log(`  user_events invalid → ${invalid.status} ${JSON.stringify(invalid.body.problems)}`);
  console.log(`  user_utm batch → ${utm.status} ${JSON.stringify({ accepted: utm.body.accepted })}`);

  const hits = sampleGaHits(run);
  // The last hit comes from a crawler: it is tagged is_bot, not dropped.
  const gaAnswers = await Promise.all(hits.ga4.map((hit, i) => sender.ga4(hit, i === hits.ga4.length - 1 ? { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)" } : {})));
  const uaAnswer = await sender.ua(hits.ua);
  const refused = await sender.ga4(invalidGaHit(run, EDGE_IDS));
  const gaEvents = hits.ga4.reduce((n, h) => n + h.events.length, 0);
  console.log(`  GA: ${hits.ga4.length} GA4 hits (${gaEvents} events) → ${gaAnswers.map((a) => a.status).join(",")}; 1 Universal Analytics pageview → ${uaAnswer.status}`);
  console.log(`  GA: a hit with a reserved event name → ${refused.status} ${JSON.stringify(refused.body.problems)}`);

  const fileKey = `${landingPrefix("lab_results", run)}first.csv.gz`;
  const csv = sampleLabResultsCsv(run, 12, EDGE_IDS);
  await lake.put(fileKey, gzipSync(Buffer.from(csv.text)));
  tally.sent("lab_results", csv.good + csv.bad);
  console.log(`  partner file ${fileKey} dropped (${csv.good} good rows, ${csv.bad} bad rows, gzip)`);
}
