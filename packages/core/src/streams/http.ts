/**
 * The HTTP answer for `POST /v1/streams/{stream}/records`: status codes and bodies a client can act on.
 * - one record: 202 accepted, or 400 with field-level reasons
 * - a batch: 200 with one result per record (some may be rejected), or 400 when none was accepted
 * - missing or wrong API key 401, key not scoped to the stream 403 (checked first: nothing is written)
 * - unknown stream 404, malformed body 400, oversized body or batch 413
 */
import type { Ports } from "../platform";
import { acceptRecords, type IncomingRequest } from "./accept";
import { authorizeStreamWrite } from "./api-keys";
import { BadRequestError, UnknownStreamError } from "./errors";

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * @example await answerRecordsRequest(ports, { stream: "nope", body: "{}", apiKey }) // { status: 404, body: { error: "streams: no stream named \"nope\" …" } }
 */
export async function answerRecordsRequest(ports: Ports, request: IncomingRequest & { apiKey?: string }): Promise<HttpAnswer> {
  const auth = await authorizeStreamWrite(ports, request.apiKey, request.stream);
  if (!auth.ok) return { status: auth.status, body: { error: `streams: ${auth.reason}` } };
  try {
    const outcome = await acceptRecords(ports, request);
    if (!outcome.batch) {
      const [only] = outcome.results;
      if (only?.status === "accepted") return { status: 202, body: { status: "accepted", eventId: only.eventId } };
      return { status: 400, body: { status: "rejected", error: "record failed validation", problems: only?.status === "rejected" ? only.problems : [] } };
    }
    const status = outcome.accepted === 0 ? 400 : 200;
    return { status, body: { accepted: outcome.accepted, rejected: outcome.rejected, results: outcome.results } };
  } catch (error) {
    if (error instanceof UnknownStreamError) return { status: 404, body: { error: error.message } };
    if (error instanceof BadRequestError) return { status: error.status, body: { error: error.message } };
    throw error;
  }
}
