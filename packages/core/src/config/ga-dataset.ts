/**
 * The GA hits dataset. Its columns are fixed by the Measurement Protocol, not by the user, so it is declared
 * here once and flattened like any other dataset (bronze table `ga_events`).
 */
export const GA_EVENTS_DATASET = {
  name: "ga_events",
  columns: {
    event_id: { type: "string", nullable: false },
    protocol: { type: "string", nullable: false }, // "ga4" | "ua"
    measurement_id: "string",
    client_id: "string",
    user_id: "string",
    session_id: "string",
    event_name: { type: "string", nullable: false },
    event_time: { type: "timestamp", nullable: false },
    event_params: "json",
    user_properties: "json",
    page_location: "string",
    consent: "json",
    is_bot: "boolean",
    transaction_id: "string",
    kit_barcode: "string",
  },
  partitionTime: "event_time",
  linkKeys: { client_id: "ga_client_id", user_id: "ga_user_id", kit_barcode: "kit_barcode" },
} as const;
