import { describe, expect, it } from "vitest";
import { datasets, parseConfig, type ConfigInput } from "@tributary/core/config";
import shipped from "../../tributary.config";
import { problemsOf } from "./config-problems";


const table = (overrides: Record<string, unknown> = {}) => ({ name: "things", table: "dbo.things", primaryKey: ["id"], columns: { id: "bigint" }, ...overrides });

describe("parseConfig", () => {
  it("accepts the shipped example domain and fills defaults", () => {
    // Act
    const config = parseConfig(shipped);

    // Assess
    expect(datasets(config).map((d) => d.name)).toEqual(["customers", "orders", "lab_results", "user_events", "user_utm", "ga_events"]);
    expect(config.settings.bronze.maxRowsPerFile).toBe(250_000);
    expect(config.sources[0]!.batchSize).toBe(10_000);
  });

  it("names the path of a missing field", () => {
    // Prepare
    const { primaryKey: _omit, ...withoutKey } = table({ name: "second" });

    // Act
    const problems = problemsOf({ sources: [{ type: "sqlserver", name: "backend", tables: [table(), withoutKey] }] });

    // Assess
    expect(problems).toEqual(["sources[0].tables[1].primaryKey: required"]);
  });

  it("explains unknown column types and bad names", () => {
    const problems = problemsOf({ streams: [{ name: "Clicks!", columns: { id: "uuid", amount: "decimal(40,2)" } }] });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^streams\[0\]\.name: must be 3-63 chars/),
        expect.stringMatching(/^streams\[0\]\.columns\.id: unknown type "uuid"/),
        "streams[0].columns.amount: decimal precision must be 1..38, got 40",
      ]),
    );
  });

  it("checks cross-references zod cannot see", () => {
    // Prepare
    const input: ConfigInput = {
      sources: [
        {
          type: "sqlserver",
          name: "backend",
          tables: [
            table({ columns: { id: "bigint", email: { type: "string", pii: "tokenise" }, seen: "string" }, partitionTime: "seen", linkKeys: { email: "email_key", nope: "customer_id" } }),
          ],
        },
      ],
      streams: [{ name: "things", columns: { id: "string" }, idColumn: "missing" }],
      links: { keys: { email_key: { normalise: "email" } } },
      quality: [{ dataset: "ghosts", column: "id", check: "not_null" }],
    };

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems).toEqual([
      'sources[0].tables[0].partitionTime: column "seen" is string; it must be a timestamp or date',
      'sources[0].tables[0].linkKeys.email: column "email" is PII, so link key "email_key" must set hashed: true',
      'sources[0].tables[0].linkKeys.nope: column "nope" is not declared in columns',
      'sources[0].tables[0].linkKeys.nope: link key "customer_id" is not declared under links.keys',
      'streams[0].name: dataset "things" is already declared at sources[0].tables[0]',
      'streams[0].idColumn: column "missing" is not declared in columns',
      'quality[0].dataset: no dataset named "ghosts"',
    ]);
  });

  it("refuses unknown keys instead of ignoring typos", () => {
    expect(problemsOf({ streams: [{ name: "clicks", columns: { id: "string" }, partitonTime: "id" }] })).toEqual([
      expect.stringMatching(/^streams\[0\]: Unrecognized key: "partitonTime"/),
    ]);
  });

  it("puts datasets holding PII under the restricted prefix and adds lineage columns", () => {
    const all = datasets(parseConfig(shipped));
    const customers = all.find((d) => d.name === "customers")!;
    const events = all.find((d) => d.name === "user_events")!;
    expect(customers.restricted).toBe(true);
    expect(events.restricted).toBe(false);
    expect(customers.columns.filter((c) => c.lineage).map((c) => c.name)).toEqual([
      "_record_id", "_ingested_at", "_source", "_batch_id", "_lsn", "_seqval", "_op", "_commit_ts",
    ]);
  });
});
