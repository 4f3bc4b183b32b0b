import { describe, expect, it } from "vitest";
import { truncateIp } from "@tributary/core/streams";

describe("truncateIp", () => {
  it.each([
    ["203.0.113.77", "203.0.113.0"],
    ["::ffff:203.0.113.77", "203.0.113.0"],
    ["2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0::"],
    ["::1", "0:0:0::"],
    ["not-an-ip", null],
    [undefined, null],
  ])("%s → %s", (ip, expected) => {
    expect(truncateIp(ip)).toBe(expected);
  });
});
