/**
 * The local status page (`GET /status`): one self-contained HTML document — no CDN, no fonts, works offline — whose
 * script fetches `/status.json` and draws it. The charts are inline SVG: per dataset the age of its newest record
 * against its freshness SLO (the dashed line is the SLO; stale datasets are red and listed in a banner), and per
 * CDC table its lag at the last poll. Queue / dead-letter depths and the last workflow runs follow as tables.
 *
 * The browser script is plain ES2017 in a string (the core's TypeScript has no DOM types); it builds every element
 * with DOM calls and `textContent`, never `innerHTML` with data, so names and error messages cannot inject markup.
 */
import { STATUS_JSON_PATH } from "./status-paths";

/** Seconds between refreshes of the page's data. */
export const STATUS_REFRESH_SECONDS = 10;

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; background: #fafbfc; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
  .muted { color: #667085; }
  .banner { padding: 8px 12px; border-radius: 6px; margin: 12px 0; font-weight: 600; }
  .banner.stale { background: #fde8e8; color: #9b1c1c; border: 1px solid #f8b4b4; }
  .banner.ok { background: #e6f6ec; color: #03543f; border: 1px solid #a7e3bf; }
  .banner.error { background: #fff4e5; color: #8a4b00; border: 1px solid #ffd599; }
  svg text { font: 12px system-ui, sans-serif; fill: #1d2430; }
  svg .stale text.name, svg .empty text.name { fill: #9b1c1c; font-weight: 700; }
  svg rect.bar { fill: #2f9e6a; } svg .stale rect.bar { fill: #d92d20; } svg .empty rect.bar { fill: #f4c7c3; }
  svg rect.lag { fill: #3b6fd8; } svg .unpolled rect.lag { fill: #d0d5dd; }
  svg line.slo { stroke: #1d2430; stroke-dasharray: 4 3; }
  table { border-collapse: collapse; background: #fff; } th, td { border: 1px solid #e4e7ec; padding: 4px 8px; text-align: left; }
  td.alert { background: #fde8e8; color: #9b1c1c; font-weight: 700; }
`;

/** Browser code. Keep it ES2017 and free of template literals (it lives inside one). */
const SCRIPT = String.raw`
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var LABEL = 160, AREA = 440, ROW = 26, TOP = 24;
  function el(tag, attrs, text) {
    var node = document.createElementNS(tag === "svg" || tag === "g" || tag === "rect" || tag === "line" || tag === "text" || tag === "title" ? SVG : "http://www.w3.org/1999/xhtml", tag);
    for (var k in attrs || {}) node.setAttribute(k, String(attrs[k]));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function age(s) {
    if (s === null || s === undefined) return "—";
    if (s < 60) return s + "s";
    var units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]], parts = [], rest = s;
    for (var i = 0; i < units.length && parts.length < 2; i++) {
      var n = Math.floor(rest / units[i][1]); rest -= n * units[i][1];
      if (n > 0 || parts.length > 0) parts.push(n + units[i][0]);
    }
    return parts.join(" ");
  }
  function freshnessChart(datasets, generatedAt) {
    var height = TOP + datasets.length * ROW + 8;
    var svg = el("svg", { id: "freshness-chart", width: LABEL + AREA + 220, height: height, role: "img", "aria-label": "dataset freshness against SLO", "data-generated-at": generatedAt });
    svg.appendChild(el("text", { x: LABEL, y: 14 }, "age of newest record (bar) vs freshness SLO (dashed line, bars capped at 2× SLO)"));
    datasets.forEach(function (d, i) {
      var y = TOP + i * ROW;
      var state = d.freshnessSeconds === null ? "empty" : d.stale ? "stale" : "fresh";
      var g = el("g", { "class": "row " + state, "data-dataset": d.dataset });
      var ratio = d.freshnessSeconds === null ? 2 : Math.min(d.freshnessSeconds / (d.sloMinutes * 60), 2);
      g.appendChild(el("text", { "class": "name", x: 0, y: y + 15 }, d.dataset));
      var bar = el("rect", { "class": "bar", x: LABEL, y: y + 4, height: ROW - 8, width: Math.max(2, Math.round((ratio / 2) * AREA)), "data-value": d.freshnessSeconds === null ? "" : d.freshnessSeconds });
      bar.appendChild(el("title", {}, d.staleReason || "within SLO"));
      g.appendChild(bar);
      var label = d.freshnessSeconds === null ? "no data yet" : age(d.freshnessSeconds) + " (SLO " + d.sloMinutes + " min)";
      g.appendChild(el("text", { "class": "value", x: LABEL + AREA + 8, y: y + 15 }, label + (d.stale ? " — STALE" : "")));
      svg.appendChild(g);
    });
    svg.appendChild(el("line", { "class": "slo", x1: LABEL + AREA / 2, x2: LABEL + AREA / 2, y1: TOP - 4, y2: height - 4 }));
    svg.appendChild(el("text", { x: LABEL + AREA / 2 + 4, y: height - 6, "class": "muted" }, "SLO"));
    return svg;
  }
  function lagChart(cdc, generatedAt) {
    var max = Math.max(60, Math.max.apply(null, cdc.map(function (o) { return o.lagSeconds || 0; })));
    var svg = el("svg", { id: "lag-chart", width: LABEL + AREA + 220, height: TOP + cdc.length * ROW + 8, role: "img", "aria-label": "CDC lag per table", "data-generated-at": generatedAt });
    svg.appendChild(el("text", { x: LABEL, y: 14 }, "CDC lag at the last poll (scale 0 – " + age(max) + ")"));
    cdc.forEach(function (o, i) {
      var y = TOP + i * ROW;
      var g = el("g", { "class": "row " + (o.lagSeconds === null ? "unpolled" : "polled"), "data-cdc-table": o.source + "." + o.table });
      g.appendChild(el("text", { "class": "name", x: 0, y: y + 15 }, o.source + "." + o.table));
      g.appendChild(el("rect", { "class": "lag bar", x: LABEL, y: y + 4, height: ROW - 8, width: Math.max(2, Math.round(((o.lagSeconds || 0) / max) * AREA)), "data-value": o.lagSeconds === null ? "" : o.lagSeconds }));
      g.appendChild(el("text", { "class": "value", x: LABEL + AREA + 8, y: y + 15 }, o.lagSeconds === null ? "not polled yet" : "lag " + age(o.lagSeconds) + ", polled " + age(o.polledSecondsAgo) + " ago"));
      svg.appendChild(g);
    });
    return svg;
  }
  function table(id, headers, rows) {
    var t = el("table", { id: id }), head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", {}, h)); });
    t.appendChild(head);
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (c) { var td = el("td", c.alert ? { "class": "alert" } : {}, c.text === null || c.text === undefined ? "—" : String(c.text)); tr.appendChild(td); });
      t.appendChild(tr);
    });
    if (rows.length === 0) { var none = el("tr"); none.appendChild(el("td", { colspan: headers.length, "class": "muted" }, "none yet")); t.appendChild(none); }
    return t;
  }
  function render(s) {
    var root = document.getElementById("status"), out = document.createDocumentFragment();
    out.appendChild(el("p", { "class": "muted", id: "generated" }, "generated " + s.generatedAt + " · refreshes every " + REFRESH + " s"));
    var stale = s.summary.staleDatasets;
    out.appendChild(el("div", { id: "stale-banner", "class": "banner " + (stale.length ? "stale" : "ok") }, stale.length ? "Stale: " + stale.join(", ") : "All datasets within their freshness SLO"));
    if (s.summary.deadLetterMessages > 0) out.appendChild(el("div", { id: "dlq-banner", "class": "banner stale" }, s.summary.deadLetterMessages + " message(s) in dead-letter queues"));
    var problems = s.problems.slice();
    s.datasets.forEach(function (d) { d.problems.forEach(function (p) { problems.push(d.dataset + ": " + p); }); });
    problems.forEach(function (p) { out.appendChild(el("div", { "class": "banner error problem" }, p)); });
    out.appendChild(el("h2", {}, "Freshness per dataset"));
    out.appendChild(freshnessChart(s.datasets, s.generatedAt));
    out.appendChild(table("datasets", ["dataset", "kind", "newest record", "bronze files", "unmerged", "silver version", "silver at", "silver rows", "silver newest record"], s.datasets.map(function (d) {
      return [{ text: d.dataset, alert: d.stale }, { text: d.kind }, { text: d.newestRecordAt }, { text: d.bronzeFiles }, { text: d.unmergedBronzeFiles }, { text: d.silver && d.silver.version }, { text: d.silver && d.silver.createdAt }, { text: d.silver && d.silver.rows }, { text: d.silver && d.silver.newestRecordAt }];
    })));
    out.appendChild(el("h2", {}, "CDC lag per table"));
    out.appendChild(s.cdc.length ? lagChart(s.cdc, s.generatedAt) : el("p", { "class": "muted", id: "lag-chart-empty" }, "no CDC offsets yet (the cdc-poll schedule has not run)"));
    out.appendChild(el("h2", {}, "Queues"));
    out.appendChild(table("queues", ["queue", "visible", "in flight", "dead-letter queue", "dead letters"], s.queues.map(function (q) {
      var dead = q.deadLetter ? q.deadLetter.visible + q.deadLetter.inFlight : null;
      return [{ text: q.queue }, { text: q.visible }, { text: q.inFlight }, { text: q.deadLetter && q.deadLetter.queue }, { text: dead, alert: dead > 0 }];
    })));
    out.appendChild(el("h2", {}, "Last workflow runs (medallion)"));
    out.appendChild(table("runs", ["started", "ended", "status", "silver published", "gold published", "error / note"], s.workflowRuns.map(function (r) {
      return [{ text: r.startedAt }, { text: r.endedAt }, { text: r.status, alert: r.status !== "SUCCEEDED" && r.status !== "RUNNING" }, { text: r.silverPublished.join(", ") || null }, { text: r.goldPublished.join(", ") || null }, { text: r.error ? r.error.error + ": " + r.error.cause : r.note }];
    })));
    root.replaceChildren(out);
  }
  function refresh() {
    fetch(JSON_PATH, { cache: "no-store" })
      .then(function (res) { if (!res.ok) throw new Error("HTTP " + res.status); return res.json(); })
      .then(render)
      .catch(function (error) { document.getElementById("status").replaceChildren(el("div", { "class": "banner error", id: "load-error" }, "could not load " + JSON_PATH + ": " + error.message)); });
  }
  refresh();
  setInterval(refresh, REFRESH * 1000);
})();
`;

/**
 * @example res.end(statusPageHtml()) // "<!doctype html>…<svg id=\"freshness-chart\" …" once its script ran
 */
export function statusPageHtml(): string {
  const constants = `var JSON_PATH = ${JSON.stringify(STATUS_JSON_PATH)}, REFRESH = ${STATUS_REFRESH_SECONDS};`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary — status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Tributary — platform status</h1>
<div id="status"><p class="muted">loading ${STATUS_JSON_PATH}…</p></div>
<noscript>This page draws <a href="${STATUS_JSON_PATH}">${STATUS_JSON_PATH}</a> with JavaScript.</noscript>
<script>${constants}${SCRIPT}</script>
</body>
</html>
`;
}
