/**
 * Realistic sample data for the demo, tagged with the run id so repeated runs can be told apart (and reconciled
 * on their own): stream ids start `<run>-`, GA client ids `<run>.`, partner files are named `<run>-…`. Ids are
 * numbered from `from`, so the live drive can send a flow in slices without repeating one.
 */
const TOPICS = ["page_view", "login", "kit_activated", "checkout", "results_viewed"];
const SOURCES = ["google", "newsletter", "facebook", "partner_site"];
const pad = (i: number) => String(i).padStart(6, "0");

export function sampleUserEvents(run: string, n: number, from = 0): Record<string, unknown>[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      request_id: `${run}-ue-${pad(i)}`,
      request_timestamp: new Date(now - (i % 40) * 97_000).toISOString(),
      cookie_id: `cid.${1000 + (i % 7)}`,
      topic: TOPICS[i % TOPICS.length],
      message: { page: `/kits/${i % 3}`, step: i % 4 },
      environment: "demo",
      website_id: "web-eu",
      user_account_id: i % 3 === 0 ? String(42 + (i % 5)) : null,
      location: ["GB", "DE", "FR", "ES"][i % 4],
      user_agent: "Mozilla/5.0 (demo)",
      referrer: i % 2 ? "https://www.google.com/" : null,
    };
  });
}

/** A user_events record the edge refuses: its timestamp is not one. */
export function invalidUserEvent(run: string, i: number): Record<string, unknown> {
  return { request_id: `${run}-bad-${pad(i)}`, request_timestamp: "yesterday" };
}

export function sampleUtm(run: string, n: number, from = 0): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      request_id: `${run}-utm-${pad(i)}`,
      source: SOURCES[i % SOURCES.length],
      medium: i % 2 ? "cpc" : "email",
      campaign: "autumn_kits",
      device: i % 3 ? "mobile" : "desktop",
    };
  });
}

/** A partner CSV with a header, quoted fields and two bad rows (a wrong timestamp, a missing barcode). */
export function sampleLabResultsCsv(run: string, n: number, file = 0): { text: string; good: number; bad: number } {
  const lines = ["kit_barcode,test_code,result_value,result_flag,collected_at,reported_at,lab_id"];
  const kit = `KIT-${run.toUpperCase()}-${file}`;
  for (let i = 0; i < n; i++) {
    const day = String(1 + (i % 20)).padStart(2, "0");
    lines.push(`${kit}-${i},VITD,"${(20 + (i % 40) * 1.5).toFixed(1)}",${i % 4 ? "normal" : "low"},2026-10-${day}T08:00:00Z,2026-10-${day}T16:30:00.123456Z,lab-7`);
  }
  lines.push(`${kit}-x1,VITD,"33.0",normal,2026-10-01T08:00:00Z,not-a-time,lab-7`);
  lines.push(`,B12,"410",normal,2026-10-01T08:00:00Z,2026-10-02T08:00:00Z,lab-7`);
  return { text: `${lines.join("\r\n")}\r\n`, good: n, bad: 2 };
}

export interface Ga4Hit {
  client_id: string;
  user_id?: string;
  events: { name: string; params: Record<string, unknown> }[];
}

/** GA4 hits (page views, a login with user_id, a purchase, a kit activation; one from a bot, one with an email to strip) and a UA pageview. */
export function sampleGaHits(run: string): { ga4: Ga4Hit[]; ua: string } {
  const cid = `${run}.1001`;
  const session = { session_id: "1700000001", engagement_time_msec: 150 };
  return {
    ga4: [
      { client_id: cid, events: [{ name: "page_view", params: { ...session, page_location: "https://shop.example.com/kits", page_title: "Kits" } }] },
      {
        client_id: cid,
        user_id: "42",
        events: [
          { name: "login", params: { ...session, method: "email", page_location: "https://shop.example.com/login?email=ann%40example.com" } },
          { name: "purchase", params: { ...session, transaction_id: `T-${run.slice(-6)}`, value: 49.9, currency: "EUR" } },
        ],
      },
      { client_id: cid, user_id: "42", events: [{ name: "kit_activated", params: { ...session, kit_barcode: `KIT-${run.toUpperCase()}-0-0` } }] },
      { client_id: `${run}.3003`, events: [{ name: "page_view", params: { page_location: "https://shop.example.com/robots-welcome" } }] },
    ],
    ua: uaPageview(run, 2002),
  };
}

/** A Universal Analytics pageview pixel's query string. */
export function uaPageview(run: string, visitor: number): string {
  return new URLSearchParams({ v: "1", tid: "UA-123456-1", cid: `${run}.${visitor}`, t: "pageview", dl: "https://shop.example.com/legacy", dt: "Legacy page" }).toString();
}

/** Live GA traffic: the i-th hit of a run, 1–3 events of a visitor's session; some visitors are logged in. */
export function sampleGaHit(run: string, i: number): Ga4Hit {
  const visitor = 5000 + (i % 23);
  const session = { session_id: String(1_700_000_000 + Math.floor(i / 23)), engagement_time_msec: 100 + (i % 9) * 50 };
  const events: Ga4Hit["events"] = [{ name: "page_view", params: { ...session, page_location: `https://shop.example.com/kits/${i % 5}?utm_source=${SOURCES[i % SOURCES.length]}` } }];
  if (i % 3 === 0) events.push({ name: "scroll", params: { ...session, percent_scrolled: 90 } });
  if (i % 7 === 0) events.push({ name: "purchase", params: { ...session, transaction_id: `T-${run.slice(-6)}-${i}`, value: 49.9, currency: "EUR" } });
  return { client_id: `${run}.${visitor}`, ...(i % 4 === 0 ? { user_id: String(42 + (i % 5)) } : {}), events };
}

/** A GA4 hit the proxy refuses with 400: "error" is a reserved event name. */
export function invalidGaHit(run: string, i: number): Ga4Hit {
  return { client_id: `${run}.9${i}`, events: [{ name: "error", params: { session_id: "1" } }] };
}
