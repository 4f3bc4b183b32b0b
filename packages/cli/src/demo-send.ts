/**
 * The demo's HTTP senders: stream records and GA hits posted the way clients post them, each answer counted on
 * its flow — accepted, or refused with a 4xx (the client is told, nothing is kept). Any other answer (401, 5xx)
 * or no answer fails the demo: reconciliation could not say what became of those records.
 */
import type { DemoTally } from "./demo-tally";

export interface PlatformAddress {
  url: string;
  credentials: { apiKey: string; gaMeasurementId?: string; gaApiSecret: string };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export class DemoSender {
  constructor(
    private readonly platform: PlatformAddress,
    private readonly tally: DemoTally,
  ) {}

  /** One record (202 or 400) or `{ records }` (200/400 with per-record results). */
  async records(stream: string, body: Record<string, unknown> | Record<string, unknown>[]): Promise<Answer> {
    const batch = Array.isArray(body);
    const answer = await this.post(`/v1/streams/${encodeURIComponent(stream)}/records`, batch ? { records: body } : body);
    if (batch && typeof answer.body.accepted === "number" && typeof answer.body.rejected === "number") {
      this.tally.sent(stream, body.length, answer.body.rejected);
    } else if (!batch && (answer.status === 202 || answer.status === 400)) {
      this.tally.sent(stream, 1, answer.status === 400 ? 1 : 0);
    } else {
      throw new Error(`demo: POST /v1/streams/${stream}/records answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer;
  }

  /** A GA4 Measurement Protocol hit: 204 keeps all its events, 400 refuses all of them. */
  async ga4(hit: { client_id: string; user_id?: string; events: readonly unknown[] }, headers: Record<string, string> = {}): Promise<Answer> {
    const { gaMeasurementId, gaApiSecret } = this.platform.credentials;
    const answer = await this.post(`/mp/collect?measurement_id=${gaMeasurementId}&api_secret=${gaApiSecret}`, hit, headers);
    if (answer.status !== 204 && answer.status !== 400) throw new Error(`demo: POST /mp/collect answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    this.tally.sent("ga_events", hit.events.length, answer.status === 400 ? hit.events.length : 0);
    return answer;
  }

  /** A Universal Analytics pixel (GET /collect): one event. */
  async ua(params: string): Promise<Answer> {
    const res = await fetch(`${this.platform.url}/collect?${params}`);
    const text = await res.text(); // a GIF pixel when accepted, JSON problems when refused
    const answer = { status: res.status, body: (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : {}) as Record<string, unknown> };
    if (answer.status !== 200 && answer.status !== 400) throw new Error(`demo: GET /collect answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    this.tally.sent("ga_events", 1, answer.status === 400 ? 1 : 0);
    return answer;
  }

  private async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${this.platform.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": this.platform.credentials.apiKey, ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text(); // 204s have no body
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }
}
