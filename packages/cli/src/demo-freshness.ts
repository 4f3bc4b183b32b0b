/**
 * Measured freshness, the way a customer portal would notice it:
 * - event → report: a probe event (a stream record or a GA hit of a new, unique customer) is sent, and the
 *   real-time report API is polled until the customer's report shows the visit. p50/p95 over the probes.
 * - event → gold: from the last event of the run to the gold version that contains it (the medallion workflow
 *   is run until `gold.customer_activity` holds the last probe's entity).
 * Times are wall-clock on this machine, at the poll interval's resolution.
 */
import type { DemoSender, PlatformAddress } from "./demo-send";

export interface FreshnessSample {
  via: "stream" | "ga";
  customerId: string;
  entityId: string;
  /** Epoch ms the probe was sent. */
  sentAt: number;
  seconds: number;
}

export interface FreshnessSummary {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface ProbeOptions {
  /** How often a waiting probe asks the report API; default 200 ms. */
  pollMs?: number;
  /** How long a probe waits for its report before it counts as failed; default 60 s. */
  timeoutMs?: number;
}

export class ReportProbes {
  readonly samples: FreshnessSample[] = [];
  readonly failures: string[] = [];
  private readonly watching: Promise<void>[] = [];
  private sent = 0;

  constructor(
    private readonly platform: PlatformAddress,
    private readonly sender: DemoSender,
    private readonly run: string,
    private readonly options: ProbeOptions = {},
  ) {}

  /** Sends the next probe (alternately over the streams API and GA) and watches the report in the background. */
  async send(): Promise<void> {
    const i = this.sent++;
    const via = i % 2 === 0 ? "stream" : "ga";
    const customerId = `${this.run}-probe-${i}`;
    const sentAt = Date.now();
    const answer =
      via === "stream"
        ? await this.sender.records("user_events", {
            request_id: `${this.run}-probe-${i}`,
            request_timestamp: new Date(sentAt).toISOString(),
            cookie_id: `${this.run}.probe-${i}`,
            topic: "probe",
            user_account_id: customerId,
            location: "https://shop.example.com/account",
          })
        : await this.sender.ga4({ client_id: `${this.run}.probe-${i}`, user_id: customerId, events: [{ name: "page_view", params: { session_id: "1", page_location: "https://shop.example.com/account" } }] });
    if (answer.status >= 300) throw new Error(`demo: freshness probe ${customerId} was refused: ${answer.status} ${JSON.stringify(answer.body)}`);
    this.watching.push(this.watch(via, customerId, sentAt));
  }

  /** Waits for every probe's report (or its timeout); returns the summary of those that showed. */
  async settle(): Promise<FreshnessSummary> {
    await Promise.all(this.watching);
    return summarizeFreshness(this.samples.map((s) => s.seconds));
  }

  /** The probe sent last, once its report showed: what event → gold is measured from. */
  last(): FreshnessSample | undefined {
    return this.samples.reduce<FreshnessSample | undefined>((m, s) => (!m || s.sentAt > m.sentAt ? s : m), undefined);
  }

  private async watch(via: FreshnessSample["via"], customerId: string, sentAt: number): Promise<void> {
    const deadline = sentAt + (this.options.timeoutMs ?? 60_000);
    const url = `${this.platform.url}/v1/reports/customers/${encodeURIComponent(customerId)}`;
    let last = "";
    while (Date.now() < deadline) {
      const res = await fetch(url, { headers: { "x-api-key": this.platform.credentials.apiKey } });
      const text = await res.text();
      const body = (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : { text }) as { entity_id?: string; web?: { visitors?: number } };
      if (res.status === 200 && (body.web?.visitors ?? 0) >= 1) {
        this.samples.push({ via, customerId, entityId: body.entity_id!, sentAt, seconds: (Date.now() - sentAt) / 1000 });
        return;
      }
      last = `${res.status} ${JSON.stringify(body).slice(0, 120)}`;
      await new Promise((r) => setTimeout(r, this.options.pollMs ?? 200));
    }
    this.failures.push(`${customerId} (${via}) never showed in its report; last answer ${last}`);
  }
}

/**
 * Nearest-rank percentile of unsorted values.
 *
 * @example percentile([3, 1, 2, 4], 50) // 2
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** @example summarizeFreshness([1, 2, 3]) // { count: 3, p50: 2, p95: 3, max: 3 } */
export function summarizeFreshness(seconds: number[]): FreshnessSummary {
  return { count: seconds.length, p50: percentile(seconds, 50), p95: percentile(seconds, 95), max: seconds.length ? Math.max(...seconds) : Number.NaN };
}

export interface GoldFreshness {
  seconds: number;
  /** Medallion runs it took (a run may start before the last event's bronze batch was announced). */
  runs: number;
}

/**
 * Runs the medallion workflow until gold holds the last probe's entity; seconds from that probe's event on.
 *
 * @example await goldFreshness(probes.last()!, () => runMedallionLocally(ports), (entity) => goldHasEntity(entity))
 */
export async function goldFreshness(last: FreshnessSample, runWorkflow: () => Promise<void>, goldHas: (entityId: string) => Promise<boolean>, maxRuns = 3): Promise<GoldFreshness> {
  for (let runs = 1; runs <= maxRuns; runs += 1) {
    await runWorkflow();
    if (await goldHas(last.entityId)) return { seconds: (Date.now() - last.sentAt) / 1000, runs };
  }
  throw new Error(`demo: gold.customer_activity still lacks ${last.entityId} (probe ${last.customerId}) after ${maxRuns} medallion runs`);
}
