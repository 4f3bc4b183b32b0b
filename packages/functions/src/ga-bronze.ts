/** Consumes ga-hits: each hit's events become rows of bronze `ga_events` (or quarantine entries), written once per batch. */
import * as Ga from "@tributary/core/ga";
import { bronzeConsumer } from "./bronze-consumer";

export const handler = bronzeConsumer("ga-bronze", (ports, batchId) => new Ga.GaLanding(ports, batchId));
