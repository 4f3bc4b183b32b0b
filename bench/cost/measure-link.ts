/**
 * The link step on what a path announced: each `record.ingested` entry delivered alone (one SQS message, as the
 * bus rule delivers it) to the wired link handler, until at least `maxRecords` records were linked. Items are
 * records: the announced ones, or for an announcement past its cap (no keys carried) every row of its batch.
 */
import type { BusEvent } from "../../packages/core/src/platform";
import { busDeliveryBody, sqsEventOf, type CostEnvironment } from "./environment";
import { MeasurementError } from "./errors";
import { invokeMeasured, SampleBuilder } from "./invoke-measured";
import type { WorkSample } from "./work";

interface AnnouncedDetail {
  landed: number;
  part: number;
  linkKeysComplete: boolean;
  records: unknown[];
}

function recordsOf(event: BusEvent): number {
  const d = event.detail as unknown as AnnouncedDetail;
  if (d.linkKeysComplete) return d.records.length;
  return d.part === 0 ? d.landed : 0;
}

/**
 * One sample per invocation, so that a fit can tell an announcement's fixed cost from a record's.
 *
 * @example const samples = await measureLink(env, env.counting.takeEvents(), 3000);
 */
export async function measureLink(env: CostEnvironment, events: readonly BusEvent[], maxRecords: number): Promise<WorkSample[]> {
  const link = await env.load("link");
  const samples: WorkSample[] = [];
  let linked = 0;
  for (const event of events) {
    if (event.detailType !== "record.ingested" || linked >= maxRecords) continue;
    const records = recordsOf(event);
    if (records === 0) continue;
    const call = await invokeMeasured(env.counting, link, sqsEventOf("link-requests", [{ id: "link", body: busDeliveryBody(event) }]));
    const sample = new SampleBuilder();
    sample.add(call, records);
    samples.push(sample.build());
    linked += records;
  }
  if (samples.length === 0) throw new MeasurementError("cost: no record.ingested announcement to link");
  return samples;
}
