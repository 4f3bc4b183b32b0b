/** The GA fixture corpus: real request bodies under test/events/ga (GA4 JSON) and test/events/ga/ua (UA query strings). */
import { readdirSync, readFileSync } from "node:fs";

const GA4_DIR = new URL("../events/ga/", import.meta.url);
const UA_DIR = new URL("../events/ga/ua/", import.meta.url);

/** The instant the fixtures were captured around: their timestamps are minutes to hours before it. */
export const NOW = new Date("2026-03-02T10:00:00.000Z");

/** Names of the valid GA4 fixtures (every `<case>.json` except `invalid.json`). */
export const ga4FixtureNames = (): string[] =>
  readdirSync(GA4_DIR).filter((f) => f.endsWith(".json") && f !== "invalid.json").map((f) => f.slice(0, -".json".length)).sort();

export const ga4Fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`${name}.json`, GA4_DIR), "utf8"));

/** Names of the valid UA fixtures (every `<case>.txt` except `invalid.txt`). */
export const uaFixtureNames = (): string[] =>
  readdirSync(UA_DIR).filter((f) => f.endsWith(".txt") && f !== "invalid.txt").map((f) => f.slice(0, -".txt".length)).sort();

export const uaFixture = (name: string): URLSearchParams => new URLSearchParams(readFileSync(new URL(`${name}.txt`, UA_DIR), "utf8").trim());
