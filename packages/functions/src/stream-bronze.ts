/** Consumes stream-records: queued stream records become bronze Parquet rows, or quarantine entries with their reason. */
import { parseQueuedMessage } from "@tributary/core/ingest";
import * as Streams from "@tributary/core/streams";
import { bronzeConsumer } from "./bronze-consumer";

export const handler = bronzeConsumer(
  "stream-bronze",
  (ports, batchId) => new Streams.StreamLanding(ports, batchId),
  // The id events-api answered; bronze `_record_id` too, unless the stream declares an id column (then `<stream>:<id>`).
  (body) => {
    const envelope = parseQueuedMessage(body, Streams.QueuedRecordSchema, "a stream record envelope");
    return envelope.ok ? [envelope.value.eventId] : [];
  },
);
