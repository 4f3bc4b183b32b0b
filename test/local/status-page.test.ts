/**
 * The local status page as an operator meets it: the platform runs with stream records, CDC offsets, an old batch
 * that breaks its dataset's SLO and one medallion run; `/status` opened in headless Chromium draws its charts from
 * `/status.json`, with every bar's number equal to the JSON it fetched and stale datasets marked; a screenshot is kept.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceOffset, loadOffset } from "@tributary/core/cdc";
import { datasetNamed } from "@tributary/core/config";
import { runMedallionLocally } from "@tributary/core/local";
import type { PlatformStatus } from "@tributary/core/ops";
import { land } from "../medallion/medallion-harness";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const HOURS = 3_600_000;

describe.skipIf(!hasChromium)(`status page in headless Chromium${hasChromium ? "" : ` (skipped: ${CHROMIUM} is not installed)`}`, () => {
  let platform: TestPlatform;
  let browser: Browser;
  let shots: string;
  beforeAll(async () => {
    [platform, browser, shots] = await Promise.all([
      startTestPlatform(),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
      mkdtemp(join(tmpdir(), "tributary-status-page-")),
    ]);
    const records = ["s-1", "s-2"].map((id) => ({ request_id: id, request_timestamp: new Date().toISOString(), cookie_id: "cid.1", topic: "page_view" }));
    expect((await platform.post("/v1/streams/user_events/records", { records })).status).toBe(200);
    // Offsets as two cdc-poll runs leave them (a real poll is the CDC suite's subject, and costs seconds here).
    for (const [table, lagSeconds] of [["customers", 0], ["orders", 42]] as const) {
      const offset = await loadOffset(platform.ports, "backend", table);
      await advanceOffset(platform.ports, offset, { ...offset, resume: { kind: "after", lsn: "0000002A000000000001" }, lagSeconds, lastPollAt: new Date().toISOString() });
    }
    // A batch ingested three hours ago: user_utm has data, but breaks its 60 minute SLO.
    await land(platform.ports, datasetNamed(platform.config, "user_utm"), {
      batch: "old",
      records: [{ recordId: "user_utm:old-1", ingestedAt: new Date(Date.now() - 3 * HOURS).toISOString(), row: { request_id: "old-1", source: "newsletter" } }],
    });
    expect(await platform.waitForCount("SELECT count(*) FROM bronze.user_events", 2)).toBe(2);
    expect((await runMedallionLocally(platform.ports)).status).toBe("SUCCEEDED");
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.dispose();
    if (shots) await rm(shots, { recursive: true, force: true });
  });

  it("serves the status as JSON", async () => {
    // Act
    const res = await fetch(`${platform.url}/status.json`);
    const status = (await res.json()) as PlatformStatus;

    // Assess
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(status.datasets.map((d) => d.dataset)).toEqual(["customers", "orders", "lab_results", "user_events", "user_utm", "ga_events"]);
    expect(status.datasets.find((d) => d.dataset === "user_events")).toMatchObject({ stale: false, bronzeFiles: 1, unmergedBronzeFiles: 0, silver: { rows: 2 } });
    expect(status.queues.map((q) => q.queue)).toEqual(["file-notifications", "ga-forward", "ga-hits", "link-requests", "stream-records"]);
    expect(status.cdc.map((o) => [o.table, o.lagSeconds])).toEqual([["customers", 0], ["orders", 42]]);
    expect(status.workflowRuns).toEqual([expect.objectContaining({ status: "SUCCEEDED", silverPublished: ["user_events", "user_utm"] })]);
  });

  it("draws freshness and CDC lag from /status.json, marks stale datasets, and screenshots", async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const fetched = new Map<string, PlatformStatus>();
    page.on("response", (response) => {
      if (new URL(response.url()).pathname === "/status.json") void response.json().then((s: PlatformStatus) => fetched.set(s.generatedAt, s));
    });

    // Act
    await page.goto(`${platform.url}/status`);
    await page.locator("#freshness-chart g.row").first().waitFor();
    const drawnAt = (await page.locator("#freshness-chart").getAttribute("data-generated-at"))!;
    const rows = await page.locator("#freshness-chart g.row").evaluateAll((gs) =>
      gs.map((g) => ({ dataset: g.getAttribute("data-dataset"), className: g.getAttribute("class"), name: g.querySelector("text.name")?.textContent, value: g.querySelector("rect.bar")?.getAttribute("data-value"), width: Number(g.querySelector("rect.bar")?.getAttribute("width")) })),
    );
    const lags = await page.locator("#lag-chart g.row").evaluateAll((gs) =>
      gs.map((g) => ({ table: g.getAttribute("data-cdc-table"), value: g.querySelector("rect.bar")?.getAttribute("data-value"), width: Number(g.querySelector("rect.bar")?.getAttribute("width")) })),
    );
    const banner = await page.locator("#stale-banner").textContent();
    const runsTable = await page.locator("#runs").textContent();
    const queueRows = await page.locator("#queues tr").count();
    const png = join(shots, "status.png");
    await page.screenshot({ path: png, fullPage: true });
    await page.close();

    // Assess: the page drew exactly the JSON it fetched.
    const status = fetched.get(drawnAt)!;
    expect(status).toBeDefined();
    expect(rows).toEqual(
      status.datasets.map((d) => ({
        dataset: d.dataset,
        className: `row ${d.freshnessSeconds === null ? "empty" : d.stale ? "stale" : "fresh"}`,
        name: d.dataset,
        value: d.freshnessSeconds === null ? "" : String(d.freshnessSeconds),
        width: expect.any(Number),
      })),
    );
    expect(rows.every((r) => r.width >= 2)).toBe(true);
    expect(lags).toEqual(status.cdc.map((o) => ({ table: `${o.source}.${o.table}`, value: o.lagSeconds === null ? "" : String(o.lagSeconds), width: expect.any(Number) })));
    expect(lags[1]!.width).toBeGreaterThan(lags[0]!.width);
    const utm = status.datasets.find((d) => d.dataset === "user_utm")!;
    expect(utm.freshnessSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect(rows.find((r) => r.dataset === "user_utm")!.className).toBe("row stale");
    expect(rows.find((r) => r.dataset === "user_events")!.className).toBe("row fresh");
    expect(banner).toBe(`Stale: ${status.summary.staleDatasets.join(", ")}`);
    expect(status.summary.staleDatasets).toContain("user_utm");
    expect(runsTable).toContain("SUCCEEDED");
    expect(queueRows).toBe(1 + status.queues.length);
    const image = await readFile(png);
    expect(image.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(image.length).toBeGreaterThan(10_000);
  });
});
