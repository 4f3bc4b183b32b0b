/**
 * The config's real-time report roles and `sameAs` link keys: zod checks their shape, `parseConfig`'s cross-checks
 * check that they name declared datasets, columns and keys.
 */
import { describe, expect, it } from "vitest";
import { parseConfig, type ConfigInput } from "@tributary/core/config";
import shipped from "../../tributary.config";
import { problemsOf } from "./config-problems";


const withRealtime = (realtime: Record<string, unknown>): ConfigInput => ({ ...shipped, realtime: { ...shipped.realtime, ...realtime } }) as ConfigInput;
const withLinkKeys = (extra: Record<string, unknown>): ConfigInput => ({ ...shipped, links: { keys: { ...shipped.links!.keys, ...extra } } }) as ConfigInput;
const orders = shipped.realtime!.orders!;
const [gaWeb, eventsWeb] = shipped.realtime!.web!;

describe("parseConfig: realtime", () => {
  it("accepts the shipped config and fills the realtime defaults", () => {
    // Act
    const config = parseConfig(shipped);

    // Assess
    expect(config.realtime.customerKey).toBe("customer_id");
    expect(config.realtime.orders?.excludeFromSpend).toEqual(["cancelled"]);
    expect(config.realtime.web.map((w) => w.dataset)).toEqual(["ga_events", "user_events"]);
    expect(config.realtime.jwt).toBeUndefined();
    expect(config.links.keys.ga_user_id?.sameAs).toBe("customer_id");
  });

  it("names a role column of a type the report cannot read", () => {
    expect(problemsOf(withRealtime({ orders: { ...orders, time: "status", amount: "product_code" } }))).toEqual([
      'realtime.orders.amount: column "product_code" is string; it must be a decimal or integer',
      'realtime.orders.time: column "status" is string; it must be a timestamp or date',
    ]);
  });

  it("names a role's unknown dataset", () => {
    expect(problemsOf(withRealtime({ orders: { ...orders, dataset: "purchases" } }))).toEqual(['realtime.orders.dataset: no dataset named "purchases"']);
  });

  it("names each column a role's dataset does not have", () => {
    const problems = problemsOf(
      withRealtime({
        orders: { ...orders, amount: "total", kit: "barcode" },
        labResults: { ...shipped.realtime!.labResults!, flag: "flag" },
        web: [{ ...gaWeb, bot: "robot" }, eventsWeb],
      }),
    );
    expect(problems).toEqual([
      'realtime.orders.amount: dataset "orders" has no column "total"',
      'realtime.orders.kit: dataset "orders" has no column "barcode"',
      'realtime.labResults.flag: dataset "lab_results" has no column "flag"',
      'realtime.web[0].bot: dataset "ga_events" has no column "robot"',
    ]);
  });

  it("takes GA's dataset as declared only when GA is configured", () => {
    const { ga: _ga, ...withoutGa } = shipped;
    expect(problemsOf(withoutGa)).toEqual(['realtime.web[0].dataset: no dataset named "ga_events"']);
  });

  it("requires the customer key to be a declared link key when a role is set", () => {
    expect(problemsOf(withRealtime({ customerKey: "account_number" }))).toEqual(['realtime.customerKey: link key "account_number" is not declared under links.keys']);
  });

  it("checks the JWT settings' shape and fills the customer claim", () => {
    const config = parseConfig(withRealtime({ jwt: { issuer: "https://auth.example.com/", audience: ["reports-api"] } }));
    expect(config.realtime.jwt).toEqual({ issuer: "https://auth.example.com/", audience: ["reports-api"], customerClaim: "customer_id" });
    expect(problemsOf(withRealtime({ jwt: { issuer: "not a url", audience: [] } }))).toEqual([expect.stringMatching(/^realtime\.jwt\.issuer: /), expect.stringMatching(/^realtime\.jwt\.audience: /)]);
  });

  it("refuses unknown realtime fields", () => {
    expect(problemsOf(withRealtime({ orders: { ...orders, currency: "EUR" } }))).toEqual([expect.stringMatching(/^realtime\.orders: .*currency/)]);
  });

  it("accepts a config with no realtime roles and no customer_id link key", () => {
    // Prepare
    const input: ConfigInput = { streams: [{ name: "clicks", columns: { id: "string", page: "string" }, linkKeys: { id: "click_id" } }], links: { keys: { click_id: {} } } };

    // Act
    const config = parseConfig(input);

    // Assess
    expect(config.realtime).toEqual({ customerKey: "customer_id", web: [] });
  });
});

describe("parseConfig: sameAs link keys", () => {
  it("names a sameAs pointing at an undeclared key", () => {
    expect(problemsOf(withLinkKeys({ ga_user_id: { sameAs: "customer_number" } }))).toEqual(['links.keys.ga_user_id.sameAs: link key "customer_number" is not declared under links.keys']);
  });

  it("refuses a chained sameAs, naming the key to point at", () => {
    expect(problemsOf(withLinkKeys({ app_user_id: { sameAs: "ga_user_id" } }))).toEqual(['links.keys.app_user_id.sameAs: "ga_user_id" itself has sameAs; point at "customer_id" directly']);
  });

  it("refuses a sameAs between a hashed and a clear key, either way round", () => {
    expect(problemsOf(withLinkKeys({ crm_email: { normalise: "email", sameAs: "email_hash" }, legacy_id: { hashed: true, sameAs: "customer_id" } }))).toEqual([
      'links.keys.crm_email.sameAs: "crm_email" and "email_hash" must agree on hashed',
      'links.keys.legacy_id.sameAs: "legacy_id" and "customer_id" must agree on hashed',
    ]);
  });

  it("accepts a sameAs between two hashed keys", () => {
    expect(() => parseConfig(withLinkKeys({ crm_email: { normalise: "email", hashed: true, sameAs: "email_hash" } }))).not.toThrow();
  });
});
