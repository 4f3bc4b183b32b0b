/**
 * Tributary's config: the example domain (a lab-testing company). Adding a table, file feed or event stream
 * is an edit here, not new code. Validated at synth time and at function start (`parseConfig`).
 * Reference: README.md → "Config reference".
 */
import { defineConfig } from "@tributary/core/config";

export default defineConfig({
  project: "tributary",

  sources: [
    {
      type: "sqlserver",
      name: "backend",
      schedule: "rate(1 minute)",
      // Unset locally → the embedded stand-in source. On AWS: an SST secret holding the connection string.
      connectionSecret: "BACKEND_SQLSERVER_URL",
      tables: [
        {
          name: "customers",
          table: "dbo.customers",
          primaryKey: ["customer_id"],
          columns: {
            customer_id: { type: "bigint", nullable: false },
            email: { type: "string", pii: "tokenise" },
            full_name: { type: "string", pii: "mask" },
            date_of_birth: { type: "date", pii: "drop" },
            country: "string",
            created_at: "timestamp",
          },
          partitionTime: "created_at",
          linkKeys: { customer_id: "customer_id", email: "email_hash" },
        },
        {
          name: "orders",
          table: "dbo.orders",
          primaryKey: ["order_id"],
          columns: {
            order_id: { type: "bigint", nullable: false },
            customer_id: { type: "bigint", nullable: false },
            kit_barcode: "string",
            product_code: "string",
            amount: "decimal(10,2)",
            status: "string",
            ordered_at: "timestamp",
            updated_at: "timestamp",
          },
          partitionTime: "updated_at",
          linkKeys: { customer_id: "customer_id", kit_barcode: "kit_barcode" },
        },
      ],
    },
  ],

  feeds: [
    {
      name: "lab_results",
      description: "Partner lab results, CSV (often gzip) dropped under landing/lab_results/",
      format: { type: "csv", delimiter: ",", header: true },
      primaryKey: ["kit_barcode", "test_code"],
      columns: {
        kit_barcode: { type: "string", nullable: false },
        test_code: { type: "string", nullable: false },
        result_value: { type: "string", pii: "tokenise" },
        result_flag: "string",
        collected_at: "timestamp",
        reported_at: { type: "timestamp", nullable: false },
        lab_id: "string",
      },
      partitionTime: "reported_at",
      linkKeys: { kit_barcode: "kit_barcode" },
    },
  ],

  streams: [
    {
      name: "user_events",
      idColumn: "request_id",
      columns: {
        request_id: { type: "string", nullable: false },
        request_timestamp: { type: "timestamp", nullable: false },
        cookie_id: "string",
        topic: "string",
        message: "json",
        environment: "string",
        website_id: "string",
        user_account_id: "string",
        location: "string",
        user_agent: "string",
        referrer: "string",
      },
      partitionTime: "request_timestamp",
      linkKeys: { cookie_id: "ga_client_id", user_account_id: "customer_id" },
    },
    {
      name: "user_utm",
      idColumn: "request_id",
      columns: {
        request_id: { type: "string", nullable: false },
        source: "string",
        medium: "string",
        campaign: "string",
        content: "string",
        term: "string",
        matchtype: "string",
        network: "string",
        ad_id: "string",
        ad_pos: "string",
        placement: "string",
        placement_category: "string",
        testgroup: "string",
        device: "string",
      },
    },
  ],

  ga: {
    measurementIds: ["G-TRIBUTARY1"],
    uaPropertyIds: ["UA-123456-1"],
    uaForwardTo: "G-TRIBUTARY1",
    forward: true,
  },

  links: {
    keys: {
      customer_id: { normalise: "trim", description: "backend customer id" },
      ga_user_id: { normalise: "trim", sameAs: "customer_id", description: "GA user_id (set at login; equals customer_id)" },
      ga_client_id: { normalise: "trim", description: "GA client id / first-party cookie id" },
      kit_barcode: { normalise: "upper", description: "test kit barcode" },
      email_hash: { normalise: "email", hashed: true, description: "keyed hash of the normalised email" },
    },
  },

  // What the real-time report (GET /v1/reports/customers/{customerId}) is built from, per linked entity.
  realtime: {
    customerKey: "customer_id",
    orders: { dataset: "orders", id: "order_id", amount: "amount", status: "status", time: "ordered_at", kit: "kit_barcode" },
    labResults: { dataset: "lab_results", kit: "kit_barcode", test: "test_code", time: "reported_at", flag: "result_flag", collected: "collected_at" },
    web: [
      { dataset: "ga_events", visitor: "client_id", session: "session_id", time: "event_time", url: "page_location", bot: "is_bot" },
      { dataset: "user_events", visitor: "cookie_id", time: "request_timestamp", url: "location" },
    ],
  },

  quality: [
    { dataset: "orders", column: "order_id", check: "unique", action: "fail" },
    { dataset: "orders", column: "customer_id", check: "references", references: { dataset: "customers", column: "customer_id" }, action: "warn" },
    { dataset: "orders", column: "status", check: "accepted_values", values: ["pending", "paid", "shipped", "activated", "cancelled"], action: "quarantine" },
    { dataset: "lab_results", column: "kit_barcode", check: "not_null", action: "quarantine" },
    { dataset: "user_events", check: "freshness", maxAgeMinutes: 60, action: "warn" },
  ],

  reports: [
    { name: "customer_activity", kind: "customer_activity" },
    { name: "daily_kpis", kind: "daily_kpis" },
    { name: "results_by_region", kind: "results_by_region", minCellSize: 5, region: { dataset: "customers", column: "country" } },
  ],

  // On AWS, every alarm and the monthly cost budget notify one SNS topic; list addresses to subscribe to it here
  // (each gets a confirmation email on deploy). Ignored by the local mode.
  alerts: { emails: [], budgetMonthlyUsd: 100 },
});
