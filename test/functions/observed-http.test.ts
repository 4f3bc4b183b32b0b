/** Which correlation id an HTTP request gets: the client's when it is safe to carry, else API Gateway's request id. */
import { describe, expect, it } from "vitest";
import { requestCorrelationId } from "../../packages/functions/src/observed-http";

const request = (headers: Record<string, string>) => ({ headers, requestContext: { requestId: "JmM7SjVhoAMEJgw=" } });

describe("requestCorrelationId", () => {
  it("takes the client's x-correlation-id when it is one", () => {
    // Act
    const ids = ["test-corr-123", "01JD3Z8K5Q7X9V2M4N6P8R0T1W", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "order-42:retry.1", "Root=1+2/3_4", "x".repeat(128)].map((id) =>
      requestCorrelationId(request({ "x-correlation-id": id })),
    );

    // Assess
    expect(ids.map((r) => r.correlationId)).toEqual(["test-corr-123", "01JD3Z8K5Q7X9V2M4N6P8R0T1W", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "order-42:retry.1", "Root=1+2/3_4", "x".repeat(128)]);
    expect(ids.every((r) => r.ignored === undefined)).toBe(true);
  });

  it("uses API Gateway's request id when the client sends none", () => {
    expect(requestCorrelationId(request({ "x-api-key": "k" }))).toEqual({ correlationId: "JmM7SjVhoAMEJgw=" });
  });

  it("ignores an id it must not carry into logs, headers and traces, saying why without echoing it", () => {
    // Act
    const refused = ["", "x".repeat(129), "two words", 'quote"d', "line\nbreak", "a,b", "naïve", "{json}"].map((id) => requestCorrelationId(request({ "x-correlation-id": id })));

    // Assess
    for (const r of refused) {
      expect(r.correlationId).toBe("JmM7SjVhoAMEJgw=");
      expect(r.ignored).toMatch(/^x-correlation-id of \d+ characters must be 1 to 128 letters, digits or/);
    }
    expect(refused[1]!.ignored).toContain("of 129 characters");
    expect(refused.map((r) => r.ignored).join(" ")).not.toMatch(/two words|quote|break|json/);
  });
});
