import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { datasetNamed, LinkKeySchema, parseConfig } from "@tributary/core/config";
import { entityIdOf, hasHashedLinkKey, LinkHashKeyMissingError, linkNode, linkNodesOf } from "@tributary/core/link";
import shipped from "../../tributary.config";

const config = parseConfig(shipped);
const keys = config.links.keys;
const HASH_KEY = "test-link-hash-key-1";

describe("linkNode", () => {
  it("puts a sameAs key in its target's namespace: GA user id 42 is customer 42", () => {
    // Act
    const fromGa = linkNode(keys, "ga_user_id", "42");
    const fromBackend = linkNode(keys, "customer_id", " 42 ");
    const fromNumber = linkNode(keys, "customer_id", 42);

    // Assess
    expect(fromGa).toEqual({ key: "customer_id", value: "42", id: "customer_id:42" });
    expect(fromBackend).toEqual(fromGa);
    expect(fromNumber).toEqual(fromGa);
  });

  it("normalises per key: barcodes upper-cased and trimmed, lower, none", () => {
    const lower = { ref: LinkKeySchema.parse({ normalise: "lower" }), raw: LinkKeySchema.parse({ normalise: "none" }) };
    expect(linkNode(keys, "kit_barcode", " kit-0007 ")?.id).toBe("kit_barcode:KIT-0007");
    expect(linkNode(keys, "ga_client_id", " 1234.5678 ")?.id).toBe("ga_client_id:1234.5678");
    expect(linkNode(lower, "ref", " AbC ")?.id).toBe("ref:abc");
    expect(linkNode(lower, "raw", " AbC ")?.id).toBe("raw: AbC ");
  });

  it("keeps hashed keys as an HMAC-SHA256 of the normalised value under the hash key, never the value", () => {
    // Act
    const node = linkNode(keys, "email_hash", "  Ann.Smith@Example.COM ", HASH_KEY)!;

    // Assess
    expect(node.key).toBe("email_hash");
    expect(node.value).toMatch(/^[0-9a-f]{64}$/);
    expect(node.id).toBe(`email_hash:${node.value}`);
    // The stored form is a contract: link tables written by one deployment are read by the next.
    expect(node.value).toBe(createHmac("sha256", HASH_KEY).update("email_hash:ann.smith@example.com").digest("hex"));
    for (const clear of ["ann.smith@example.com", "Ann.Smith", "ann.smith", "example.com"]) expect(node.id.toLowerCase()).not.toContain(clear.toLowerCase());
  });

  it("gives one node per email whatever its case and padding, and another under another hash key", () => {
    const a = linkNode(keys, "email_hash", "ann@example.com", HASH_KEY);
    const b = linkNode(keys, "email_hash", " ANN@example.com", HASH_KEY);
    const otherKey = linkNode(keys, "email_hash", "ann@example.com", "another-hash-key");
    const otherEmail = linkNode(keys, "email_hash", "bob@example.com", HASH_KEY);
    expect(b).toEqual(a);
    expect(otherKey!.value).not.toBe(a!.value);
    expect(otherEmail!.value).not.toBe(a!.value);
  });

  it("refuses a hashed key without the hash key, naming the link key and the secret", () => {
    for (const missing of [undefined, ""]) {
      const act = () => linkNode(keys, "email_hash", "ann@example.com", missing);
      expect(act).toThrow(LinkHashKeyMissingError);
      expect(act).toThrow(/^link: link key "email_hash" is hashed, but secret LINK_HASH_KEY is not set/);
    }
  });

  it("gives no node for empty values (without asking for the hash key) or undeclared keys", () => {
    for (const raw of [null, undefined, "", "   "]) {
      expect(linkNode(keys, "customer_id", raw), String(raw)).toBeUndefined();
      expect(linkNode(keys, "kit_barcode", raw), String(raw)).toBeUndefined();
      expect(linkNode(keys, "email_hash", raw), String(raw)).toBeUndefined();
    }
    expect(linkNode(keys, "no_such_key", "42")).toBeUndefined();
  });
});

describe("linkNodesOf", () => {
  const withLogins = parseConfig({
    ...shipped,
    streams: [
      ...(shipped.streams ?? []),
      {
        name: "logins",
        columns: { account_id: "string", login_user: "string", kit: "string", cookie: "string", note: "string" },
        linkKeys: { kit: "kit_barcode", login_user: "ga_user_id", cookie: "ga_client_id", account_id: "customer_id" },
      },
    ],
  });
  const logins = datasetNamed(withLogins, "logins");

  it("gives a row's distinct nodes sorted by id, one per namespace value", () => {
    // Act
    const nodes = linkNodesOf(logins, withLogins.links.keys, { account_id: "42", login_user: " 42", kit: "kit-1", cookie: "c-1", note: "hello" });

    // Assess
    expect(nodes.map((n) => n.id)).toEqual(["customer_id:42", "ga_client_id:c-1", "kit_barcode:KIT-1"]);
  });

  it("leaves out empty values and gives nothing for a row without link values", () => {
    expect(linkNodesOf(logins, withLogins.links.keys, { account_id: null, login_user: "", kit: "  ", cookie: "c-1" }).map((n) => n.id)).toEqual(["ga_client_id:c-1"]);
    expect(linkNodesOf(logins, withLogins.links.keys, { note: "no keys" })).toEqual([]);
  });

  it("hashes a dataset's PII key with the hash key and refuses it without one", () => {
    // Prepare
    const customers = datasetNamed(config, "customers");
    const row = { customer_id: "42", email: "Ann@Example.com", full_name: "Ann" };

    // Act
    const nodes = linkNodesOf(customers, keys, row, HASH_KEY);

    // Assess
    expect(nodes.map((n) => n.key)).toEqual(["customer_id", "email_hash"]);
    expect(() => linkNodesOf(customers, keys, row)).toThrow(LinkHashKeyMissingError);
    expect(linkNodesOf(customers, keys, { ...row, email: null }).map((n) => n.id)).toEqual(["customer_id:42"]);
  });
});

describe("hasHashedLinkKey", () => {
  it("tells which datasets link by a hashed key", () => {
    expect(hasHashedLinkKey(datasetNamed(config, "customers"), keys)).toBe(true);
    for (const name of ["orders", "lab_results", "user_events", "ga_events"]) expect(hasHashedLinkKey(datasetNamed(config, name), keys), name).toBe(false);
  });
});

describe("entityIdOf", () => {
  it("names a node's starting entity the same way every time, distinct per node", () => {
    const id = entityIdOf("customer_id:42");
    expect(id).toMatch(/^ent_[0-9a-f]{26}$/);
    expect(entityIdOf("customer_id:42")).toBe(id);
    expect(entityIdOf("customer_id:43")).not.toBe(id);
    expect(entityIdOf("ga_client_id:42")).not.toBe(id);
  });
});
