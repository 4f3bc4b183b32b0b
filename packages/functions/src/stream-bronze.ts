/** Consumes stream-records: queued stream records become bronze Parquet rows, or quarantine entries with their reason. */
import * as Streams from "@tributary/core/streams";
import { bronzeConsumer } from "./bronze-consumer";

export const handler = bronzeConsumer("stream-bronze", (ports, batchId) => new Streams.StreamLanding(ports, batchId));
