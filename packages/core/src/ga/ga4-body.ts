/**
 * The GA4 Measurement Protocol request body, as `validateGa4Body` guarantees it.
 * Reference: https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference
 * Type aliases (not interfaces) so a body fits `GaHit.payload` (`Record<string, unknown>`).
 */

/** Event and item parameter values: Google accepts strings and numbers; booleans are kept as sent. */
export type Ga4ParamValue = string | number | boolean;

/** One ecommerce item (`params.items[]`). */
export type Ga4Item = Record<string, Ga4ParamValue>;

/** Event parameters; only `items` may hold an array. */
export type Ga4Params = Record<string, Ga4ParamValue | Ga4Item[]>;

export type Ga4Event = {
  name: string;
  params?: Ga4Params;
  /** Event-level override of the body's `timestamp_micros`. */
  timestamp_micros?: number;
};

/** MP user properties are objects: `{ "tier": { "value": "gold" } }`, optionally with their own timestamp. */
export type Ga4UserProperty = {
  value: string | number;
  timestamp_micros?: number;
};

export type Ga4ConsentValue = "GRANTED" | "DENIED";

export type Ga4Consent = {
  ad_user_data?: Ga4ConsentValue;
  ad_personalization?: Ga4ConsentValue;
};

export type Ga4Body = {
  /** Web streams: the gtag client id (e.g. `123456789.1700000000`). */
  client_id?: string;
  /** App streams: the Firebase app instance id. */
  app_instance_id?: string;
  user_id?: string;
  timestamp_micros?: number;
  user_properties?: Record<string, Ga4UserProperty>;
  consent?: Ga4Consent;
  non_personalized_ads?: boolean;
  /** User-provided data; Google requires it hashed (sha256_email_address, …). Passed through untouched. */
  user_data?: Record<string, unknown>;
  user_location?: Record<string, unknown>;
  device?: Record<string, unknown>;
  ip_override?: string;
  validation_behavior?: "RELAXED" | "ENFORCE_RECOMMENDATIONS";
  events: Ga4Event[];
};
