import { describe, expect, it } from "vitest";
import { PRICE_REGION, PRICES, PRICES_AS_OF } from "../../bench/cost/prices";

describe("the price table", () => {
  it("is one region's list prices on one date", () => {
    expect(PRICE_REGION).toBe("eu-west-1");
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("gives every price a positive amount, a unit and an AWS pricing page", () => {
    for (const [key, price] of Object.entries(PRICES)) {
      expect(price.usd, key).toBeGreaterThan(0);
      expect(price.per, key).toBeGreaterThan(0);
      expect(price.unit.length, key).toBeGreaterThan(10);
      expect(price.source, key).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/pricing\//);
    }
  });
});
