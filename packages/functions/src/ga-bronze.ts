/** Consumes ga-hits: each hit's events become rows of bronze `ga_events` (or quarantine entries), written once per batch. */
import * as Ga from "@tributary/core/ga";
import { parseQueuedMessage } from "@tributary/core/ingest";
import { bronzeConsumer } from "./bronze-consumer";

export const handler = bronzeConsumer(
  "ga-bronze",
  (ports, batchId) => new Ga.GaLanding(ports, batchId),
  // One per event of the hit; each is its row's bronze `_record_id`.
  (body) => {
    const hit = parseQueuedMessage(body, Ga.GaHitSchema, "a GA hit");
    return hit.ok ? hit.value.events.map((e) => e.eventId) : [];
  },
);
